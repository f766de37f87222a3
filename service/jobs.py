"""Background jobs: long analyses run outside the request, a few at a time.

A :class:`JobRunner` belongs to one app (``app.extensions["synergraph"].jobs``). It runs
jobs on a fixed number of worker threads (``SYNERGRAPH_JOB_WORKERS``; 0 means one worker per
two cores), jobs visitors wait for before warming jobs; while a warming job holds a worker,
one more worker (the express lane) runs the visitors' jobs, so that none waits minutes
behind the warming of a large graph (the recommender's fit took 3 minutes at H2020 size).
While a job a visitor waits for runs, the worker processes busy with warming jobs are
paused (``SIGSTOP``, with the processes they forked; ``SIGCONT`` when no such job runs any
more), so that the visitor's job has every core: a warming job only ever runs on cores
nobody waits for.
It deduplicates jobs by key: a key is ``(graph stamp, use case, parameters)``,
so the same question asked twice while it is queued, running or done gives the same job,
and a question about another graph version is another job. When the graph changes,
:meth:`JobRunner.forget_other_stamps` fails the queued jobs of older versions (they would
compute figures of a graph that is gone) and drops their finished entries.

A job reports its progress through :func:`report` (``report("paths", 0.4)``), which any
computation can call: it updates the job running in the current thread, and does nothing
outside a job (the CLI, an inline request). The history is bounded
(``SYNERGRAPH_JOB_HISTORY`` finished jobs); a failed job keeps its error (also logged).

The HTTP contract (202 + ``Location``, ``GET /api/v1/jobs/<id>``) is in
:mod:`service.api.jobs`; the pages' progress block in :mod:`web.views`.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import logging
import os
import secrets
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobRunner", "ask", "group_actors", "report", "default_workers",
           "PRIORITY_REQUEST", "PRIORITY_WARM"]

log = logging.getLogger("synergraph.jobs")

#: Jobs a visitor waits for run before the warming of headline figures.
PRIORITY_REQUEST = 0
PRIORITY_WARM = 10
#: Tasks whose figures a group's warming job computes (:func:`service.warming.warm_group`).
WARMED_TASKS = frozenset({"metrics", "group"})
#: :func:`_asked_group` of a job that asks no group's warmed figures.
_NO_GROUP = object()
#: Finished jobs that keep their result in memory (older ones re-read it from the cache).
RESULTS_KEPT = 16

_current = threading.local()


def default_workers(cpus: int | None = None) -> int:
    """One worker per two cores, at least one.

    >>> default_workers(2), default_workers(8), default_workers(1)
    (1, 4, 1)
    """
    if cpus is None:
        from service.forking import cpu_workers

        cpus = cpu_workers()
    return max(1, cpus // 2)


def _asked_group(job) -> Any:
    """The group (None: the ecosystem) whose warmed figures ``job`` asks (a task of
    :data:`WARMED_TASKS`), else :data:`_NO_GROUP`."""
    task = job.task
    return task[1][0] if task and task[0] in WARMED_TASKS and task[1] else _NO_GROUP


def _is_queued_warming(job) -> bool:
    """Whether ``job`` is a group's warming job (:func:`service.warming.warm_group`) that
    has not started."""
    return (job.state == "queued" and job.priority >= PRIORITY_WARM and job.task is not None
            and job.task[0] == "warm")


def report(message: str, fraction: float | None = None) -> None:
    """Report the progress of the job running in this thread (no-op outside a job).

    ``message`` names the phase ("centralities", "paths", "null model 3/20"); ``fraction``
    (0..1) is how far the whole job is, when known.

    >>> report("paths", 0.5)  # outside a job: nothing happens
    """
    job = getattr(_current, "job", None)
    if job is not None:
        job.update(message, fraction)


@dataclass(eq=False)
class Job:
    """One computation: ``state`` is queued, running, done or failed."""

    id: str
    key: Hashable
    what: str
    run: Callable[[], Any] = field(repr=False)
    priority: int = PRIORITY_REQUEST
    state: str = "queued"
    progress: float = 0.0
    message: str = "queued"
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = field(default=None, repr=False)
    has_result: bool = False
    #: builds the answer from the cache once the job is done (the API's response body)
    render: Callable[[], Any] | None = field(default=None, repr=False)
    #: (task name, arguments) of :mod:`service.tasks`: what a worker process runs
    task: tuple | None = None
    #: how many times the computation ran (tests count it)
    runs: int = 0
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, message: str, fraction: float | None = None) -> None:
        with self._lock:
            self.message = str(message)
            if fraction is not None:
                self.progress = max(self.progress, min(1.0, max(0.0, float(fraction))))

    @property
    def url(self) -> str:
        return f"/api/v1/jobs/{self.id}"

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"

    @property
    def stamp(self):
        return self.key[0] if isinstance(self.key, tuple) and self.key else None

    def wait(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for the job to finish; True when it has."""
        return self._done.wait(timeout)

    def as_dict(self) -> dict:
        """The job as the API shows it (``{"job": ...}``)."""
        with self._lock:
            out = {"id": self.id, "url": self.url, "state": self.state,
                   "progress": round(self.progress, 4), "message": self.message,
                   "what": self.what}
            if self.state == "failed":
                out["error"] = self.error
            return out

    def elapsed_s(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished or time.time()) - self.started


