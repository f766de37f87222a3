"""Synergraph analytics engine: pure functions on a networkx co-participation graph.

No database or web imports here: callers build the graph (see
:func:`co_participation_graph`) and pass it first to every function.  Heavy
kernels run on igraph / scipy behind networkx-compatible results.

Modules: :mod:`.projection`, :mod:`.centrality`, :mod:`.cohesion`,
:mod:`.synergy`, :mod:`.communities`, :mod:`.brokerage`,
:mod:`.missing_links`, :mod:`.link_backtest`, :mod:`.link_protocol`, :mod:`.paths`,
:mod:`.whatif`, :mod:`.evolution`.
"""

from .brokerage import (
    articulation_points,
    bridges,
    brokerage_roles,
    constraint,
    effective_size,
)
from .centrality import (
    BetweennessResult,
    betweenness,
    betweenness_info,
    centrality_table,
    closeness,
    degree,
    eigenvector,
    harmonic,
    pagerank,
    rank_and_percentile,
    strength,
)
from .cohesion import cohesion_summary, null_model
from .communities import declared_membership, louvain, modularity, partition_agreement
from .evolution import evolution
from .link_backtest import evaluate_link_prediction
from .missing_links import recommend
from .projection import co_participation_graph, incidence_matrix
from .synergy import (
    ei_index,
    kind_assortativity,
    kind_tie_matrix,
    project_mix,
    triple_helix,
)
from .whatif import apply_changes, what_if

__all__ = [
    "BetweennessResult",
    "apply_changes",
    "articulation_points",
    "betweenness",
    "betweenness_info",
    "bridges",
    "brokerage_roles",
    "centrality_table",
    "closeness",
    "co_participation_graph",
    "cohesion_summary",
    "constraint",
    "declared_membership",
    "degree",
    "effective_size",
    "ei_index",
    "eigenvector",
    "evaluate_link_prediction",
    "evolution",
    "harmonic",
    "incidence_matrix",
    "kind_assortativity",
    "kind_tie_matrix",
    "louvain",
    "modularity",
    "null_model",
    "pagerank",
    "partition_agreement",
    "project_mix",
    "rank_and_percentile",
    "recommend",
    "strength",
    "triple_helix",
    "what_if",
]
