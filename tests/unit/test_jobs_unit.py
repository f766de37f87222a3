"""The job runner and the results cache, without a database: deduplication, the worker
limit, failures, progress, graph versions; computing a missing result once, the byte bound
and the disk cache."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from service.jobs import JobRunner, report
from service.state import DiskCache, ResultCache, estimate_bytes


def _wait_all(jobs, timeout=20):
    for job in jobs:
        assert job.wait(timeout), job


def test_the_same_key_gives_the_same_job_and_runs_once():
    runner = JobRunner(1)
    calls = []
    gate = threading.Event()

    def work():
        calls.append(1)
        gate.wait(10)
        return 42

    first = runner.submit(("v1", "metrics", ("cluster", "a")), "a", work)
    second = runner.submit(("v1", "metrics", ("cluster", "a")), "a", work)
    gate.set()
    _wait_all([first])
    third = runner.submit(("v1", "metrics", ("cluster", "a")), "a", work)  # done: kept
    assert first is second is third
    assert first.state == "done" and first.result == 42 and first.progress == 1.0
    assert calls == [1]
    other = runner.submit(("v2", "metrics", ("cluster", "a")), "a", work)  # another version
    _wait_all([other])
    assert other is not first and calls == [1, 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_no_more_jobs_run_at_once_than_workers(workers):
    runner = JobRunner(workers)
    running, peak, lock = [0], [0], threading.Lock()

    def work():
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.15)
        with lock:
            running[0] -= 1

    jobs = [runner.submit(("v", "job", i), f"job {i}", work) for i in range(5)]
    _wait_all(jobs)
    assert peak[0] == workers == runner.peak_running
    assert all(j.state == "done" for j in jobs)


def test_a_failing_job_is_failed_with_its_error_logged_and_retried_on_resubmission(caplog):
    runner = JobRunner(1)

    def broken():
        raise ValueError("no such figure")

    job = runner.submit(("v", "broken", ()), "a broken figure", broken)
    _wait_all([job])
    assert job.state == "failed"
    assert job.as_dict()["error"] == "ValueError: no such figure"
    assert any("a broken figure" in r.getMessage() and r.exc_info for r in caplog.records)
    again = runner.submit(("v", "broken", ()), "a broken figure", lambda: 1)
    _wait_all([again])
    assert again is not job and again.state == "done"


def test_progress_is_reported_from_inside_the_computation():
    runner = JobRunner(1)
    seen = threading.Event()
    proceed = threading.Event()

    def work():
        report("paths", 0.4)
        seen.set()
        proceed.wait(10)
        report("null model 3/20", 0.2)  # progress never goes back
        return None

    job = runner.submit(("v", "p", ()), "the metrics", work)
    assert seen.wait(10)
    info = job.as_dict()
    assert info == {"id": job.id, "url": f"/api/v1/jobs/{job.id}", "state": "running",
                    "progress": 0.4, "message": "paths", "what": "the metrics"}
    proceed.set()
    _wait_all([job])
    assert job.as_dict()["state"] == "done"


def test_queued_jobs_of_an_older_graph_fail_and_finished_ones_are_forgotten():
    runner = JobRunner(1)
    gate = threading.Event()
    blocker = runner.submit(("v1", "block", ()), "blocker", lambda: gate.wait(10))
    queued = runner.submit(("v1", "later", ()), "later", lambda: 1)
    time.sleep(0.1)
    assert runner.forget_other_stamps("v2") == 1
    assert queued.state == "failed" and "graph changed" in queued.error
    gate.set()
    _wait_all([blocker])
    runner.forget_other_stamps("v2")
    assert runner.get(blocker.id) is None and runner.get(queued.id) is None


def test_history_is_bounded():
    runner = JobRunner(1, history=3)
    jobs = []
    for i in range(6):
        job = runner.submit(("v", "n", i), str(i), lambda: None)
        _wait_all([job])
        jobs.append(job)
    runner.submit(("v", "n", 99), "last", lambda: None).wait(10)
    assert len(runner.jobs()) <= 4
    assert runner.get(jobs[0].id) is None


def test_two_threads_asking_a_missing_result_compute_it_once():
    cache = ResultCache(8)
    calls = []
    start = threading.Barrier(4)

    def compute():
        calls.append(1)
        time.sleep(0.2)
        return {"value": 7}

    results = []

    def ask():
        start.wait()
        results.append(cache.get_or_compute(("v", "metrics", 1), compute))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert calls == [1]
    assert len(results) == 4 and all(r is results[0] for r in results)


def test_an_error_reaches_every_waiter_and_is_not_cached():
    cache = ResultCache(8)
    gate = threading.Event()
    errors = []

    def compute():
        gate.wait(10)
        raise KeyError("gone")

    def ask():
        try:
            cache.get_or_compute(("v", "x", 1), compute)
        except KeyError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(10)
    assert len(errors) == 2
    assert cache.get_or_compute(("v", "x", 1), lambda: "ok") == "ok"


def test_the_memory_cache_is_bounded_in_bytes_and_entries():
    one = estimate_bytes(list(range(10_000)))
    assert 80_000 <= one <= 800_000  # about 28 bytes per int plus 8 per slot
    cache = ResultCache(100, max_bytes=int(one * 2.5))
    for i in range(4):
        cache.get_or_compute(("v", "big", i), lambda: list(range(10_000)))
    assert len(cache) == 2 and cache.bytes <= cache.max_bytes
    assert ("v", "big", 3) in cache and ("v", "big", 0) not in cache
    small = ResultCache(3)
    for i in range(5):
        small.get_or_compute(("v", "n", i), lambda i=i: i)
    assert len(small) == 3


def test_the_disk_cache_keeps_results_per_stamp_and_prunes_the_others(tmp_path):
    disk = DiskCache(tmp_path / "cache")
    first = ResultCache(8, disk=disk)
    key = ("3-abc", "metrics", (("cluster", "mnc"), (None, (), None, 1)))
    value = {"rows": [("a", 1)], "by_year": {2012: 3}}
    assert first.get_or_compute(key, lambda: value) == value
    assert (tmp_path / "cache" / "3-abc" / "metrics").is_dir()
    second = ResultCache(8, disk=disk)  # a new process on the same folder

    def must_not_run():
        raise AssertionError("computed again")

    back = second.get_or_compute(key, must_not_run)
    assert back == value and back["by_year"] == {2012: 3}  # int keys and tuples kept
    assert not ResultCache(8, disk=disk).get_or_compute(("4-def", *key[1:]), lambda: None)
    not_kept = ("3-abc", "graph", 1)  # large and quick to rebuild: memory only
    second.get_or_compute(not_kept, lambda: 5)
    assert not disk.contains(not_kept)
    assert disk.prune("4-def") == ["3-abc"]
    assert not disk.contains(key)


def test_a_damaged_cache_file_is_ignored(tmp_path):
    disk = DiskCache(tmp_path)
    key = ("1-a", "metrics", ())
    disk.save(key, {"x": 1})
    disk.path(key).write_bytes(b"not a pickle")
    assert ResultCache(4, disk=disk).get_or_compute(key, lambda: {"x": 2}) == {"x": 2}


def test_a_visitors_job_does_not_wait_behind_a_warming_job():
    """With one worker busy warming, the express lane runs the job a visitor waits for;
    without warming, no more jobs run at once than workers (above)."""
    from service.jobs import PRIORITY_WARM

    runner = JobRunner(1)
    gate, started = threading.Event(), threading.Event()

    def warm():
        started.set()
        return gate.wait(20)

    warming = runner.submit(("v", "warm", ()), "warming", warm, priority=PRIORITY_WARM)
    assert started.wait(20)
    queued_warm = runner.submit(("v", "warm2", ()), "more warming", lambda: 2,
                                priority=PRIORITY_WARM)
    visitor = runner.submit(("v", "visit", ()), "a visitor's figure", lambda: 42)
    _wait_all([visitor])
    assert visitor.state == "done" and visitor.result == 42
    assert warming.state == "running" and queued_warm.state == "queued"
    assert runner.peak_running == 2
    gate.set()
    _wait_all([warming, queued_warm])
    assert runner.running == 0 and runner.running_warm == 0


def test_the_express_lane_leaves_a_visitor_to_the_warming_of_the_same_figures():
    """A visitor asking the metrics of the group being warmed is not computed a second
    time by the express lane: it runs after the warming (from its cache); a visitor asking
    another group's metrics meanwhile takes the express lane."""
    from service.jobs import PRIORITY_WARM

    runner = JobRunner(1)
    gate, started, order = threading.Event(), threading.Event(), []

    def warm():
        started.set()
        gate.wait(20)
        order.append("warm")

    warming = runner.submit(("v", "warm", None), "warming the ecosystem", warm,
                            priority=PRIORITY_WARM, task=("warm", (None,)))
    assert started.wait(20)
    same = runner.submit(("v", "metrics", None), "the ecosystem's metrics",
                         lambda: order.append("same"), task=("metrics", (None, "f", False, 20)))
    other = runner.submit(("v", "metrics", "DE"), "Germany's metrics",
                          lambda: order.append("other"), task=("metrics", ("DE", "f", False, 20)))
    _wait_all([other])
    time.sleep(0.2)
    assert same.state == "queued" and warming.state == "running"
    gate.set()
    _wait_all([warming, same])
    assert order == ["other", "warm", "same"]