class JobRunner:
    """A bounded pool of worker threads running deduplicated jobs (see the module doc)."""

    def __init__(self, workers: int = 1, *, history: int = 200,
                 process_settings: dict | None = None, express: bool = True):
        self.workers = max(1, int(workers))
        #: with settings, jobs that have a task run in worker processes (one per worker
        #: thread, started on first use): a long C call (igraph holds the GIL) then never
        #: stalls the service's requests
        self.process_settings = process_settings
        self._local = threading.local()
        self.history = max(1, int(history))
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[tuple[int, int, Job]] = []
        self._order = itertools.count()
        self._by_key: dict[Hashable, Job] = {}
        self._by_id: OrderedDict[str, Job] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.running = 0
        #: warming jobs running now; while there is one, an extra worker (the express
        #: lane) runs the jobs visitors wait for, so that none waits behind warming
        self.running_warm = 0
        self._warming_groups: list = []  # the groups whose warming jobs are running
        self.express = express
        self._express: threading.Thread | None = None
        #: the most jobs that ran at the same time (tests check the limit)
        self.peak_running = 0
        #: worker processes running a job now, and that job's priority: while one runs a
        #: job a visitor waits for, the processes running warming jobs are paused
        self._busy: dict[_ProcessWorker, int] = {}

    # -- submitting and finding ------------------------------------------------------
    def submit(self, key: Hashable, what: str, run: Callable[[], Any], *,
               priority: int = PRIORITY_REQUEST,
               render: Callable[[], Any] | None = None, task: tuple | None = None) -> Job:
        """The job for ``key``: the existing one when it is queued, running or done, else
        a new one queued with ``run`` (a failed job is retried by a new submission)."""
        with self._lock:
            job = self._by_key.get(key)
            if job is not None and job.state != "failed":
                if priority < job.priority and job.state == "queued":
                    job.priority = priority  # a visitor now waits for it: move it up
                    self._queue = [(job.priority if j is job else p, n, j)
                                   for p, n, j in self._queue]
                    heapq.heapify(self._queue)
                    self._wake.notify_all()
                return job
            job = Job(id=secrets.token_urlsafe(9), key=key, what=what, run=run,
                      priority=priority, render=render, task=task)
            self._by_key[key] = job
            self._by_id[job.id] = job
            heapq.heappush(self._queue, (priority, next(self._order), job))
            self._trim()
            self._start_workers()
            self._wake.notify_all()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._by_id.get(job_id)

    def find(self, key: Hashable) -> Job | None:
        with self._lock:
            return self._by_key.get(key)

    def jobs(self) -> list[Job]:
        """Every known job, newest first."""
        with self._lock:
            return list(reversed(self._by_id.values()))

    def counts(self) -> dict[str, int]:
        out = {"queued": 0, "running": 0, "done": 0, "failed": 0}
        for job in self.jobs():
            out[job.state] = out.get(job.state, 0) + 1
        return out

    # -- graph versions --------------------------------------------------------------
    def forget_other_stamps(self, stamp) -> int:
        """Fail queued jobs of other graph versions and drop finished ones; returns how
        many queued jobs were failed. Running jobs finish (their results are keyed by the
        version they read)."""
        failed = 0
        with self._lock:
            keep = []
            for priority, n, job in self._queue:
                if job.stamp != stamp:
                    self._finish(job, "failed", error="the graph changed before this job "
                                                      "ran; ask again")
                    failed += 1
                else:
                    keep.append((priority, n, job))
            self._queue = keep
            heapq.heapify(self._queue)
            for job_id, job in list(self._by_id.items()):
                if job.stamp != stamp and job.state in ("done", "failed"):
                    self._by_id.pop(job_id)
                    if self._by_key.get(job.key) is job:
                        self._by_key.pop(job.key)
        return failed

    # -- workers ---------------------------------------------------------------------
    def _start_workers(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"synergraph-job-{len(self._threads) + 1}")
            self._threads.append(thread)
            thread.start()
        if self.express and self._express is None:
            self._express = threading.Thread(target=self._work, args=(True,), daemon=True,
                                             name="synergraph-job-express")
            self._express.start()

    def _express_pick(self) -> int | None:
        """The queue position of the job the express lane may start, or None: the first
        job a visitor waits for, while a warming job holds a worker (otherwise the workers
        take it) — skipping a group's metrics that a running warming job is computing: the
        worker answers those from the cache right after, instead of a second process
        computing the same figures at the same time; and, for a group whose warming is
        still queued, that warming job instead (the visitor's job then follows it). When no
        visitor waits, the next cluster's or country's warming (never the ecosystem's or the
        recommender's, which take minutes): a visitor arriving then waits at most for that
        one group's figures."""
        if not self.running_warm:
            return None
        best, best_order = None, None
        for i, (priority, n, job) in enumerate(self._queue):
            if priority >= PRIORITY_WARM or job.state != "queued":
                continue
            group = _asked_group(job)
            if group is not _NO_GROUP and any(group == ref for ref in self._warming_groups):
                continue
            if best is None or (priority, n) < best_order:
                warming = self._queued_warming(group)
                best, best_order = (i if warming is None else warming), (priority, n)
        if best is None:
            # no visitor waits: warm the next cluster or country on this core too (seconds
            # each), so that both cores warm while the ecosystem's figures take a minute
            for i, (priority, n, job) in enumerate(self._queue):
                if (_is_queued_warming(job) and job.task[1][0] is not None
                        and (best is None or (priority, n) < best_order)):
                    best, best_order = i, (priority, n)
        return best

    def _queued_warming(self, group) -> int | None:
        """The queue position of ``group``'s queued warming job, if any (None for
        :data:`_NO_GROUP`). Run in the place of a visitor's job asking that group's figures,
        it computes them (and the group's other headline ones), and the visitor's job then
        answers from its cache instead of computing the same figures a second time, beside
        it or before it."""
        if group is _NO_GROUP:
            return None
        return next((i for i, (_p, _n, job) in enumerate(self._queue)
                     if _is_queued_warming(job) and job.task[1][0] == group), None)

    def _work(self, express: bool = False) -> None:
        if express and self.process_settings is not None:
            # its process starts now (imports take seconds): ready when a visitor asks
            self._local.worker = _ProcessWorker(self.process_settings)
            self._local.worker.start()
        while True:
            with self._lock:
                if express:
                    pick = None
                    while not self._closed and (pick := self._express_pick()) is None:
                        self._wake.wait()
                    if self._closed:
                        return
                    _priority, _n, job = self._queue.pop(pick)
                    heapq.heapify(self._queue)
                else:
                    while not self._queue and not self._closed:
                        self._wake.wait()
                    if self._closed:
                        return
                    entry = heapq.heappop(self._queue)
                    job = entry[2]
                    warming = (self._queued_warming(_asked_group(job))
                               if job.state == "queued" and job.priority < PRIORITY_WARM
                               else None)
                    if warming is not None:  # the group's warming first: the visitor follows
                        job = self._queue[warming][2]
                        self._queue[warming] = entry
                        heapq.heapify(self._queue)
                if job.state != "queued":
                    continue
                job.state, job.started, job.message = "running", time.time(), "started"
                self.running += 1
                if job.priority >= PRIORITY_WARM:
                    self.running_warm += 1
                    if job.task and job.task[0] == "warm":
                        self._warming_groups.append(job.task[1][0])
                    self._wake.notify_all()  # the express lane may now take visitors' jobs
                self.peak_running = max(self.peak_running, self.running)
            self._execute(job)

    def _execute(self, job: Job) -> None:
        _current.job = job
        try:
            job.runs += 1
            if job.task is not None and self.process_settings is not None:
                worker = getattr(self._local, "worker", None)
                if worker is None:
                    worker = self._local.worker = _ProcessWorker(self.process_settings)
                priority = job.priority
                try:
                    result = worker.run(job, started=lambda: self._process_started(
                        worker, priority))
                finally:
                    self._process_ended(worker, priority)
            else:
                result = job.run()
        except Exception as exc:  # noqa: BLE001 - a job's failure is reported, not raised
            if not isinstance(exc, JobFailed):  # (a process's failure is logged as it came)
                log.exception("job %s (%s) failed", job.id, job.what)
            error = str(exc) if isinstance(exc, JobFailed) else f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._stopped(job)
                self._finish(job, "failed", error=error)
        else:
            with self._lock:
                self._stopped(job)
                job.result, job.has_result = result, True
                self._finish(job, "done")
                self._release_old_results()
        finally:
            _current.job = None

    # -- warming gives way to visitors -------------------------------------------------
    def _process_started(self, worker: _ProcessWorker, priority: int) -> None:
        """``worker`` now runs a job of ``priority``: a visitor's pauses the processes that
        warm; a warming job starting while a visitor's runs is paused at once."""
        with self._lock:
            self._busy[worker] = priority
            if priority <= PRIORITY_REQUEST:
                for other, other_priority in self._busy.items():
                    if other is not worker and other_priority >= PRIORITY_WARM:
                        other.pause()
            elif priority >= PRIORITY_WARM and self._visitor_running():
                worker.pause()

    def _process_ended(self, worker: _ProcessWorker, priority: int) -> None:
        with self._lock:
            if self._busy.pop(worker, None) is None:
                return  # it never started (its process could not be spawned)
            if priority <= PRIORITY_REQUEST and not self._visitor_running():
                for other in self._busy:
                    other.resume()
            worker.resume()

    def _visitor_running(self) -> bool:
        """Whether a worker process runs a job a visitor waits for (under the lock)."""
        return any(priority <= PRIORITY_REQUEST for priority in self._busy.values())

    def _resume_all(self) -> None:
        with self._lock:
            for worker in self._busy:
                worker.resume()

    def _stopped(self, job: Job) -> None:
        self.running -= 1
        if job.priority >= PRIORITY_WARM:
            self.running_warm -= 1
            if job.task and job.task[0] == "warm":
                self._warming_groups.remove(job.task[1][0])
            self._wake.notify_all()

    def _finish(self, job: Job, state: str, *, error: str | None = None) -> None:
        with job._lock:
            job.state = state
            job.error = error
            job.finished = time.time()
            if state == "done":
                job.progress, job.message = 1.0, "done"
            else:
                job.message = "failed"
        job._done.set()

    def _release_old_results(self) -> None:
        done = [j for j in reversed(self._by_id.values()) if j.has_result]
        for job in done[RESULTS_KEPT:]:
            job.result, job.has_result = None, False

    def _trim(self) -> None:
        finished = [j for j in self._by_id.values() if j.state in ("done", "failed")]
        for job in finished[:max(0, len(finished) - self.history)]:
            self._by_id.pop(job.id, None)
            if self._by_key.get(job.key) is job:
                self._by_key.pop(job.key)

    def close(self) -> None:
        """Stop the workers once their current job ends (queued jobs are dropped)."""
        with self._lock:
            self._closed = True
            self._wake.notify_all()
        self._resume_all()  # a paused process would never end its job


