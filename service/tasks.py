"""The computations a background job can run, by name, with picklable arguments.

A job runs in a worker process (``SYNERGRAPH_JOB_PROCESSES=1``, the default) or in a thread
of the service; either way it calls :func:`run` with a :class:`~service.usecases.Context`
and the arguments below, so that the process only needs the task's name and its arguments
(groups, filters, ids), not the request. Each task computes its use cases into the context's
cache (the disk cache shares them with the service) and returns ``True``.

Each task declares, where it is registered, the names of the cache entries it fills that
the service reads afterwards (``caches=``): those are exactly the names the disk cache
keeps (:data:`service.state.PERSISTED` is derived from them), so a new task cannot
silently leave its results in the worker process's memory (a test runs every task and
checks what it computed).
"""

from __future__ import annotations

from collections.abc import Callable

from service import usecases as uc

__all__ = ["CACHES", "TASKS", "cache_names", "run"]

TASKS: dict[str, Callable] = {}
#: task name -> the cache names it fills for the service
CACHES: dict[str, frozenset[str]] = {}


def _task(name: str, *, caches: tuple[str, ...]):
    def register(function: Callable) -> Callable:
        TASKS[name] = function
        CACHES[name] = frozenset(caches)
        return function
    return register


def cache_names() -> frozenset[str]:
    """Every cache name a task fills for the service (kept on disk)."""
    return frozenset().union(*CACHES.values())


def run(ctx, name: str, args: tuple):
    """Run task ``name`` with ``args`` in ``ctx``."""
    return TASKS[name](ctx, *args)


@_task("group", caches=("metrics", "louvain"))
def _group(ctx, ref, flt):
    uc.metrics(ctx, ref, flt)
    return True


@_task("metrics", caches=("metrics", "null-model", "louvain"))
def _metrics(ctx, ref, flt, weighted, null_runs):
    uc.metrics(ctx, ref, flt, weighted=weighted, null_runs=null_runs)
    return True


@_task("synergy", caches=("synergy",))
def _synergy(ctx, ref, flt):
    uc.synergy(ctx, ref, flt)
    return True


@_task("communities", caches=("communities", "louvain", "metrics"))
def _communities(ctx, ref, flt, top=10):
    uc.communities(ctx, ref, flt, top=top)
    return True


@_task("evolution", caches=("evolution",))
def _evolution(ctx, ref, flt, window=None):
    uc.evolution(ctx, ref, flt, window=window)
    return True


@_task("links", caches=("links", "link-data", "link-model", "track-record"))
def _links(ctx, ref, flt):
    uc.links(ctx, ref, flt, top=None)
    uc.track_record(ctx)  # the links' answers show it
    return True


@_task("whatif", caches=("what-if",))
def _what_if(ctx, ref, flt, changes):
    uc.what_if(ctx, ref, flt, changes)
    return True


# -- the recommender's per-graph-version preparations (service.linkprediction) ----------
@_task("link-data", caches=("link-data",))
def _link_data(ctx):
    from service.linkprediction import link_data

    if not ctx.is_cached("link-data", ()):  # (a job per waiting request: read nothing)
        link_data(ctx)
    return True


@_task("link-model", caches=("link-model", "link-data"))
def _link_model(ctx):
    from service.linkprediction import link_model

    if not ctx.is_cached("link-model", ()):
        link_model(ctx)
    return True


@_task("track-record", caches=("track-record", "link-data"))
def _track_record(ctx):
    from service.linkprediction import track_record

    if not ctx.is_cached("track-record", ()):
        track_record(ctx)
    return True


@_task("scorecard", caches=("scorecard", "metrics", "null-model", "louvain"))
def _scorecard(ctx, cluster_id):
    uc.scorecard(ctx, cluster_id)
    return True


@_task("compare", caches=("metrics", "null-model", "louvain"))
def _compare(ctx, ids, flt):
    uc.compare(ctx, list(ids), flt)
    return True


@_task("actor", caches=("actor", "metrics", "louvain"))
def _actor(ctx, actor_id, hops, ego):
    uc.actor(ctx, actor_id, hops=hops, ego=ego, with_recommendations=False)
    return True


@_task("network-file", caches=("partnership-file", "metrics", "louvain"))
def _network_file(ctx, ref, flt, fmt):
    from service.usecases.partnership import partnership_file

    partnership_file(ctx, ref, flt, fmt)
    return True


@_task("export-file", caches=("export-file",))
def _export_file(ctx, fmt, cluster_id):
    from service.usecases.partnership import export_file

    export_file(ctx, fmt, cluster_id)
    return True


@_task("warm", caches=("metrics", "null-model", "louvain"))
def _warm(ctx, ref):
    from service.warming import warm_group

    return warm_group(ctx, ref)
