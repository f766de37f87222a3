"""GraphStore: the only code that talks to the Neo4j driver.

It receives a driver and a database name, never builds a driver itself. Writes run as one
managed write transaction of batched ``UNWIND`` statements (the driver retries the whole
transaction on transient errors), so a load is all-or-nothing: a failure anywhere leaves
the graph exactly as it was. Rows are upserted (MERGE), except where the graph held no node
of the labels concerned when the transaction started: those rows are all new and are
created (CREATE), which gives the same graph faster. Reads run as read transactions.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter

from neo4j import Driver, RoutingControl
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    ConstraintError,
    DatabaseUnavailable,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from . import queries as q
from ._gc import without_cyclic_gc
from .model import NODE_LABELS, REL_TYPES, Dataset

__all__ = ["DATABASE_ERRORS", "UNAVAILABLE_ERRORS", "GraphStore", "LoadReport",
           "planned_ahead"]

#: What a failing database raises (unreachable server, refused statement, lost connection),
#: so that callers can report it without importing the driver.
DATABASE_ERRORS: tuple[type[Exception], ...] = (Neo4jError, DriverError)
#: The errors that mean the database cannot be reached right now (answer 503, retry later):
#: callers catch these without importing the driver.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailable, SessionExpired, DatabaseUnavailable, ConnectionAcquisitionTimeoutError)

_TARGET_OF_LABEL = {
    "Region": "regions",
    "Niche": "niches",
    "Programme": "programmes",
    "Cluster": "clusters",
    "Actor": "actors",
    "Project": "projects",
    "Target": "targets",
    "Output": "outputs",
}
_LABEL_OF_TARGET = {target: label for label, target in _TARGET_OF_LABEL.items()}
_LINK_FIELDS: dict[str, set[str]] = defaultdict(set)
for _target, _label, _field, *_rest in q.NODE_LINKS:
    _LINK_FIELDS[_target].add(_field)
#: Every key by which a record names a node: its own id, the links it carries and the two
#: ends of a relationship (a placeholder row holding them all yields every step of a plan).
_REFERENCE_KEYS = ("id", *sorted(
    {field_name for fields in _LINK_FIELDS.values() for field_name in fields}
    | {key for *_rest, start_key, end_key, _query in q.REL_UPSERTS
       for key in (start_key, end_key)}))


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class LoadReport:
    """What a load did (or, for a dry run, would do): rows created / updated / unchanged /
    deleted per label and relationship type, with up to N example ids of each.

    A sync adds ``released`` (a row this source let go of that another source still holds:
    it stays, without this source's own properties) and ``kept`` (a node only this source
    held, no longer in its input, that a relationship still points at: it stays).
    """

    source: str
    load_id: str
    nodes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    relationships: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0
    graph_version: int | None = None
    sync: bool = False
    dry_run: bool = False
    #: ``{"nodes" | "relationships": {name: {status: [example ids]}}}``
    examples: dict[str, dict[str, dict[str, list[str]]]] = field(
        default_factory=lambda: {"nodes": {}, "relationships": {}})

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] or c["deleted"] or c["released"]
                   for c in (*self.nodes.values(), *self.relationships.values()))

    def count(self, kind: str, name: str, status: str, rows: int,
              examples: list | None = None, limit: int = 0, *, zero: bool = True) -> None:
        """Add ``rows`` of ``status`` (and their first examples, up to ``limit``); with
        ``zero=False`` a count of 0 leaves no trace."""
        if not rows and not zero:
            return
        table = self.nodes if kind == "nodes" else self.relationships
        table[name][status] += rows
        if examples and limit > 0:
            kept = self.examples[kind].setdefault(name, {}).setdefault(status, [])
            kept.extend(str(e) for e in examples[: max(0, limit - len(kept))])

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "load_id": self.load_id,
            "seconds": round(self.seconds, 3),
            "graph_version": self.graph_version,
            "sync": self.sync,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "nodes": {k: dict(v) for k, v in self.nodes.items()},
            "relationships": {k: dict(v) for k, v in self.relationships.items()},
            "examples": {kind: {name: dict(v) for name, v in table.items() if v}
                         for kind, table in self.examples.items()},
        }

    def __str__(self) -> str:
        mode = " (dry run: nothing written)" if self.dry_run else ""
        lines = [f"{'Sync' if self.sync else 'Load'} {self.load_id} from {self.source}: "
                 f"{self.seconds:.1f} s{mode}"]
        tables = (("nodes", self.nodes), ("relationships", self.relationships))
        statuses = ["created", "updated", "unchanged", "deleted"]
        statuses += [extra for extra in ("released", "kept")
                     if any(c[extra] for _, t in tables for c in t.values())]
        lines.append(f"  {'':24}" + "".join(f"{s:>11}" for s in statuses))
        for title, table in tables:
            for name in sorted(table):
                c = table[name]
                lines.append(f"  {title[:4]} {name:<19}"
                             + "".join(f"{c[s]:>11}" for s in statuses))
        for title, table in tables:
            for name in sorted(self.examples[title]):
                for status in statuses:
                    ids = self.examples[title][name].get(status)
                    if ids:
                        lines.append(f"  {name} {status}: {', '.join(ids)}"
                                     + (" ..." if table[name][status] > len(ids) else ""))
        if not self.changed:
            lines.append("  nothing changed: the graph already held this input")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Step:
    """One statement of a load: ``query`` (an upsert) over ``rows``, in batches; ``fast``
    (a plain CREATE, or None) replaces it when the graph holds no node of the labels
    ``empty`` when the load's transaction starts."""

    step: tuple[str, str]
    query: str
    rows: list[dict]
    empty: tuple[str, ...]
    fast: str | None

    def statement(self, empty: frozenset[str]) -> str:
        """The statement to run when the graph holds no node of the labels ``empty``."""
        return self.fast if self.fast and empty.issuperset(self.empty) else self.query


