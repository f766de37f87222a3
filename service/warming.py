"""Warming: after a load that changes the graph, compute the headline figures in the
background, so that the first visitor after a load does not wait for them.

On an ecosystem above the inline size, the recommender's preparations come first: its
compact data (:class:`~service.linkprediction.LinkData`, seconds) at
:data:`PRIORITY_PREPARE`, above every other warming job, then its loading into the
service's memory (a thread of the service: it only reads), so that recommendations answer
within a second as soon as it is done even while a long figure (the ecosystem's metrics:
about a minute at H2020 scale) is queued; then the ecosystem's metrics, then the clusters
and countries (the headline figures: seconds each, the largest country about 4 s at H2020
scale), then the learnt model and the track record (tens of seconds to minutes; until the
model is fitted, recommendations are ranked by the fallback and say so). A visitor's own
job (:data:`~service.jobs.PRIORITY_REQUEST`) still runs before all of them; a job already
running is never interrupted.

The service notices a new graph version on the next request, or by looking at the graph's
stamp every ``SYNERGRAPH_WARM_POLL_S`` seconds (a load by the CLI, in another process), and
queues one job per group, below the jobs visitors wait for (:data:`PRIORITY_WARM`): the
ecosystem's metrics (the actor pages' ranks, ``GET /api/v1/metrics``), then every cluster's
and every country's (their network tab, ``GET /api/v1/<clusters|countries>/<id>`` and
``/metrics``), largest first. Each job caches exactly what those pages and routes look up
(:func:`warm_tasks`), so they answer from the cache, and the disk cache keeps it across a
restart.
"""

from __future__ import annotations

from service.jobs import PRIORITY_REQUEST, PRIORITY_WARM, Job
from service.usecases import GroupFilter, GroupRef

__all__ = ["DEFAULT_NULL_RUNS", "PREPARATIONS", "PRIORITY_PREPARE", "warm_group", "warm_jobs",
           "warm_tasks"]

#: The cheap, user-facing preparations: after the visitors' jobs, before other warming.
PRIORITY_PREPARE = (PRIORITY_REQUEST + PRIORITY_WARM) // 2
#: The recommender's per-version preparations (:meth:`service.state.AppState.prepare`):
#: what the job says, and its priority.
PREPARATIONS = {
    "link-data": ("preparing the recommender's data", PRIORITY_PREPARE),
    "link-model": ("fitting the recommender's model", PRIORITY_WARM),
    "track-record": ("the recommender's track record (its own back-test)", PRIORITY_WARM),
}

#: The null-model runs of ``GET .../metrics`` without ``null_runs`` (service.api.groups).
DEFAULT_NULL_RUNS = 20


def _group_key(ref: GroupRef | None):
    return None if ref is None else (ref.kind, ref.id)


def warm_tasks(ctx, ref: GroupRef | None) -> list[tuple[str, tuple]]:
    """The cache entries (name, params) a group's warming fills: the same keys as the
    routes and pages that show its headline figures (an actor page's job then finds the
    ecosystem's metrics computed)."""
    flt = GroupFilter()
    key = _group_key(ref)
    tasks = [("api:metrics", (key, flt.key(), False, DEFAULT_NULL_RUNS))]
    if ref is not None:
        tasks += [("api:group", (key, flt.key())), ("page:network", (key, flt.key()))]
    return tasks


def warm_group(ctx, ref: GroupRef | None) -> bool:
    """Compute a group's headline figures and mark the routes' and pages' entries."""
    from service import usecases as uc

    ctx.progress("metrics", 0.05)
    uc.metrics(ctx, ref, GroupFilter())
    ctx.progress("null model", 0.6)
    uc.metrics(ctx, ref, GroupFilter(), null_runs=DEFAULT_NULL_RUNS)
    for name, params in warm_tasks(ctx, ref):
        ctx.cached(name, params, lambda: True)  # the routes' and pages' markers
    return True


def _preload(state, stamp: str) -> Job:
    """A job in a thread of the service, right after the recommender's data is prepared:
    read it from disk and build its graph (under a second at H2020 size), so that the first
    recommendation asked does not pay for it. It only reads: never computes the data."""
    ctx = state.ctx

    def run():
        found, index = ctx.peek("link-data", ()) if ctx.stamp() == stamp else (False, None)
        if found:
            index.graph()
            import sklearn.linear_model  # noqa: F401 - what unpickling the model imports
            import sklearn.pipeline  # noqa: F401
        return found

    return state.jobs.submit((stamp, "preload:link-data", ()), "loading the recommender's "
                             "data", run, priority=PRIORITY_PREPARE)


def warm_jobs(state, stamp: str) -> list[Job]:
    """Queue the warming jobs of graph stamp ``stamp`` (see the module docstring)."""
    from service import usecases as uc

    ctx = state.ctx
    overview = uc.overview(ctx)
    groups: list[tuple[GroupRef | None, str]] = [(None, "the ecosystem's metrics")]
    clusters = sorted(overview["clusters"], key=lambda c: (-(c.get("members") or 0), c["id"]))
    groups += [(GroupRef.cluster(c["id"]), f"the metrics of {c.get('name') or c['id']}")
               for c in clusters]
    groups += [(GroupRef.country(c["id"]), f"the metrics of {c.get('name') or c['id']}")
               for c in overview["countries"]]  # largest first
    large = state.large()
    jobs = [state.prepare("link-data", stamp=stamp), _preload(state, stamp)] if large else []
    for ref, what in groups:
        key = (stamp, "warm", _group_key(ref))

        def run(ref=ref):
            if ctx.stamp() != stamp:
                raise RuntimeError("the graph changed before this job ran")
            return warm_group(ctx, ref)

        jobs.append(state.jobs.submit(key, what, run, priority=PRIORITY_WARM,
                                      task=("warm", (ref,))))
    if large:  # after every headline figure: until then recommendations use the fallback
        jobs += [state.prepare("link-model", stamp=stamp),
                 state.prepare("track-record", stamp=stamp)]
    return jobs
