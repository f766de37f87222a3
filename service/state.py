"""Per-app state: the GraphStore, the results cache (memory, then disk) and the job runner.

Results are keyed by ``(graph stamp, name, parameters)``; the stamp
(:meth:`GraphStore.graph_stamp`) names one version of the graph, so a load that changes the
graph makes every older entry unreachable.

- :class:`ResultCache` keeps results in memory, bounded in entries and in (estimated)
  bytes, and computes a missing result once even when several threads ask for it at the
  same time (the others wait for the first).
- :class:`DiskCache` keeps the use cases' results on disk, one folder per graph stamp
  (``SYNERGRAPH_CACHE_DIR``, default ``$SYNERGRAPH_HOME/cache``), so they survive a restart;
  folders of other stamps are pruned when the graph changes. Results are pickled: they hold
  tuples, dictionaries with non-string keys and sets that JSON would silently change, and
  the folder is the service's own (mode 0700, beside its secret key), never user input.
- A result that is a file (a download: the GEXF of a whole programme is hundreds of MB) is
  written once into the cache's folder and only its :class:`StoredFile` (path, media type,
  file name, size) is cached: it is served from disk and never held in memory or pickled
  (:meth:`ResultCache.file_path`, :meth:`service.usecases.Context.file`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_schema._gc import without_cyclic_gc
from graph_schema.store import GraphStore

__all__ = ["AppState", "DiskCache", "ResultCache", "StoredFile", "estimate_bytes",
           "persisted"]

log = logging.getLogger("synergraph.cache")

#: Bumped when the layout of cached values changes: older files are then ignored.
DISK_FORMAT = 2


@functools.lru_cache(maxsize=1)
def _persisted_names() -> frozenset[str]:
    """The names of results kept on disk: every cache name a job's task fills for the
    service, as declared where the task is registered (:func:`service.tasks.cache_names`;
    the group graphs and the store's records are rebuilt from Neo4j in seconds, and are
    large), plus the API's bodies and the pages' markers (``api:...``, ``page:...``). A
    result a worker process computes and the service does not find on disk would be
    computed again in the service (the largest hub's actor page rebuilt the ecosystem's
    graph: 23 s at H2020 scale)."""
    from service.tasks import cache_names

    return cache_names()


def __getattr__(name: str):
    if name == "PERSISTED":  # derived from the tasks (imported late: no import cycle)
        return _persisted_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Inputs every process reads, kept on disk although no task declares them: the
#: ecosystem's records (a country's records and every group's neighbourhood are taken from
#: them; reading them from Neo4j takes 5 s at H2020 size, from disk 0.3 s).
SHARED_INPUTS = frozenset({"ecosystem-records"})


def persisted(name: str) -> bool:
    """Whether results called ``name`` go to disk.

    >>> persisted("metrics"), persisted("api:metrics"), persisted("graph")
    (True, True, False)
    >>> persisted("link-model"), persisted("track-record"), persisted("records")
    (True, True, False)
    >>> persisted("ecosystem-records")
    True
    """
    return (name in _persisted_names() or name in SHARED_INPUTS
            or name.startswith(("api:", "page:")))


def estimate_bytes(value: Any, _depth: int = 0) -> int:
    """A rough size in bytes of ``value`` (containers walked; long ones sampled).

    Networkx graphs count about 500 bytes per node and 250 per edge.

    >>> estimate_bytes([1.0] * 1000) > estimate_bytes([1.0] * 10)
    True
    """
    size = sys.getsizeof(value, 64)
    if _depth > 6:
        return size
    graph_nodes = getattr(value, "number_of_nodes", None)
    if callable(graph_nodes) and hasattr(value, "number_of_edges"):
        return 500 * value.number_of_nodes() + 250 * value.number_of_edges() + 1000
    if isinstance(value, dict):
        items = list(value.items())
        return size + _sampled(items, lambda kv: estimate_bytes(kv[0], _depth + 1)
                               + estimate_bytes(kv[1], _depth + 1))
    if isinstance(value, list | tuple | set | frozenset):
        return size + _sampled(list(value), lambda v: estimate_bytes(v, _depth + 1))
    return size


def _sampled(items: list, measure: Callable[[Any], int], limit: int = 64) -> int:
    if len(items) <= limit:
        return sum(measure(v) for v in items)
    step = len(items) / limit
    sample = [items[int(i * step)] for i in range(limit)]
    return int(sum(measure(v) for v in sample) * len(items) / limit)


@dataclass(frozen=True)
class StoredFile:
    """A result that is a file on disk (a download), as the cache keeps it: the file stays
    where it was written (the cache's folder of its graph stamp) and is sent from there."""

    path: str
    media_type: str
    filename: str
    size: int

    def exists(self) -> bool:
        return Path(self.path).is_file()


class _Flight:
    """One computation in progress, which other askers wait for."""

    __slots__ = ("done", "value", "error")

    def __init__(self):
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class DiskCache:
    """Pickled results under ``root/<graph stamp>/<name>/<hash of params>.pickle``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.loads = 0
        self.saves = 0

    @staticmethod
    def _safe(text: str) -> str:
        return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text))[:80]

    def path(self, key: tuple) -> Path:
        stamp, name, params = key
        digest = hashlib.sha256(repr(params).encode("utf-8")).hexdigest()[:40]
        return self.root / self._safe(stamp) / self._safe(name) / f"{digest}.pickle"

    def contains(self, key: tuple) -> bool:
        return self.path(key).is_file()

    @without_cyclic_gc  # a result of millions of objects (the ecosystem's records): 2x
    def load(self, key: tuple) -> tuple[bool, Any]:
        path = self.path(key)
        try:
            with path.open("rb") as handle:
                header, stored_key, value = pickle.load(handle)
        except FileNotFoundError:
            return False, None
        except Exception as exc:  # noqa: BLE001 - a damaged file is ignored and removed
            log.warning("ignoring unreadable cache file %s (%s)", path, exc)
            path.unlink(missing_ok=True)
            return False, None
        if header != ("synergraph-cache", DISK_FORMAT) or stored_key != key:
            return False, None
        self.loads += 1
        return True, value

    def file_path(self, key: tuple, suffix: str) -> Path:
        """Where the file result of ``key`` is written: beside its pickle, so that pruning
        a graph stamp removes it too."""
        path = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path.with_name(f"{path.stem}.{suffix}")

    def save(self, key: tuple, value: Any) -> None:
        path = self.path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tmp.open("wb") as handle:  # streamed: no second copy of a large result
                pickle.dump((("synergraph-cache", DISK_FORMAT), key, value), handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            self.saves += 1
        except Exception as exc:  # noqa: BLE001 - the disk cache is an optimisation
            log.warning("could not keep %s/%s on disk: %s", key[0], key[1], exc)
        finally:
            tmp.unlink(missing_ok=True)

    def remove(self, key: tuple) -> None:
        self.path(key).unlink(missing_ok=True)

    def stamps(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def prune(self, keep: str) -> list[str]:
        """Remove the folders of every stamp but ``keep``; returns the removed ones."""
        removed = []
        for name in self.stamps():
            if name != self._safe(keep):
                shutil.rmtree(self.root / name, ignore_errors=True)
                removed.append(name)
        return removed


class ResultCache:
    """A thread-safe LRU cache bounded in entries and in estimated bytes.

    Keys are ``(graph stamp, name, params)``. A missing value is computed once: concurrent
    askers of the same key wait for the first one's result (or its exception). With a
    :class:`DiskCache`, results whose name is :func:`persisted` are read from and written
    to disk.
    """

    def __init__(self, maxsize: int = 128, *, max_bytes: int | None = None,
                 disk: DiskCache | None = None):
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.disk = disk
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.computed = 0
        self._files: DiskCache | None = None

    def file_path(self, key: tuple, suffix: str) -> Path:
        """Where to write the file result of ``key`` (:class:`StoredFile`): in the disk
        cache's folder of its graph stamp, or without a disk cache in a temporary folder of
        this cache's own, removed with it."""
        if self.disk is not None:
            return self.disk.file_path(key, suffix)
        with self._lock:
            if self._files is None:  # the disk cache's layout, in a folder of its own
                self._files = DiskCache(tempfile.mkdtemp(prefix="synergraph-files-"))
                weakref.finalize(self, shutil.rmtree, str(self._files.root), True)
            files = self._files
        return files.file_path(key, suffix)

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` in memory and on disk (a file result whose file has gone)."""
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
        if self._on_disk(key):
            self.disk.remove(key)

    def _on_disk(self, key) -> bool:
        return (self.disk is not None and isinstance(key, tuple) and len(key) == 3
                and persisted(str(key[1])))

    def __contains__(self, key: Hashable) -> bool:
        """In memory or on disk (nothing is read)."""
        with self._lock:
            if key in self._data:
                return True
        return self._on_disk(key) and self.disk.contains(key)

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when known in memory or on disk, without computing."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return True, self._data[key][0]
        if self._on_disk(key):
            found, value = self.disk.load(key)
            if found:
                self._store(key, value)
                return True, value
        return False, None

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key][0]
            flight = self._flights.get(key)
            owner = flight is None
            if owner:
                flight = self._flights[key] = _Flight()
        if not owner:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            with self._lock:
                self.hits += 1
            return flight.value
        try:
            found, value = self.disk.load(key) if self._on_disk(key) else (False, None)
            with self._lock:
                if found:
                    self.hits += 1
                else:
                    self.misses += 1
            if not found:
                value = compute()
                with self._lock:
                    self.computed += 1
                if self._on_disk(key):
                    self.disk.save(key, value)
            self._store(key, value)
            flight.value = value
            return value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _store(self, key: Hashable, value: Any) -> None:
        size = estimate_bytes(value)
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if self.max_bytes is not None and size > self.max_bytes:
                return  # larger than the whole cache: kept on disk only
            self._data[key] = (value, size)
            self.bytes += size
            while self._data and (len(self._data) > self.maxsize or (
                    self.max_bytes is not None and self.bytes > self.max_bytes)):
                _, (_, dropped) = self._data.popitem(last=False)
                self.bytes -= dropped

    def drop_other_stamps(self, stamp) -> int:
        """Forget the in-memory entries of other graph stamps; returns how many."""
        with self._lock:
            stale = [k for k in self._data if isinstance(k, tuple) and k and k[0] != stamp]
            for key in stale:
                self.bytes -= self._data.pop(key)[1]
        return len(stale)

    def __len__(self) -> int:
        return len(self._data)


class AppState:
    """The store, the results cache, the job runner and the use cases' context of one app.

    ``settings`` (optional) gives the cache bounds, the cache folder, the workers and the
    warming switches (docs/configuration.md).
    """

    def __init__(self, store: GraphStore, *, cache_size: int = 256, settings=None):
        from service.jobs import JobRunner, default_workers
        from service.usecases import Context

        settings = settings or {}
        self.store = store
        self.settings = settings
        cache_dir = settings.get("SYNERGRAPH_CACHE_DIR") or (
            Path(settings["SYNERGRAPH_HOME"]) / "cache" if settings.get("SYNERGRAPH_HOME")
            else None)
        self.disk = DiskCache(cache_dir) if cache_dir else None
        self.cache = ResultCache(settings.get("SYNERGRAPH_CACHE_ENTRIES") or cache_size,
                                 max_bytes=settings.get("SYNERGRAPH_CACHE_MAX_BYTES"),
                                 disk=self.disk)
        workers = settings.get("SYNERGRAPH_JOB_WORKERS") or default_workers()
        process_settings = None
        if settings.get("SYNERGRAPH_JOB_PROCESSES") and self.disk is not None:
            # what a worker process needs to open its own store and share the disk cache
            process_settings = {**dict(settings), "SYNERGRAPH_CACHE_DIR": str(self.disk.root)}
        self.jobs = JobRunner(workers, history=settings.get("SYNERGRAPH_JOB_HISTORY") or 200,
                              process_settings=process_settings)
        #: groups up to this many actors are computed within the request
        self.inline_max_actors = settings.get("SYNERGRAPH_JOBS_INLINE_MAX_ACTORS", 2000)
        self.warm_enabled = bool(settings.get("SYNERGRAPH_WARM", False))
        self._stamp_lock = threading.Lock()
        self.stamp: str | None = None
        self.stamp_changes = 0
        self._warmed: set = set()
        #: the use cases' context: every page and API route computes through it
        self.ctx = Context(store, self.cache, on_stamp=self.observe_stamp, defer=self.defer)
        self._poller: threading.Thread | None = None
        poll = settings.get("SYNERGRAPH_WARM_POLL_S") or 0
        if self.warm_enabled and poll > 0:
            self._poller = threading.Thread(target=self._poll, args=(float(poll),),
                                            daemon=True, name="synergraph-graph-watch")
            self._poller.start()

    def cached(self, name: str, params: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (graph stamp, name, params).

        ``name`` identifies what is computed: two callers that cache different results must
        use different names (the API's start with ``api:``).
        """
        return self.ctx.cached(name, params, compute)

    # -- the per-version preparations: jobs, never computed in the service on large graphs
    def large(self) -> bool:
        """Whether the ecosystem is above the size computed within a request."""
        from service.jobs import group_actors

        return group_actors(self.ctx, None) > self.inline_max_actors

    def defer(self, name: str) -> bool:
        """:meth:`Context.prepared`'s question: leave ``name`` to its job? True (the job is
        queued or running) on large graphs; False when the caller computes it now (a small
        graph, or the job is done: the result is then read from the cache; or the caller is
        itself a background job, in a thread of the service)."""
        from service import jobs

        if getattr(jobs._current, "job", None) is not None or not self.large():
            return False
        return self.prepare(name).state in ("queued", "running")

    def prepare(self, name: str, *, stamp: str | None = None, priority: int | None = None):
        """The job computing the per-version result ``name`` (a task of
        :mod:`service.tasks` of the same name, without arguments: ``link-data``,
        ``link-model``, ``track-record``), deduplicated per graph stamp; in a worker
        process when jobs run there. Priority: :data:`service.warming.PREPARATIONS`."""
        from service import tasks
        from service.warming import PREPARATIONS

        ctx = self.ctx
        stamp = stamp or ctx.stamp()
        what, default = PREPARATIONS[name]

        def run():
            if ctx.stamp() != stamp:
                raise RuntimeError("the graph changed before this job ran; ask again")
            return tasks.run(ctx, name, ())

        return self.jobs.submit((stamp, "prepare:" + name, ()), what, run,
                                priority=default if priority is None else priority,
                                task=(name, ()))

    # -- the graph's version: pruning and warming --------------------------------------
    def observe_stamp(self, stamp: str) -> None:
        """Called with the stamp every time one is read: on a new one, forget the older
        versions' results and jobs, prune the disk cache and start the warming."""
        with self._stamp_lock:
            if stamp == self.stamp:
                return
            previous, self.stamp = self.stamp, stamp
            self.stamp_changes += 1
        if previous is not None:
            self.cache.drop_other_stamps(stamp)
            self.jobs.forget_other_stamps(stamp)
        if self.disk is not None:
            removed = self.disk.prune(stamp)
            if removed:
                log.info("pruned the disk cache of graph stamps %s", ", ".join(removed))
        if self.warm_enabled:
            self.warm(stamp)

    def warm(self, stamp: str | None = None) -> list:
        """Queue the headline figures (the ecosystem, every cluster and every country) as
        background jobs; returns the jobs (each stamp is warmed once)."""
        from service.warming import warm_jobs

        stamp = stamp or self.ctx.stamp()
        with self._stamp_lock:
            if stamp in self._warmed:
                return []
            self._warmed.add(stamp)
        try:
            return warm_jobs(self, stamp)
        except Exception:  # noqa: BLE001 - warming is best effort; requests still compute
            log.exception("could not queue the warming of graph stamp %s", stamp)
            return []

    def _poll(self, every_s: float) -> None:
        """Watch the graph's stamp (a load by another process, e.g. the CLI)."""
        while True:
            time.sleep(every_s)
            try:
                self.observe_stamp(self.store.graph_stamp())
            except Exception as exc:  # noqa: BLE001 - Neo4j down: try again later
                log.debug("graph stamp not readable: %s", exc)