def test_a_job_process_keeps_earlier_jobs_objects_out_of_the_collectors_sight():
    """During a job, what earlier jobs left is frozen (not scanned by full collections);
    after it, nothing stays frozen, and a cycle made during the job is still collected."""
    import gc
    import weakref

    from service.jobs import _earlier_jobs_frozen

    class Node:
        pass

    earlier = Node()
    earlier.me = earlier  # a cycle left by an earlier job
    seen = {}
    with _earlier_jobs_frozen():
        seen["frozen"] = gc.get_freeze_count()
        seen["earlier_tracked_young"] = any(earlier is o for o in gc.get_objects(0))
        during = Node()
        during.me = during
        gone = weakref.ref(during)
        del during
    assert seen["frozen"] > 0 and not seen["earlier_tracked_young"]
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
    ref = weakref.ref(earlier)
    del earlier
    gc.collect()
    assert ref() is None  # unfrozen: the earlier cycle is garbage-collected too


class _Order:
    """The order jobs ran in: ``note(what)`` from any thread; ``blocking(what)`` is a job
    that says it started, waits for its gate, then notes ``what``."""

    def __init__(self):
        self.seen, self._lock = [], threading.Lock()
        self.started, self.gates = {}, {}

    def note(self, what):
        with self._lock:
            self.seen.append(what)

    def blocking(self, what):
        self.started[what], self.gates[what] = threading.Event(), threading.Event()

        def run():
            self.started[what].set()
            self.gates[what].wait(20)
            self.note(what)
        return run


