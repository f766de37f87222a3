"""Synergraph analytics engine: pure functions on a networkx co-participation graph.

No database or web imports here: callers build the graph (see
:func:`co_participation_graph`) and pass it first to every function.  Heavy
kernels run on igraph / scipy behind networkx-compatible results.
"""

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
from .projection import co_participation_graph, incidence_matrix

__all__ = [
    "BetweennessResult",
    "betweenness",
    "betweenness_info",
    "centrality_table",
    "closeness",
    "co_participation_graph",
    "degree",
    "eigenvector",
    "harmonic",
    "incidence_matrix",
    "pagerank",
    "rank_and_percentile",
    "strength",
]