def _unique(rows: list[dict], *keys: str) -> bool:
    """Whether no two rows share their ``keys``."""
    key = itemgetter(*keys)
    return len({key(row) for row in rows}) == len(rows)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value) -> bool:
    """Whether ``value`` holds only scalars, lists and maps (no node, path or temporal)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list:
        return all(map(_plain, value))
    if kind is dict:
        return all(map(_plain, value.values()))
    return False


def _as_dict(record) -> dict:
    """``record.data()``, without its per-value conversion when every value is plain.

    The driver's ``data()`` rebuilds every list and map of a record value by value (5 of
    the 6.8 s that the E-I neighbourhood of the largest H2020 country took to read); plain
    values need no conversion, so a record that holds nothing else is taken as it is.
    """
    values = record.values()
    if all(map(_plain, values)):
        return dict(zip(record.keys(), values, strict=True))
    return record.data()


class _Rows(list):
    """A batch of rows as the driver sends it (a list), with a short ``repr``.

    The driver (neo4j 6.x, ``Bolt5x5.run``) formats every statement's parameters for its
    debug log even when debug logging is off: the 20,000 rows of a batch took 0.1 s to
    format, 2 s of Python time in a whole-H2020 load while the server waited. A list
    subclass packs exactly as a list does.

    >>> rows = _Rows([{"id": "a"}, {"id": "b"}])
    >>> repr({"rows": rows}), rows == [{"id": "a"}, {"id": "b"}]
    ("{'rows': <2 rows>}", True)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _batches(rows: list, size: int) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield _Rows(rows[start : start + size])


