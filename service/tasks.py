"""The computations a background job can run, by name, with picklable arguments.

A job runs in a worker process (``SYNERGRAPH_JOB_PROCESSES=1``, the default) or in a thread
of the service; either way it calls :func:`run` with a :class:`~service.usecases.Context`
and the arguments below, so that the process only needs the task's name and its arguments
(groups, filters, ids), not the request. Each task computes its use cases into the context's
cache (the disk cache shares them with the service) and returns ``True``.
"""

from __future__ import annotations

from collections.abc import Callable

from service import usecases as uc

__all__ = ["TASKS", "run"]

TASKS: dict[str, Callable] = {}


def _task(name: str):
    def register(function: Callable) -> Callable:
        TASKS[name] = function
        return function
    return register


def run(ctx, name: str, args: tuple):
    """Run task ``name`` with ``args`` in ``ctx``."""
    return TASKS[name](ctx, *args)


@_task("group")
def _group(ctx, ref, flt):
    uc.metrics(ctx, ref, flt)
    return True


@_task("metrics")
def _metrics(ctx, ref, flt, weighted, null_runs):
    uc.metrics(ctx, ref, flt, weighted=weighted, null_runs=null_runs)
    return True


@_task("synergy")
def _synergy(ctx, ref, flt):
    uc.synergy(ctx, ref, flt)
    return True


@_task("communities")
def _communities(ctx, ref, flt, top=10):
    uc.communities(ctx, ref, flt, top=top)
    return True


@_task("evolution")
def _evolution(ctx, ref, flt, window=None):
    uc.evolution(ctx, ref, flt, window=window)
    return True


@_task("links")
def _links(ctx, ref, flt):
    uc.links(ctx, ref, flt, top=None)
    return True


@_task("whatif")
def _what_if(ctx, ref, flt, changes):
    uc.what_if(ctx, ref, flt, changes)
    return True


@_task("recommendations")
def _recommendations(ctx, actor_id, top):
    uc.recommendations(ctx, actor_id, top=top)
    return True


@_task("track-record")
def _track_record(ctx):
    from service.linkprediction import track_record

    track_record(ctx.store)
    return True


@_task("scorecard")
def _scorecard(ctx, cluster_id):
    uc.scorecard(ctx, cluster_id)
    return True


@_task("actor")
def _actor(ctx, actor_id, hops, ego):
    uc.actor(ctx, actor_id, hops=hops, ego=ego)
    return True


@_task("network-file")
def _network_file(ctx, ref, flt, fmt):
    from service.usecases.partnership import partnership_file

    partnership_file(ctx, ref, flt, fmt)
    return True


@_task("warm")
def _warm(ctx, ref):
    from service.warming import warm_group

    return warm_group(ctx, ref)