# ----------------------------------------------------------------------------------------
# Asking a question that may be long: the answer now, or a job
# ----------------------------------------------------------------------------------------
def ask(state, name: str, params: Hashable, task: tuple, *, what: str,
        actors: int, wait: float = 0.0, priority: int = PRIORITY_REQUEST,
        render: Callable[[], Any] | None = None, process: bool = True) -> Job | None:
    """``None`` when the answer is ready, else the job computing it.

    The answer is ready when ``(name, params)`` is cached (memory or disk), or once
    ``compute()`` ran in this thread because the graph is small (``actors`` up to the app's
    ``inline_max_actors``), or once the job finished within ``wait`` seconds. ``compute``'s
    value is cached under ``(graph stamp, name, params)``. ``task`` is ``(name, args)`` of
    :mod:`service.tasks`; ``process=False`` keeps it in a thread of the service (for a
    result held in the service's memory).
    """
    from service import tasks

    ctx = state.ctx
    key = ctx.key(name, params)

    def compute():
        return tasks.run(ctx, *task)

    if key in state.cache:
        return None
    if actors <= state.inline_max_actors:
        state.cache.get_or_compute(key, compute)
        return None

    def run():
        stamp = ctx.stamp()
        if stamp != key[0]:
            raise RuntimeError(f"the graph changed (version {key[0]} to {stamp}) before "
                               "this job ran; ask again")
        return state.cache.get_or_compute(key, compute)

    job = state.jobs.submit(key, what, run, priority=priority, render=render,
                            task=task if process else None)
    if wait and job.state in ("queued", "running"):
        job.wait(wait)
    return None if job.state == "done" else job