@contextmanager
def planned_ahead(store: GraphStore, targets: Iterable[str]) -> Iterator[None]:
    """While the body runs (a load reading and checking its files, which leaves the server
    idle for seconds), plan the statements the load will run in a background thread
    (:meth:`GraphStore.plan_ahead`). Best effort: a database that cannot be reached is the
    load's own error to report, not this one's. Leaving waits for the statement being
    planned, if any (a second at most; 5 s before giving up on it).
    """
    stop = threading.Event()

    def run() -> None:
        try:
            store.plan_ahead(tuple(targets), stop)
        except DATABASE_ERRORS:
            pass

    thread = threading.Thread(target=run, name="synergraph-plan-ahead", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


class GraphStore:
    """Gateway to the graph: batched idempotent upserts and read projections."""

    def __init__(self, driver: Driver, database: str = "neo4j", *, batch_size: int = 20000):
        self.driver = driver
        self.database = database
        self.batch_size = int(batch_size)

    # -- lifetime --------------------------------------------------------------------
    def close(self) -> None:
        """Close the driver (idempotent). ``with GraphStore(...) as store:`` calls it."""
        self.driver.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def verify_connectivity(self) -> None:
        """Raise one of :data:`DATABASE_ERRORS` unless the server answers."""
        self.driver.verify_connectivity()

    # -- plumbing --------------------------------------------------------------------
    def _read(self, query: str, **params) -> list[dict]:
        records, _, _ = self.driver.execute_query(
            query, params, database_=self.database, routing_=RoutingControl.READ
        )
        return [_as_dict(record) for record in records]

    # -- schema ----------------------------------------------------------------------
    def migrate(self) -> dict:
        """Create every constraint and index (idempotent); wait until they are online."""
        with self.driver.session(database=self.database) as session:
            for statement in (*q.CONSTRAINTS, *q.INDEXES):
                session.run(statement).consume()
            session.run(q.AWAIT_INDEXES, timeout_s=300).consume()
        return {
            "constraints": [r["name"] for r in self._read(q.SHOW_CONSTRAINTS)],
            "indexes": [r["name"] for r in self._read(q.SHOW_INDEXES)],
        }

    # -- writes ----------------------------------------------------------------------
    @without_cyclic_gc
    def write(
        self,
        dataset: Dataset,
        *,
        kind: str,
        synthetic: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        sync: bool = False,
        dry_run: bool = False,
        examples: int = 0,
        by: str | None = None,
        via: str = "python",
    ) -> LoadReport:
        """Write a validated dataset in one transaction; return what changed.

        ``progress(step, done, total)`` is called after every batch. With ``sync``, the
        rows of ``dataset.source`` that the dataset does not hold are then deleted (or
        released, when another source holds them too: see :class:`LoadReport`). With
        ``dry_run``, the very same statements run in a transaction that is rolled back:
        the report says what the load would do and nothing is written. ``examples`` ids
        of each status are kept per label and type. Every load that runs is recorded in
        the load history (:meth:`load_runs`) with ``by`` (who) and ``via`` (cli, web...).
        """
        loaded_at = utc_now()
        started = time.monotonic()
        common = {"source": dataset.source, "load_id": dataset.load_id}
        plan = self._plan(dataset)
        total = sum(len(step.rows) for step in plan)
        keys = self._written_keys(plan)
        examples = max(0, int(examples))

        def work(tx) -> LoadReport:
            report = LoadReport(dataset.source, dataset.load_id, sync=sync, dry_run=dry_run)
            fast = fast_path and any(plan_step.fast for plan_step in plan)
            empty = self._empty(tx) if fast else frozenset()
            done = 0

            def settle(result, step: tuple[str, str], size: int) -> None:
                """Count what a batch did, from its result."""
                nonlocal done
                kind_of_step, name = step
                table = "nodes" if kind_of_step == "node" else "relationships"
                records = list(result)
                counters = result.consume().counters
                if records and "status" in records[0].keys():
                    for record in records:
                        report.count(table, name, record["status"], record["rows"],
                                     record["examples"], examples)
                else:
                    report.count(table, name, "created", counters.relationships_created)
                    report.count(table, name, "deleted", counters.relationships_deleted)
                done += size
                if progress:
                    progress(f"{name}", done, total)

            # Each batch is sent before the previous one's result is read: the driver packs
            # it (0.1 s per 20,000 rows) while the server runs the previous batch, and the
            # server runs them in order. A batch that fails fails the transaction, and the
            # error is raised by the next send or read.
            sent = None
            for plan_step in plan:
                query = plan_step.statement(empty)
                for batch in _batches(plan_step.rows, self.batch_size):
                    result = tx.run(query, rows=batch, examples=examples, **common)
                    if sent is not None:
                        settle(*sent)
                    sent = (result, plan_step.step, len(batch))
            if sent is not None:
                settle(*sent)
            if sync:
                self._sync(tx, report, dataset, keys, examples)
            report.seconds = time.monotonic() - started
            if dry_run:
                return report
            tx.run(
                q.RECORD_LOAD,
                attribution=dataset.attribution,
                kind=kind,
                synthetic=synthetic,
                records=total,
                seconds=round(report.seconds, 3),
                keys=sorted(keys),
                loaded_at=loaded_at,
                **common,
            ).consume()
            if report.changed:
                record = tx.run(q.BUMP_GRAPH_VERSION, now=loaded_at).single()
                report.graph_version = record["version"]
            else:
                report.graph_version = (tx.run(q.GRAPH_VERSION).single() or {"version": 0}
                                        )["version"]
            self._record_run(tx, report, kind=kind, synthetic=synthetic, by=by, via=via)
            return report

        fast_path = True
        with self.driver.session(database=self.database) as session:
            if dry_run:
                with session.begin_transaction() as tx:
                    try:
                        report = work(tx)
                    finally:
                        tx.rollback()
            else:
                try:
                    report = session.execute_write(work)
                except ConstraintError:
                    # Another load created nodes of a label this load found empty (two
                    # first loads at once): nothing was written; upsert instead.
                    fast_path = False
                    report = session.execute_write(work)
        if report.graph_version is None:
            report.graph_version = self.graph_version()
        report.seconds = time.monotonic() - started
        return report

    def plan_ahead(self, targets: Iterable[str], stop: threading.Event | None = None
                   ) -> list[tuple[str, str]]:
        """Have the server plan the statements that a load of the dataset lists ``targets``
        runs (``EXPLAIN``: nothing runs, nothing is written), the fast twin where the graph
        holds no node of a step's labels; stop before the next statement once ``stop`` is
        set. Return the steps planned.

        A fresh server takes 0.2-0.5 s to plan each statement of a load, its planner's code
        not yet compiled; a load that reads its files meanwhile (:func:`planned_ahead`)
        finds the planner compiled. Not the plans themselves: ``EXPLAIN`` caches its plans
        apart, and the cache also keys a list parameter by its size (a placeholder row of a
        statement that then runs in a rolled-back transaction was cached apart from the
        load's 20,000-row batches too, ``db.clearQueryCaches()`` counts told).
        """
        placeholder = dict.fromkeys(_REFERENCE_KEYS, "_")
        dataset = Dataset(source="", load_id="",
                          **{target: [dict(placeholder)] for target in targets})
        params = {"examples": 0, "source": "", "load_id": ""}
        planned = []
        with self.driver.session(database=self.database) as session:
            empty = self._empty(session)
            for plan_step in self._plan(dataset):
                if stop is not None and stop.is_set():
                    break
                query = plan_step.statement(empty)
                session.run("EXPLAIN " + query, rows=_Rows(plan_step.rows), **params).consume()
                planned.append(plan_step.step)
        return planned

    # -- sync and the load history (load --sync, --dry-run) -------------------------------
    @staticmethod
    def _empty(tx) -> frozenset[str]:  # a transaction, or a session (plan_ahead)
        """The labels the graph holds no node of (from the count store, which sees the
        transaction's own writes)."""
        in_use = {record["name"] for record in tx.run(q.COUNT_LABELS) if record["n"] > 0}
        return frozenset(set(NODE_LABELS) - in_use)

    @staticmethod
    def _written_keys(plan) -> set[str]:
        """The property keys a load writes: ``"Label.key"`` and ``"TYPE.key"``."""
        keys: set[str] = set()
        for plan_step in plan:
            _kind, name = plan_step.step
            seen: set[str] = set()
            for row in plan_step.rows:
                if "props" in row:
                    seen.update(row["props"])
            keys.update(f"{name}.{k}" for k in seen)
        return keys

    def _sync(self, tx, report: LoadReport, dataset: Dataset, keys_now: set[str],
              examples: int) -> None:
        """Delete (or release) the rows of ``dataset.source`` that this load did not write.

        Runs in the load's transaction, after its upserts: every row of the source that the
        input holds carries this load's id by then, so the others are exactly the rows the
        input no longer holds. Relationships go first, so that a node is deleted only when
        nothing else still holds it.
        """
        source = dataset.source
        by_source: dict[str, set[str] | None] = {}
        latest: dict[str, str] = {}
        for load in tx.run(q.SYNC_LOADS).data():
            name = load["source"]
            if name is None:
                continue
            latest[name] = load["id"]
            if load["keys"] is None:
                by_source[name] = None  # recorded before sync: its keys are unknown
            elif by_source.get(name, set()) is not None:
                by_source[name] = by_source.get(name, set()) | set(load["keys"])
        mine_all = keys_now | (by_source.get(source) or set())
        latest[source] = dataset.load_id

        def params(name: str) -> dict:
            prefix = name + "."
            return {
                "source": source, "load_id": dataset.load_id, "examples": examples,
                "latest": latest,
                "mine": sorted(k[len(prefix):] for k in mine_all if k.startswith(prefix)),
                "keys": {other: (None if ks is None else
                                 sorted(k[len(prefix):] for k in ks if k.startswith(prefix)))
                         for other, ks in by_source.items() if other != source},
            }

        def run(kind: str, name: str, query: str, status: str | None) -> None:
            for record in tx.run(query, **params(name)):
                report.count(kind, name, status or record["status"], record["rows"],
                             record["examples"], examples, zero=False)

        for (rel, _start, _end), (delete, release) in q.SYNC_RELS.items():
            run("relationships", rel, delete, "deleted")
            run("relationships", rel, release, "released")
        for label in reversed(NODE_LABELS):
            delete, release = q.SYNC_NODES[label]
            run("nodes", label, release, "released")
            run("nodes", label, delete, None)

    def _record_run(self, tx, report: LoadReport, *, kind: str, synthetic: bool,
                    by: str | None, via: str) -> None:
        """Add the load to the history (a LoadRun node with its diff)."""
        diff = report.as_dict()
        tx.run(
            q.RECORD_LOAD_RUN,
            run_id=uuid.uuid4().hex,
            load_id=report.load_id,
            source=report.source,
            kind=kind,
            at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            by=by,
            via=via,
            sync=report.sync,
            synthetic=synthetic,
            seconds=round(report.seconds, 3),
            changed=report.changed,
            graph_version=report.graph_version,
            diff=json.dumps({k: diff[k] for k in ("nodes", "relationships", "examples")},
                            sort_keys=True),
        ).consume()

    def load_runs(self, *, skip: int = 0, limit: int = 20) -> tuple[int, list[dict]]:
        """``(total, runs)``: a page of the load history, newest first; each run's
        ``diff`` is ``{"nodes": ..., "relationships": ..., "examples": ...}``."""
        row = self._read(q.LOAD_RUNS_PAGE, skip=int(skip), limit=int(limit))[0]
        runs = []
        for item in row["items"]:
            run = dict(item)
            run["diff"] = json.loads(run.get("diff") or "{}")
            runs.append(run)
        return row["total"], runs

    def _plan(self, dataset: Dataset) -> list[_Step]:
        """Statements to run, in order, each with its rows shaped for its parameters.

        A step has a fast twin (a plain CREATE) when its rows hold each key once: the load
        takes it when the graph holds no node of the step's labels when the transaction
        starts (nodes and the links they carry: their label; relationships: both ends'),
        so that every row is new. Should another load create such nodes meanwhile, the
        uniqueness constraint on ids refuses one of the two, which then upserts.
        """
        plan: list[_Step] = []
        for label in NODE_LABELS:
            target = _TARGET_OF_LABEL[label]
            skip = _LINK_FIELDS[target] | {"id"}
            rows = [
                {"id": r["id"], "props": {k: v for k, v in r.items() if k not in skip}}
                for r in getattr(dataset, target)
            ]
            if rows:
                plan.append(_Step(("node", label), q.UPSERT_NODES[label], rows, (label,),
                                  q.CREATE_NODES[label] if _unique(rows, "id") else None))
        for target, label, field_name, rel, other, outgoing, query in q.NODE_LINKS:
            records = getattr(dataset, target)
            rows = [{"id": r["id"], "ref": r.get(field_name)} for r in records]
            if target == "targets":  # a target hangs off a cluster or a programme
                rows = [row for row, r in zip(rows, records, strict=True)
                        if r.get(field_name) is not None]
            if rows:
                fast = q.CREATE_LINKS[label, rel, other, outgoing]
                plan.append(_Step(("rel", rel), query, rows, (label,),
                                  fast if _unique(rows, "id") else None))
        for target, start, rel, end, start_key, end_key, query in q.REL_UPSERTS:
            skip = {"actor_id", "cluster_id", "project_id", "programme_id", "niche_id"}
            rows = [
                {"start": r[start_key], "end": r[end_key],
                 "props": {k: v for k, v in r.items() if k not in skip}}
                for r in getattr(dataset, target)
                if r.get(start_key) is not None
            ]
            if rows:
                plan.append(_Step(("rel", rel), query, rows, (start, end),
                                  q.CREATE_RELS[start, rel, end]
                                  if _unique(rows, "start", "end") else None))
        return plan

    def delete_all(self) -> int:
        """Remove every node and relationship (constraints stay). Tests and resets only."""
        total = 0
        while True:
            records, _, _ = self.driver.execute_query(
                q.DELETE_ALL_BATCH, {"limit": 20000}, database_=self.database
            )
            deleted = records[0]["deleted"]
            total += deleted
            if deleted == 0:
                return total

    # -- reads -----------------------------------------------------------------------
    def graph_version(self) -> int:
        rows = self._read(q.GRAPH_VERSION)
        return rows[0]["version"] if rows else 0

    def graph_stamp(self) -> str:
        """The graph version and a short hash of when it was set (``"12-3fa9c1d0"``; ``"0"``
        for an empty database): results cached under one stamp belong to one state of the
        graph, even when the version counter restarts after the database was emptied."""
        import hashlib

        rows = self._read(q.GRAPH_STAMP)
        if not rows or rows[0]["version"] is None:
            return "0"
        when = hashlib.sha256(str(rows[0]["updated_at"]).encode("utf-8")).hexdigest()[:8]
        return f"{rows[0]['version']}-{when}"

    def existing_ids(self, target: str, ids: set[str]) -> set[str]:
        """Which of ``ids`` exist as nodes of the dataset list ``target`` (e.g. 'actors')."""
        label = _LABEL_OF_TARGET[target]
        return {r["id"] for r in self._read(q.EXISTING_IDS[label], ids=sorted(ids))}

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per label and relationships per type (data only, no bookkeeping)."""
        nodes = {r["name"]: r["n"] for r in self._read(q.COUNT_LABELS)}
        rels = {r["name"]: r["n"] for r in self._read(q.COUNT_REL_TYPES)}
        return {"nodes": {k: nodes.get(k, 0) for k in NODE_LABELS},
                "relationships": {k: rels.get(k, 0) for k in REL_TYPES}}

    def clusters_overview(self) -> list[dict]:
        out = []
        for row in self._read(q.CLUSTERS_OVERVIEW):
            cluster = dict(row["cluster"])
            cluster.update(
                region=row["region"],
                members=row["members"],
                kinds=dict(sorted(Counter(row["kinds"]).items())),
                synthetic_members=row["synthetic_members"],
                projects=row["projects"],
                niches=sorted(row["niches"]),
            )
            out.append(cluster)
        return out

    def countries_overview(self) -> list[dict]:
        return self._read(q.COUNTRIES_OVERVIEW)

    def cluster(self, cluster_id: str) -> dict | None:
        rows = self._read(q.CLUSTER_BY_ID, id=cluster_id)
        if not rows:
            return None
        cluster = dict(rows[0]["cluster"])
        cluster["region"] = rows[0]["region"]
        cluster["niches"] = sorted(rows[0]["niches"], key=lambda n: n["name"])
        return cluster

    def country(self, country_id: str) -> dict | None:
        rows = self._read(q.COUNTRY_BY_ID, id=country_id)
        return dict(rows[0]["country"]) if rows else None

    def group_actors(self, *, cluster_id: str | None = None,
                     country_id: str | None = None) -> list[dict]:
        """Actors of a cluster (its members) or of a country (located in it)."""
        if (cluster_id is None) == (country_id is None):
            raise ValueError("give exactly one of cluster_id and country_id")
        if cluster_id is not None:
            rows = self._read(q.CLUSTER_MEMBERS, id=cluster_id)
        else:
            rows = self._read(q.COUNTRY_ACTORS, id=country_id)
        actors = []
        for row in rows:
            actor = dict(row["actor"])
            actor["since"] = row["since"]
            actor["clusters"] = sorted(row["clusters"])
            actors.append(actor)
        return actors

    def participations_of(self, actor_ids: Iterable[str]) -> list[dict]:
        """Every PARTICIPATES_IN of the given actors, with the project's years, sorted by
        actor and project (as :meth:`all_participations`)."""
        rows = self._read(q.PARTICIPATIONS_OF_ACTORS, ids=sorted(set(actor_ids)))
        rows.sort(key=lambda r: (r["actor_id"], r["project_id"]))
        return rows

    def region_countries(self) -> dict[str, tuple[str, ...]]:
        """Region id -> the ids of the countries it lies in (as :meth:`group_actors` with
        ``country_id`` finds a country's actors)."""
        return {r["region"]: tuple(sorted(r["countries"]))
                for r in self._read(q.REGION_COUNTRIES)}

    def all_actors(self) -> list[dict]:
        """Every actor with its clusters and region id (the whole-ecosystem projection),
        in id order."""
        out = []
        for record, region_id, clusters in self._read(q.ALL_ACTORS)[0]["rows"]:
            actor = dict(record)
            actor["region_id"] = region_id
            actor["clusters"] = sorted(clusters)
            out.append(actor)
        return out

    def all_participations(self) -> list[dict]:
        """Every participation: ``actor_id``, ``project_id``, ``role`` and the project's
        ``start_year``, ``end_year`` and ``programmes`` (read in one row, joined here),
        sorted by actor and project."""
        project = {pid: (start, end, programmes) for pid, start, end, programmes
                   in self._read(q.PROJECT_ROWS)[0]["rows"]}
        out = []
        for actor_id, project_id, role in self._read(q.ALL_PARTICIPATIONS)[0]["rows"]:
            start, end, programmes = project[project_id]
            out.append({"actor_id": actor_id, "project_id": project_id, "role": role,
                        "start_year": start, "end_year": end, "programmes": programmes})
        # a fixed order, whatever order the database returns: the same data gives the same
        # projection, to the last bit of every figure
        out.sort(key=lambda r: (r["actor_id"], r["project_id"]))
        return out

    def project_programme_parts(self) -> list[dict]:
        """Every project's id, CORDIS ``legal_basis`` (programme parts) and start year."""
        return [{"project_id": pid, "legal_basis": legal_basis, "start_year": start}
                for pid, legal_basis, start in self._read(q.PROJECT_PROGRAMME_PARTS)[0]["rows"]]

    def project_participants(self, project_ids: Iterable[str]) -> list[dict]:
        """Every participant of the given projects, with kind, country and clusters."""
        rows = self._read(q.PROJECT_PARTICIPANTS, ids=sorted(set(project_ids)))
        for row in rows:
            row["clusters"] = sorted(row["clusters"])
        return rows

    def projects(self, project_ids: Iterable[str]) -> list[dict]:
        out = []
        for row in self._read(q.PROJECTS_BY_ID, ids=sorted(set(project_ids))):
            project = dict(row["project"])
            project["fundings"] = row["fundings"]
            out.append(project)
        return out

    def cluster_targets(self, cluster_id: str) -> list[dict]:
        return [r["target"] for r in self._read(q.CLUSTER_TARGETS, id=cluster_id)]

    def cluster_outputs(self, cluster_id: str) -> list[dict]:
        return [r["output"] for r in self._read(q.CLUSTER_OUTPUTS, id=cluster_id)]

    def cluster_member_locations(self, cluster_id: str) -> list[dict]:
        return self._read(q.CLUSTER_MEMBER_LOCATIONS, id=cluster_id)

    def programme_targets(self) -> list[dict]:
        """Targets set at programme level (e.g. the clusters' joint commitment)."""
        return self._read(q.PROGRAMME_TARGETS)

    def actors_page(self, *, skip: int, limit: int, kind: str | None = None,
                    country: str | None = None, cluster: str | None = None,
                    text: str | None = None) -> tuple[int, list[dict]]:
        """``(total, items)``: a page of actors in id order, filtered."""
        row = self._read(q.ACTORS_PAGE, skip=skip, limit=limit, kind=kind, country=country,
                         cluster=cluster, text=text)[0]
        return row["total"], row["items"]

    def projects_page(self, *, skip: int, limit: int, year: int | None = None,
                      cluster: str | None = None, text: str | None = None
                      ) -> tuple[int, list[dict]]:
        """``(total, items)``: a page of projects in id order, filtered."""
        row = self._read(q.PROJECTS_PAGE, skip=skip, limit=limit, year=year,
                         cluster=cluster, text=text)[0]
        return row["total"], row["items"]

    def loads(self) -> list[dict]:
        return [r["load"] for r in self._read(q.LOADS)]

    # -- a group's neighbourhood --------------------------------------------------------
    def neighbourhood(self, actor_ids: Iterable[str]) -> tuple[list[dict], list[dict]]:
        """The actors (``id``, ``kind``) and participations (as :meth:`all_participations`)
        of every project the given actors take part in, partners outside them included."""
        rows = self._read(q.NEIGHBOURHOOD_PARTICIPATIONS, ids=sorted(set(actor_ids)))[0]["rows"]
        actors: dict[str, dict] = {}
        out = []
        for actor_id, kind, project_id, role, start, end, programmes in rows:
            actors.setdefault(actor_id, {"id": actor_id, "kind": kind})
            out.append({"actor_id": actor_id, "project_id": project_id, "role": role,
                        "start_year": start, "end_year": end, "programmes": programmes})
        out.sort(key=lambda r: (r["actor_id"], r["project_id"]))
        return [actors[k] for k in sorted(actors)], out

    # -- explorer pages -----------------------------------------------------------------
    def actor_detail(self, actor_id: str) -> dict | None:
        """The actor's properties, region, clusters (with ``since``) and niches, or None."""
        rows = self._read(q.ACTOR_DETAIL, id=actor_id)
        if not rows:
            return None
        row = rows[0]
        actor = dict(row["actor"])
        actor["region"] = row["region"]
        actor["clusters"] = sorted(row["clusters"], key=lambda c: str(c["name"]))
        actor["niches"] = sorted(row["niches"], key=lambda n: str(n["name"]))
        return actor

    def actor_projects(self, actor_id: str) -> list[dict]:
        """The actor's projects, newest first, with its role and the number of participants."""
        return self._read(q.ACTOR_PROJECTS, id=actor_id)

    def project_detail(self, project_id: str) -> dict | None:
        """The project's properties, fundings and consortium (kinds, countries, clusters)."""
        rows = self._read(q.PROJECT_DETAIL, id=project_id)
        if not rows:
            return None
        row = rows[0]
        project = dict(row["project"])
        project["fundings"] = sorted(row["fundings"],
                                     key=lambda f: (str(f["name"]), f["year"] or 0))
        project["participants"] = sorted(
            row["participants"], key=lambda p: (p["role"] != "coordinator", str(p["name"])))
        return project

    # -- exports ------------------------------------------------------------------------
    def _read_rows(self, query: str) -> list:
        """The ``rows`` list of a statement's one record (its values as the driver gives
        them: the exports' statements return properties, which are plain values)."""
        records, _, _ = self.driver.execute_query(
            query, database_=self.database, routing_=RoutingControl.READ)
        return records[0]["rows"] if records else []

    def export_nodes(self) -> dict[str, dict[str, dict]]:
        """Every data node: ``{label: {id: every property}}``, labels of the model, ids in
        order."""
        return {label: {props["id"]: props
                        for props in sorted(self._read_rows(query), key=itemgetter("id"))}
                for label, query in q.EXPORT_NODES.items()}

    def export_relationships(self) -> list[tuple[str, str, str, str, str, dict]]:
        """Every data relationship: ``(type, start label, start id, end label, end id,
        every property)``, in the model's order, then by start and end id."""
        out = []
        for (rel, start, end), query in q.EXPORT_RELS.items():
            rows = self._read_rows(query)
            rows.sort(key=itemgetter(0, 1))
            out.extend((rel, start, a, end, b, props) for a, b, props in rows)
        return out

    def export_loads(self) -> list[dict]:
        """``source``, ``attribution`` and ``synthetic`` of every load, by load id."""
        return self._read(q.EXPORT_LOADS)

    # -- the read-only Cypher console (graph_schema/console.py) ------------------------
    def run_user_read(
        self,
        query: str,
        parameters: dict,
        *,
        timeout_s: float,
        check_plan: Callable[[dict, str | None], None],
        consume: Callable[[list[str], Iterable[list]], object],
        fetch_size: Callable[[], int] | None = None,
    ) -> object:
        """Run a user's query read-only: EXPLAIN it, let ``check_plan`` refuse it, run it.

        Both steps run in one session opened with ``default_access_mode=READ_ACCESS``, each
        in its own transaction with a server-side timeout of ``timeout_s`` and never retried
        (a user's query that fails, e.g. out of memory, is not run again).
        ``check_plan(plan, query_type)`` gets the plan of ``EXPLAIN <query>`` (nothing runs)
        and raises to refuse the query. ``consume(columns, records)`` then reads the records
        (lists of values) one at a time and returns what this method returns; it may stop
        early, and the rest of the result is discarded. ``fetch_size()``, asked after every
        record, says how many records the next round trip fetches (it bounds the memory
        held by records not read yet). Neo4j errors propagate unchanged.
        """
        import neo4j  # here, so that this block stays one hunk

        query_text = str(query)
        first_batch = max(1, int(fetch_size())) if fetch_size else 1000
        with self.driver.session(database=self.database,
                                 default_access_mode=neo4j.READ_ACCESS,
                                 fetch_size=first_batch) as session:
            with session.begin_transaction(timeout=float(timeout_s)) as tx:
                summary = tx.run(q.CONSOLE_EXPLAIN_PREFIX + query_text, parameters).consume()
            check_plan(summary.plan or {}, summary.query_type)
            with session.begin_transaction(timeout=float(timeout_s)) as tx:
                result = tx.run(query_text, parameters)

                def records():
                    for record in result:
                        yield list(record.values())
                        if fetch_size is not None and hasattr(result, "_fetch_size"):
                            # The driver reads this before each PULL (no public API).
                            result._fetch_size = max(1, int(fetch_size()))

                value = consume(list(result.keys()), records())
                result.consume()  # discards what consume() did not read
            return value

    def console_schema(self) -> dict:
        """Labels and relationship types with their counts, and every property key."""
        label_counts = {r["label"]: r["count"] for r in self._read(q.CONSOLE_LABEL_COUNTS)}
        type_counts = {r["type"]: r["count"] for r in self._read(q.CONSOLE_REL_TYPE_COUNTS)}
        labels = {r["label"] for r in self._read(q.CONSOLE_LABELS)}
        types = {r["type"] for r in self._read(q.CONSOLE_REL_TYPES)}
        keys = {r["propertyKey"] for r in self._read(q.CONSOLE_PROPERTY_KEYS)}
        return {
            "labels": [{"name": name, "count": label_counts.get(name, 0)}
                       for name in sorted(labels | set(label_counts))],
            "relationship_types": [{"name": name, "count": type_counts.get(name, 0)}
                                   for name in sorted(types | set(type_counts))],
            "property_keys": sorted(keys),
        }