def test_the_express_lane_runs_the_queued_warming_of_the_group_a_visitor_asks():
    """A visitor asking the metrics of a group whose warming is still queued: the express
    lane runs that warming job next (not a second computation of the same figures, later),
    and the visitor's job follows it."""
    from service.jobs import PRIORITY_WARM

    runner, order = JobRunner(1), _Order()
    eco = runner.submit(("v", "warm", None), "warming the ecosystem",
                        order.blocking("warm eco"), priority=PRIORITY_WARM,
                        task=("warm", (None,)))
    assert order.started["warm eco"].wait(20)
    fr = runner.submit(("v", "warm", "FR"), "warming France", order.blocking("warm FR"),
                       priority=PRIORITY_WARM, task=("warm", ("FR",)))
    assert order.started["warm FR"].wait(20)  # both lanes busy (nobody waited)
    de = runner.submit(("v", "warm", "DE"), "warming Germany", lambda: order.note("warm DE"),
                       priority=PRIORITY_WARM, task=("warm", ("DE",)))
    visitor = runner.submit(("v", "metrics", "DE"), "Germany's metrics",
                            lambda: order.note("visitor DE"),
                            task=("metrics", ("DE", "f", False, 20)))
    order.gates["warm FR"].set()
    _wait_all([fr, de, visitor])
    assert order.seen == ["warm FR", "warm DE", "visitor DE"]  # not "visitor DE" first
    assert eco.state == "running"
    order.gates["warm eco"].set()
    _wait_all([eco])
    assert runner.running == 0 and runner.running_warm == 0