def group_actors(ctx, ref) -> int:
    """How many actors a group has (the ecosystem's for ``ref=None``): the cheap estimate
    of a computation's cost, read from the cached overview of the loaded data."""
    from service import usecases as uc

    overview = uc.overview(ctx)
    if ref is None:
        return int(overview["counts"]["nodes"].get("Actor", 0))
    if ref.kind == "country":
        return int(next((c["actors"] for c in overview["countries"] if c["id"] == ref.id), 0))
    ids = set(ref.cluster_ids)
    return int(sum(c.get("members") or 0 for c in overview["clusters"] if c["id"] in ids))


# ----------------------------------------------------------------------------------------
# Worker processes
# ----------------------------------------------------------------------------------------
class _ProcessWorker:
    """One worker process (spawned on first use, again if it dies) running tasks sent over
    a pipe; it reports progress and the outcome back over the same pipe, and writes the
    results into the shared disk cache."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.process = None
        self.conn = None
        self.paused = False

    def _ensure(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self.process = context.Process(target=_process_main, args=(self.settings, child),
                                       daemon=True, name="synergraph-job-process")
        self.process.start()
        child.close()
        self.conn = parent

    def start(self) -> None:
        """Spawn the process now rather than on the first job."""
        self._ensure()

    def _signal(self, signum: int) -> bool:
        """Send ``signum`` to the process and the processes it forked (its process group;
        the process itself only, if it has not made its group yet)."""
        process = self.process
        if process is None or process.pid is None:
            return False
        try:
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signum)
            else:
                os.kill(process.pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def pause(self) -> None:
        """Stop the process (and its forked children) until :meth:`resume`."""
        if not self.paused and self._signal(signal.SIGSTOP):
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self._signal(signal.SIGCONT)

    def run(self, job: Job, started: Callable[[], None] | None = None):
        self._ensure()
        if started is not None:
            started()
        self.conn.send((job.key, job.task))
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                self.process = None
                raise RuntimeError("the worker process stopped before the end (out of "
                                   "memory?)") from None
            if message[0] == "progress":
                job.update(message[1], message[2])
            elif message[0] == "done":
                return message[1]
            else:
                log.error("job %s (%s) failed in its process:\n%s", job.id, job.what,
                          message[2])
                raise JobFailed(message[1])


class JobFailed(RuntimeError):
    """A job's computation failed in its worker process (the message names the error)."""

    def __str__(self) -> str:
        return self.args[0]


