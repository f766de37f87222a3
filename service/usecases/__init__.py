"""The use cases: one function per question a user asks, for the pages, the API and the CLI.

Each function takes a :class:`Context` (the store and the results cache) first, then the
group (:class:`GroupRef`, ``None`` for the whole ecosystem) and its :class:`GroupFilter`.
Pages, API routes and CLI commands are three renderings of these results: a figure has
one code path, so it is the same number everywhere (``tests/integration/test_consistency.py``).
Invalid input raises :class:`service.errors.BadParameter`, an unknown id
:class:`service.errors.NotFound`.
"""

from .context import Context, build_graph, filter_records
from .figures import HEADLINE, METRIC_COLUMNS, actor_order, metrics, null_model_of
from .params import GroupFilter, GroupRef, NetworkView
from .profiles import (
    actor,
    actor_list,
    actor_record,
    clusters,
    compare,
    overview,
    parse_cluster_ids,
    project,
    project_list,
    recommendations,
    recommended,
    recommender_ready,
    scorecard,
    track_record,
)
from .topics import (
    MAX_NODES,
    TOP_ACTORS,
    communities,
    evolution,
    group_projects,
    links,
    network,
    synergy,
    what_if,
)

__all__ = [
    "HEADLINE", "MAX_NODES", "METRIC_COLUMNS", "TOP_ACTORS",
    "Context", "GroupFilter", "GroupRef", "NetworkView",
    "actor", "actor_list", "actor_record", "actor_order", "build_graph", "clusters", "communities",
    "compare", "evolution", "filter_records", "group_projects", "links", "metrics",
    "null_model_of", "network", "overview", "parse_cluster_ids", "project", "project_list",
    "recommendations", "recommended", "recommender_ready", "scorecard", "synergy",
    "track_record", "what_if",
]