def test_while_nobody_waits_the_express_lane_warms_clusters_and_countries():
    """Both cores warm: while the ecosystem's warming holds the worker, the express lane
    takes the queued clusters' and countries' warming, never the ecosystem's or the
    recommender's (minutes long), and never runs when no warming does."""
    from service.jobs import PRIORITY_WARM

    runner = JobRunner(1)
    gate, started = threading.Event(), threading.Event()

    def warm_eco():
        started.set()
        gate.wait(20)

    eco = runner.submit(("v", "warm", None), "warming the ecosystem", warm_eco,
                        priority=PRIORITY_WARM, task=("warm", (None,)))
    assert started.wait(20)
    model = runner.submit(("v", "prepare:link-model", ()), "fitting the model", lambda: 1,
                          priority=PRIORITY_WARM, task=("link-model", ()))
    groups = [runner.submit(("v", "warm", c), f"warming {c}", lambda c=c: c,
                            priority=PRIORITY_WARM, task=("warm", (c,)))
              for c in ("DE", "FR", "cluster-1")]
    _wait_all(groups)
    assert [g.result for g in groups] == ["DE", "FR", "cluster-1"]
    assert eco.state == "running" and model.state == "queued"
    gate.set()
    _wait_all([eco, model])
    assert runner.peak_running == 2 and runner.running == 0


def test_a_worker_runs_the_queued_warming_of_the_group_a_visitor_asks_in_its_place():
    """Right after a load a visitor asks the ecosystem's metrics before its warming began:
    the worker runs the warming job in the visitor's place (so it counts as warming, and
    the express lane warms the countries beside it), then the visitor's job, from its
    cache."""
    from service.jobs import PRIORITY_WARM

    runner, order = JobRunner(1), _Order()
    prep = runner.submit(("v", "prepare:link-data", ()), "preparing",
                         order.blocking("prepare"), priority=PRIORITY_WARM - 1,
                         task=("link-data", ()))
    assert order.started["prepare"].wait(20)
    eco = runner.submit(("v", "warm", None), "warming the ecosystem",
                        order.blocking("warm eco"), priority=PRIORITY_WARM,
                        task=("warm", (None,)))
    de = runner.submit(("v", "warm", "DE"), "warming Germany", lambda: order.note("warm DE"),
                       priority=PRIORITY_WARM, task=("warm", ("DE",)))
    visitor = runner.submit(("v", "metrics", None), "the ecosystem's metrics",
                            lambda: order.note("visitor eco"),
                            task=("metrics", (None, "f", False, 20)))
    order.gates["prepare"].set()
    assert order.started["warm eco"].wait(20)  # the warming, not the visitor's job
    _wait_all([de])  # the express lane warms Germany meanwhile
    assert order.seen == ["prepare", "warm DE"] and visitor.state == "queued"
    order.gates["warm eco"].set()
    _wait_all([eco, visitor])
    assert order.seen == ["prepare", "warm DE", "warm eco", "visitor eco"]
    assert prep.state == "done"
    assert runner.running == 0 and runner.running_warm == 0


class _Stamped:
    """A store that only knows its graph's stamp (what :class:`Context` keys results by)."""

    def __init__(self, stamp: str):
        self.stamp = stamp

    def graph_stamp(self) -> str:
        return self.stamp


def test_a_file_result_is_written_once_into_the_cache_folder_and_served_from_there(tmp_path):
    from service.state import StoredFile
    from service.usecases import Context

    disk = DiskCache(tmp_path / "cache")
    cache = ResultCache(8, max_bytes=100_000, disk=disk)
    ctx = Context(_Stamped("3-abc"), cache)
    written = []

    def write(path):
        written.append(path)
        path.write_bytes(b"x" * 1_000_000)
        return "text/plain", "network.txt"

    stored = ctx.file("partnership-file", ("k", 1), "txt", write)
    assert isinstance(stored, StoredFile) and stored.size == 1_000_000
    assert (stored.media_type, stored.filename) == ("text/plain", "network.txt")
    path = tmp_path / "cache" / "3-abc" / "partnership-file"
    assert stored.path.startswith(str(path)) and stored.path.endswith(".txt")
    assert len(cache) == 1 and cache.bytes < 10_000  # the name is cached, not the bytes
    assert ctx.file("partnership-file", ("k", 1), "txt", write) == stored
    assert len(written) == 1

    def must_not_run(path):
        raise AssertionError("written again")

    restarted = Context(_Stamped("3-abc"), ResultCache(8, disk=disk))  # a new process
    assert restarted.file("partnership-file", ("k", 1), "txt", must_not_run) == stored
    Path(stored.path).unlink()  # gone (removed by hand): written again, not a dead link
    assert restarted.file("partnership-file", ("k", 1), "txt", write).exists()
    assert len(written) == 2
    assert disk.prune("4-def") == ["3-abc"] and not Path(stored.path).exists()


