"""service.forking: a side computation in a forked child, or here when it cannot be."""

from __future__ import annotations

import os

import pytest

from service.forking import cpu_workers, deferred


def test_a_forked_computation_runs_in_another_process_and_returns_its_value():
    here = os.getpid()
    side = deferred(lambda: (os.getpid(), [1.5, None, "x"]), fork=True)
    assert side.forked
    pid, value = side.result()
    assert pid != here and value == [1.5, None, "x"]
    assert side.result() == (pid, value)  # read once, kept


def test_without_fork_it_runs_here_when_asked():
    calls = []
    side = deferred(lambda: calls.append(os.getpid()) or 7, fork=False)
    assert not side.forked and calls == []
    assert side.result() == 7 and calls == [os.getpid()]


def test_a_child_that_dies_is_not_trusted_the_parent_computes_again():
    here = os.getpid()

    def compute():
        if os.getpid() != here:
            os._exit(3)  # killed, out of memory...
        return "computed here"

    assert deferred(compute, fork=True).result() == "computed here"


def test_an_error_surfaces_with_its_own_exception():
    side = deferred(lambda: {}["missing"], fork=True)
    with pytest.raises(KeyError, match="missing"):
        side.result()


def test_an_unread_result_leaves_no_file_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    side = deferred(lambda: 1, fork=True)
    assert len(list(tmp_path.iterdir())) == 1
    del side
    assert list(tmp_path.iterdir()) == []


def test_cpu_workers_is_at_least_one():
    assert cpu_workers() >= 1
