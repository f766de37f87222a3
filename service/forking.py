"""Side computations in a forked process, so that a command uses both cores of a machine.

``synergraph metrics`` on a whole Horizon 2020-size network spends most of its time in a few
independent computations over one graph (the null model's rewired graphs, Burt's
constraint, the centralities). :func:`deferred` starts such a computation in a child
process forked from this one, which shares the graph already built (copy-on-write), while
this process goes on with the rest; :meth:`Deferred.result` then reads the child's answer.

The function that computes a figure is the same either way: forking only changes where it
runs. With ``fork=False`` (the service's job processes, which already share the cores
between jobs; small graphs, where a fork costs more than it saves) the computation simply
runs in this process when its result is asked for. A child that fails or dies is not
trusted: its computation runs again here, so an error surfaces with its real traceback.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from typing import Any

__all__ = ["Deferred", "deferred", "cpu_workers", "die_with_parent"]


def die_with_parent() -> None:
    """Ask the kernel to kill this process when the process (thread) that started it ends
    (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing). A job process the service paused
    (:meth:`service.jobs.JobRunner`) cannot outlive a service that was killed outright."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def cpu_workers() -> int:
    """The cores this process may use (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Deferred:
    """A computation started now (in a child process when forked), read by :meth:`result`."""

    def __init__(self, compute: Callable[[], Any], *, fork: bool):
        self._compute = compute
        self._done = False
        self._value = None
        self._pid = None
        self._path = None
        if fork:
            self._start()

    def _start(self) -> None:
        handle, self._path = tempfile.mkstemp(prefix="synergraph-fork-", suffix=".pickle")
        os.close(handle)
        pid = os.fork()
        if pid == 0:  # the child: compute, write, leave without running any cleanup
            code = 1
            try:
                die_with_parent()
                value = self._compute()
                with open(self._path, "wb") as out:
                    pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            except BaseException:  # noqa: BLE001 - the parent computes it again
                pass
            finally:
                os._exit(code)  # no atexit, no driver goodbye on the parent's sockets
        self._pid = pid

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def result(self) -> Any:
        """The computation's value: the child's when it succeeded, else computed here."""
        if self._done:
            return self._value
        value, ok = None, False
        if self._pid is not None:
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = None
            if os.waitstatus_to_exitcode(status) == 0:
                try:
                    with open(self._path, "rb") as inp:
                        value, ok = pickle.load(inp), True
                except (OSError, EOFError, pickle.UnpicklingError):
                    ok = False
        if self._path is not None:
            try:
                os.unlink(self._path)
            except OSError:  # pragma: no cover
                pass
            self._path = None
        if not ok:
            value = self._compute()
        self._value, self._done = value, True
        self._compute = None
        return value

    def __del__(self):  # a result never asked for: do not leave a zombie or a file behind
        if getattr(self, "_pid", None) is not None:
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:  # pragma: no cover
                pass
        if getattr(self, "_path", None):
            try:
                os.unlink(self._path)
            except OSError:
                pass


def deferred(compute: Callable[[], Any], *, fork: bool) -> Deferred:
    """Start ``compute()`` (in a forked child when ``fork``); ``.result()`` returns it.

    >>> d = deferred(lambda: sum(range(10)), fork=True)
    >>> d.forked, d.result(), d.result()
    (True, 45, 45)
    >>> deferred(lambda: 1 / 0, fork=True).result()
    Traceback (most recent call last):
    ZeroDivisionError: division by zero
    """
    return Deferred(compute, fork=fork)