def test_a_failed_file_result_leaves_nothing_and_is_retried(tmp_path):
    from service.usecases import Context

    ctx = Context(_Stamped("1-a"), ResultCache(8, disk=DiskCache(tmp_path)))

    def broken(path):
        written.append(path)
        path.write_bytes(b"half")
        raise OSError("disk full")

    written = []
    with pytest.raises(OSError):
        ctx.file("export-file", ("graphml", None), "graphml", broken)
    assert not ctx.is_cached("export-file", ("graphml", None))
    assert not written[0].exists()

    def works(path):
        path.write_bytes(b"<graphml/>")
        return "application/graphml+xml", "graph.graphml"

    assert Path(ctx.file("export-file", ("graphml", None), "graphml", works).path
                ).read_bytes() == b"<graphml/>"


def test_without_a_disk_cache_file_results_live_in_a_folder_removed_with_the_cache():
    import gc

    from service.usecases import Context

    cache = ResultCache(8)
    stored = Context(_Stamped("1-a"), cache).file(
        "export-file", ("json", None), "json",
        lambda path: (path.write_text("{}"), ("application/json", "g.json"))[1])
    folder = Path(stored.path).parent
    assert folder.is_dir() and Path(stored.path).read_text() == "{}"
    del cache
    gc.collect()
    assert not folder.exists()


class _FakeProcess:
    """Stands in for a worker process: runs the job in the calling thread and records the
    pauses and resumes the runner asks of it (the real signals are tested below)."""

    def __init__(self, settings):
        self.events: list[str] = []
        self.jobs: list[str] = []
        self.paused = False

    def start(self):
        pass

    def pause(self):
        if not self.paused:
            self.paused = True
            self.events.append("pause")

    def resume(self):
        if self.paused:
            self.paused = False
            self.events.append("resume")

    def run(self, job, started=None):
        self.jobs.append(job.what)
        started()
        return job.run()


def _process_of(fakes, what):
    return next(f for f in fakes if what in f.jobs)


@pytest.fixture
def fake_processes(monkeypatch):
    import service.jobs as jobs

    made = []

    def make(settings):
        made.append(_FakeProcess(settings))
        return made[-1]

    monkeypatch.setattr(jobs, "_ProcessWorker", make)
    return made


def _gated(started: threading.Event, gate: threading.Event, value):
    def run():
        started.set()
        assert gate.wait(20)
        return value
    return run


def _warming_then_visitor(fake_processes):
    """A runner (one worker and the express lane) warming, then running a visitor's job:
    ``(runner, warming, warm_gate, warm_process, visitor, visit_gate)``, both jobs running."""
    from service.jobs import PRIORITY_WARM

    runner = JobRunner(1, process_settings={})
    warm_started, warm_gate = threading.Event(), threading.Event()
    visit_started, visit_gate = threading.Event(), threading.Event()
    warming = runner.submit(("v", "warm", ()), "warming", _gated(warm_started, warm_gate, 1),
                            priority=PRIORITY_WARM, task=("warm", (None,)))
    assert warm_started.wait(20)
    warm_process = _process_of(fake_processes, "warming")
    assert warm_process.events == []
    visitor = runner.submit(("v", "visit", ()), "a visitor's figure",
                            _gated(visit_started, visit_gate, 42), task=("metrics", ()))
    assert visit_started.wait(20)  # the express lane runs it
    return runner, warming, warm_gate, warm_process, visitor, visit_gate


