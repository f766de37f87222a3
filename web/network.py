"""Network views: server-side layout, node/edge data for pyvis, and its HTML fragment.

Layouts are computed on the server (igraph Fruchterman-Reingold, seeded) so the browser
draws with physics off: the picture is stable between visits and a 2,000-node view draws
at once instead of simulating for a minute. pyvis holds the node and edge lists (filled
directly: its ``add_node``/``from_nx`` path is quadratic) and renders our own template, which
loads vis-network from the app (``/vendor/vis-network/...``), never from a CDN.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import igraph as ig
import networkx as nx
from pyvis.network import Network

from service.analytics._graph import igraph_rng

__all__ = ["KIND_STYLE", "layout_positions", "network_data", "render_network", "VIS_DIR"]

#: Colour (Paul Tol's colour-blind-safe "muted" scheme) and shape per actor kind. Shapes
#: repeat the family (companies round, research square, ...) so colour is not the only cue.
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "large_company": ("#332288", "dot", "Large company"),
    "company": ("#4477AA", "dot", "Company"),
    "sme": ("#88CCEE", "dot", "SME"),
    "startup": ("#44AA99", "dot", "Start-up"),
    "university": ("#CC6677", "square", "University"),
    "research_lab": ("#882255", "square", "Research lab"),
    "training_centre": ("#DDCC77", "triangle", "Training centre"),
    "public_agency": ("#117733", "diamond", "Public agency"),
    "funder": ("#999933", "diamond", "Funder"),
    "association": ("#AA4499", "star", "Association"),
    "other": ("#BBBBBB", "dot", "Other"),
}

VIS_DIR = Path(__import__("pyvis").__file__).resolve().parent / "lib" / "vis-9.1.2"
_TEMPLATES = Path(__file__).resolve().parent / "templates" / "pyvis"


def layout_positions(graph: nx.Graph, *, seed: int = 0, scale: float | None = None) -> dict:
    """Seeded Fruchterman-Reingold positions ``node -> (x, y)`` in pixels.

    >>> pos = layout_positions(nx.path_graph(3), seed=1)
    >>> sorted(pos) == [0, 1, 2] and pos == layout_positions(nx.path_graph(3), seed=1)
    True
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=n, edges=[(index[u], index[v]) for u, v in graph.edges()])
    # Seeded random start positions, spread like igraph's own (side ~ sqrt(n)) so its grid
    # speed-up works: the result is reproducible without touching igraph's global RNG.
    rng = random.Random(seed)
    side = math.sqrt(n)
    start = [(rng.uniform(-side, side), rng.uniform(-side, side)) for _ in range(n)]
    with igraph_rng(seed):  # igraph's FR also draws random numbers: seed them too
        layout = g.layout_fruchterman_reingold(seed=start, niter=500, grid="auto")
    xs = [p[0] for p in layout.coords]
    ys = [p[1] for p in layout.coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    target = scale or (120.0 * math.sqrt(n))
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    factor = target / span
    return {
        v: (round((x - cx) * factor, 1), round((y - cy) * factor, 1))
        for v, (x, y) in zip(nodes, layout.coords, strict=True)
    }


def _title(row: dict) -> str:
    label = KIND_STYLE.get(row.get("kind") or "other", KIND_STYLE["other"])[2]
    lines = [
        str(row.get("name") or row["id"]),
        f"Kind: {label}",
        f"Partners (degree): {row['degree']}",
        f"Betweenness: {row['betweenness']:.4f} (rank {row['betweenness_rank']})",
    ]
    if row.get("synthetic"):
        lines.append("Synthetic (generated demo data)")
    return "\n".join(lines)


def network_data(graph: nx.Graph, figures: dict, *, seed: int = 0) -> dict:
    """The node and edge lists handed to pyvis, plus the legend.

    Nodes carry ``id``, ``label`` (shown name), ``title`` (hover text: name, kind, score),
    ``color`` and ``shape`` by kind, ``size`` by betweenness (area grows with the score),
    ``x``/``y`` from the seeded layout. Edges carry ``value`` = shared projects.
    """
    rows = {row["id"]: row for row in figures["actors"]}
    positions = layout_positions(graph, seed=seed)
    top = max((row["betweenness"] for row in rows.values()), default=0.0) or 1.0
    nodes = []
    for node_id in sorted(graph, key=str):
        row = rows[node_id]
        colour, shape, _ = KIND_STYLE.get(row.get("kind") or "other", KIND_STYLE["other"])
        x, y = positions[node_id]
        nodes.append({
            "id": node_id,
            "label": str(row.get("name") or node_id)[:40],
            "title": _title(row),
            "color": colour,
            "shape": shape,
            "size": round(8 + 32 * math.sqrt(row["betweenness"] / top), 2),
            "x": x,
            "y": y,
            "kind": row.get("kind") or "other",
            "degree": row["degree"],
            "betweenness": round(row["betweenness"], 6),
        })
    edges = []
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        a, b = sorted((u, v), key=str)
        weight = int(data.get("weight", 1))
        edges.append({"from": a, "to": b, "value": weight,
                      "title": f"{weight} shared project{'s' if weight != 1 else ''}"})
    kinds_present = sorted({n["kind"] for n in nodes}, key=list(KIND_STYLE).index)
    legend = [{"kind": k, "color": KIND_STYLE[k][0], "shape": KIND_STYLE[k][1],
               "label": KIND_STYLE[k][2], "count": sum(1 for n in nodes if n["kind"] == k)}
              for k in kinds_present]
    return {"nodes": nodes, "edges": edges, "legend": legend}


VIS_OPTIONS = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False,
                    "keyboard": {"enabled": True, "bindToWindow": False}},
    "nodes": {"font": {"size": 12, "face": "system-ui"}, "borderWidth": 1},
    "edges": {"color": {"color": "#9aa4ad", "opacity": 0.55},
              "scaling": {"min": 1, "max": 6}, "smooth": False},
    "layout": {"improvedLayout": False},
}


def render_network(data: dict, *, element_id: str = "network", height: str = "640px") -> str:
    """HTML fragment (a div and its data) rendered by pyvis with our own template."""
    net = Network(height=height, width="100%", directed=False, cdn_resources="remote",
                  heading="")
    net.nodes = data["nodes"]
    net.edges = data["edges"]
    net.node_ids = [n["id"] for n in data["nodes"]]
    net.node_map = {n["id"]: n for n in data["nodes"]}
    net.options = dict(VIS_OPTIONS)
    net.set_template_dir(str(_TEMPLATES) + "/", "network.html")
    html = net.generate_html(name="network.html")
    return html.replace("__ELEMENT_ID__", element_id)


def options_json() -> str:
    return json.dumps(VIS_OPTIONS)