class _PipeReporter:
    """:func:`report` inside a worker process: progress goes back over the pipe."""

    def __init__(self, conn):
        self.conn = conn

    def update(self, message: str, fraction: float | None = None) -> None:
        self.conn.send(("progress", str(message), fraction))


@contextlib.contextmanager
def _earlier_jobs_frozen():
    """Run a job with what earlier jobs left in memory (the ecosystem's records and graph:
    millions of objects at H2020 size) out of the cyclic collector's sight, so that its full
    collections during this job scan only this job's objects (the largest country's figures
    after the ecosystem's: 4.7 s of CPU, 4.0 s this way). They are put back after the job:
    garbage among them is still collected, later."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _process_main(settings: dict, conn) -> None:
    """A worker process: its own Neo4j driver and memory cache, the service's disk cache."""
    import traceback

    from service import tasks
    from service.db import make_store
    from service.forking import cpu_workers, die_with_parent
    from service.state import DiskCache, ResultCache
    from service.usecases import Context

    # its own process group, which the service pauses and resumes as one (it and the
    # children it forks: service.jobs.JobRunner), and never left behind paused
    os.setpgid(0, 0)
    die_with_parent()
    store = make_store(settings)
    cache = ResultCache(settings.get("SYNERGRAPH_CACHE_ENTRIES") or 256,
                        max_bytes=settings.get("SYNERGRAPH_CACHE_MAX_BYTES"),
                        disk=DiskCache(settings["SYNERGRAPH_CACHE_DIR"]))
    # A worker process runs one job at a time, in one thread: the independent parts of a
    # large group's figures may run side by side in forked children (figures._side).
    ctx = Context(store, cache, workers=cpu_workers())
    _current.job = _PipeReporter(conn)
    try:
        while True:
            try:
                key, task = conn.recv()
            except (EOFError, OSError):
                return
            try:
                stamp = ctx.stamp()
                if stamp != key[0]:
                    raise RuntimeError(f"the graph changed (version {key[0]} to {stamp}) "
                                       "before this job ran; ask again")
                with _earlier_jobs_frozen():
                    cache.get_or_compute(key, lambda task=task: tasks.run(ctx, *task))
                conn.send(("done", True))
            except Exception as exc:  # noqa: BLE001 - reported to the service
                conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        store.close()