def test_a_visitors_job_pauses_the_processes_that_warm_until_it_ends(fake_processes):
    runner, warming, warm_gate, warm_process, visitor, visit_gate = _warming_then_visitor(
        fake_processes)
    assert warm_process.events == ["pause"] and warm_process.paused
    visitor_process = _process_of(fake_processes, "a visitor's figure")
    assert visitor_process is not warm_process and visitor_process.events == []
    visit_gate.set()
    _wait_all([visitor])
    assert warm_process.events == ["pause", "resume"] and not warm_process.paused
    warm_gate.set()
    _wait_all([warming])
    assert warming.result == 1 and visitor.result == 42
    assert warm_process.events == ["pause", "resume"]


def test_a_warming_job_starting_while_a_visitors_job_runs_starts_paused(fake_processes):
    from service.jobs import PRIORITY_WARM

    runner = JobRunner(2, process_settings={}, express=False)
    visit_started, visit_gate = threading.Event(), threading.Event()
    warm_started, warm_gate = threading.Event(), threading.Event()
    visitor = runner.submit(("v", "visit", ()), "a visitor's figure",
                            _gated(visit_started, visit_gate, 42), task=("metrics", ()))
    assert visit_started.wait(20)
    warming = runner.submit(("v", "warm", ()), "warming", _gated(warm_started, warm_gate, 1),
                            priority=PRIORITY_WARM, task=("warm", (None,)))
    assert warm_started.wait(20)
    warm_process = _process_of(fake_processes, "warming")
    assert warm_process.events == ["pause"]
    visit_gate.set()
    _wait_all([visitor])
    assert warm_process.events == ["pause", "resume"]
    # two visitors at once: the warming resumes when the last one ends
    first_gate, second_gate = threading.Event(), threading.Event()
    first_started, second_started = threading.Event(), threading.Event()
    runner.workers = 3
    first = runner.submit(("v", "a", ()), "first", _gated(first_started, first_gate, 1),
                          task=("metrics", ()))
    second = runner.submit(("v", "b", ()), "second", _gated(second_started, second_gate, 2),
                           task=("metrics", ()))
    runner._start_workers()
    assert first_started.wait(20) and second_started.wait(20)
    assert warm_process.events == ["pause", "resume", "pause"]
    first_gate.set()
    _wait_all([first])
    assert warm_process.paused
    second_gate.set()
    _wait_all([second])
    assert warm_process.events == ["pause", "resume", "pause", "resume"]
    warm_gate.set()
    _wait_all([warming])


def test_closing_the_runner_resumes_a_paused_process(fake_processes):
    runner, warming, warm_gate, warm_process, _visitor, visit_gate = _warming_then_visitor(
        fake_processes)
    assert warm_process.paused
    runner.close()
    assert not warm_process.paused
    visit_gate.set()
    warm_gate.set()
    _wait_all([warming])


def _state(pid: int) -> str:
    """A process's state letter in /proc (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_worker_process_is_paused_and_resumed_with_its_forked_children(tmp_path):
    """A real worker process: in its own process group, which SIGSTOP and SIGCONT reach
    whole (here: a child it forked, as the figures' side computations do)."""
    import os
    import signal

    from service.jobs import _ProcessWorker
    from service.settings import load_settings

    settings = {**load_settings(), "NEO4J_URI": "bolt://127.0.0.1:9",
                "NEO4J_PASSWORD": "unused", "SYNERGRAPH_CACHE_DIR": str(tmp_path)}
    worker = _ProcessWorker(settings)
    worker.start()
    pid = worker.process.pid
    try:
        deadline = time.monotonic() + 30
        while os.getpgid(pid) != pid:  # it makes its own group first thing
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # a member of its group, as a forked child would be
        child = os.fork()
        if child == 0:
            os.setpgid(0, pid)
            time.sleep(60)
            os._exit(0)
        for _ in range(100):
            try:
                if os.getpgid(child) == pid:
                    break
            except ProcessLookupError:
                pass
            time.sleep(0.02)
        assert os.getpgid(child) == pid
        worker.pause()
        time.sleep(0.3)
        assert _state(pid) == "T" and _state(child) == "T"
        worker.resume()
        time.sleep(0.3)
        assert _state(pid) != "T" and _state(child) != "T"
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    finally:
        worker.resume()
        worker.process.terminate()
        worker.process.join(10)
