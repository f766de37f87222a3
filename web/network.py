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
from flask_babel import get_translations, gettext, ngettext
from pyvis.network import Network

from graph_schema.model import ActorKind
from service.analytics._graph import igraph_rng

__all__ = ["CATEGORY_PALETTE", "KIND_STYLE", "aggregate_data", "category_colours", "draw_group",
           "kind_label",
           "layout_positions", "network_data", "render_network", "VIS_DIR"]

def N_(text: str) -> str:
    """Mark a string for translation without translating it (translated where shown)."""
    return text


#: Colour (Paul Tol's colour-blind-safe "muted" scheme), shape and label (marked for the
#: translation catalogue, translated by :func:`kind_label`) of every actor kind. Shapes
#: repeat the family (companies round, research square, ...) so colour is not the only cue.
#: Total over :class:`~graph_schema.model.ActorKind` (tests/unit/test_vocabularies.py).
KIND_STYLE: dict[ActorKind, tuple[str, str, str]] = {
    ActorKind.LARGE_COMPANY: ("#332288", "dot", N_("Large company")),
    ActorKind.COMPANY: ("#4477AA", "dot", N_("Company")),
    ActorKind.SME: ("#88CCEE", "dot", N_("SME")),
    ActorKind.STARTUP: ("#44AA99", "dot", N_("Start-up")),
    ActorKind.UNIVERSITY: ("#CC6677", "square", N_("University")),
    ActorKind.RESEARCH_LAB: ("#882255", "square", N_("Research lab")),
    ActorKind.TRAINING_CENTRE: ("#DDCC77", "triangle", N_("Training centre")),
    ActorKind.PUBLIC_AGENCY: ("#117733", "diamond", N_("Public agency")),
    ActorKind.FUNDER: ("#999933", "diamond", N_("Funder")),
    ActorKind.ASSOCIATION: ("#AA4499", "star", N_("Association")),
    ActorKind.OTHER: ("#BBBBBB", "dot", N_("Other")),
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


#: Paul Tol's "muted" qualitative scheme (colour-blind safe) for clusters and communities;
#: categories past the ninth share :data:`OTHER_COLOUR`.
CATEGORY_PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255",
                    "#44AA99", "#999933", "#AA4499")
OTHER_COLOUR = "#DDDDDD"
SEVERAL_COLOUR = "#777777"  # actors in several clusters (colour by cluster)
SUGGESTED_COLOUR = "#EE7733"  # Tol "vibrant" orange: dashed suggested ties

SIZE_LABELS = {"betweenness": "Betweenness", "degree": "Partners (degree)",
               "pagerank": "PageRank", "eigenvector": "Eigenvector"}


def kind_label(kind: str | None) -> str:
    """The (translated) label of an actor kind."""
    return gettext(KIND_STYLE.get(kind or ActorKind.OTHER, KIND_STYLE[ActorKind.OTHER])[2])


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _title(row: dict, size_by: str = "betweenness") -> str:
    lines = [
        str(row.get("name") or row["id"]),
        gettext("Kind: %(kind)s", kind=kind_label(row.get("kind"))),
        gettext("Partners (degree): %(n)s", n=row["degree"]),
        gettext("Betweenness: %(value)s (rank %(rank)s)", value=f"{row['betweenness']:.4f}",
                rank=row["betweenness_rank"]),
    ]
    if size_by not in ("betweenness", "degree") and row.get(size_by) is not None:
        lines.append(f"{gettext(SIZE_LABELS[size_by])}: {_fmt(row[size_by])}")
    if row.get("synthetic"):
        lines.append(gettext("Synthetic (generated demo data)"))
    return "\n".join(lines)


def _cluster_key(row: dict) -> str:
    clusters = sorted(row.get("clusters") or [])
    if not clusters:
        return "(none)"
    return clusters[0] if len(clusters) == 1 else "(several)"


def category_colours(counts: dict) -> dict:
    """Colour of each category: the palette by decreasing count (ties by key), then grey;
    actors in no cluster are light grey, in several clusters dark grey.

    >>> category_colours({"b": 3, "a": 3, "c": 1})
    {'a': '#CC6677', 'b': '#332288', 'c': '#DDCC77'}
    """
    fixed = {"(none)": OTHER_COLOUR, "(several)": SEVERAL_COLOUR}
    order = sorted((k for k in counts if k not in fixed), key=lambda k: (-counts[k], str(k)))
    colours = {k: CATEGORY_PALETTE[i] if i < len(CATEGORY_PALETTE) else OTHER_COLOUR
               for i, k in enumerate(order)}
    colours.update({k: fixed[k] for k in counts if k in fixed})
    return colours


def _category(row: dict, color_by: str):
    if color_by == "cluster":
        return _cluster_key(row)
    if color_by == "community":
        return row.get("community")
    return row.get("kind") or "other"


def _legend(nodes: list[dict], color_by: str, names: dict | None) -> list[dict]:
    if color_by == "kind":
        kinds_present = sorted({n["kind"] for n in nodes}, key=list(KIND_STYLE).index)
        return [{"key": k, "color": KIND_STYLE[k][0], "shape": KIND_STYLE[k][1],
                 "label": kind_label(k), "count": sum(1 for n in nodes if n["kind"] == k)}
                for k in kinds_present]
    counts: dict = {}
    colour: dict = {}
    for n in nodes:
        counts[n["category"]] = counts.get(n["category"], 0) + 1
        colour[n["category"]] = n["color"]
    items = []
    for key in sorted(counts, key=lambda k: (-counts[k], str(k))):
        if color_by == "community":
            label = gettext("Community %(n)s", n=key + 1 if isinstance(key, int) else key)
        elif key == "(none)":
            label = gettext("No cluster")
        elif key == "(several)":
            label = gettext("Several clusters")
        else:
            label = (names or {}).get(key, key)
        items.append({"key": key, "color": colour[key], "shape": "dot", "label": label,
                      "count": counts[key]})
    return items


def network_data(graph: nx.Graph, figures: dict, *, seed: int = 0, color_by: str = "kind",
                 size_by: str = "betweenness", cluster_names: dict | None = None,
                 suggested: list[dict] | None = None, focus=None) -> dict:
    """The node and edge lists handed to pyvis, plus the legend.

    Nodes carry ``id``, ``label`` (shown name), ``title`` (hover text: name, kind, score),
    ``color`` (by kind, cluster or community: ``color_by``) and ``shape`` by kind, ``size``
    by ``size_by`` (betweenness, degree, pagerank or eigenvector: area grows with the score,
    ``8 + 32 * sqrt(value / max)`` pixels), ``x``/``y`` from the seeded layout. Edges carry
    ``value`` = shared projects; ``suggested`` ties (``u``, ``v``, ``score``) are added as
    dashed edges flagged ``suggested``. ``focus`` (a node id) gets a thick border.
    """
    rows = {row["id"]: row for row in figures["actors"]}
    positions = layout_positions(graph, seed=seed)
    top = max((float(rows[v].get(size_by) or 0.0) for v in graph), default=0.0) or 1.0
    categories = {v: _category(rows[v], color_by) for v in graph}
    palette = {}
    if color_by != "kind":
        counts: dict = {}
        for c in categories.values():
            counts[c] = counts.get(c, 0) + 1
        palette = category_colours(counts)
    nodes = []
    for node_id in sorted(graph, key=str):
        row = rows[node_id]
        kind = row.get("kind") if row.get("kind") in KIND_STYLE else ActorKind.OTHER
        colour, shape, _ = KIND_STYLE[kind]
        if color_by != "kind":
            colour = palette[categories[node_id]]
        x, y = positions[node_id]
        value = float(row.get(size_by) or 0.0)
        node = {
            "id": node_id,
            "label": str(row.get("name") or node_id)[:40],
            "title": _title(row, size_by),
            "color": colour,
            "shape": shape,
            "size": round(8 + 32 * math.sqrt(max(value, 0.0) / top), 2),
            "x": x,
            "y": y,
            "kind": kind,
            "degree": row["degree"],
            "betweenness": round(row["betweenness"], 6),
            "category": categories[node_id],
        }
        if size_by not in ("betweenness", "degree"):
            node[size_by] = round(value, 6)
        if row.get("community") is not None:
            node["community"] = row["community"]
        if node_id == focus:
            node["borderWidth"] = 4
            node["focus"] = True
        nodes.append(node)
    edges = []
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        a, b = sorted((u, v), key=str)
        weight = int(data.get("weight", 1))
        edges.append({"from": a, "to": b, "value": weight,
                      "title": ngettext("%(num)d shared project", "%(num)d shared projects",
                                        weight)})
    for s in suggested or []:
        a, b = sorted((s["u"], s["v"]), key=str)
        edges.append({"from": a, "to": b, "dashes": True, "suggested": True, "value": 1,
                      "color": {"color": SUGGESTED_COLOUR, "opacity": 0.9},
                      "title": gettext("Suggested tie (score %(score)s)",
                                       score=f"{s['score']:.2f}")})
    return {"nodes": nodes, "edges": edges, "legend": _legend(nodes, color_by, cluster_names)}


def aggregate_data(graph: nx.Graph, rows: list[dict], *, by: str = "kind",
                   cluster_names: dict | None = None, seed: int = 0) -> dict:
    """One super-node per kind, cluster or community (``by``); edge ``value`` = ties
    between the two groups. For views too large to draw actor by actor.

    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> rows = [{"id": "a", "kind": "sme"}, {"id": "b", "kind": "sme"},
    ...         {"id": "c", "kind": "university"}]
    >>> data = aggregate_data(G, rows)
    >>> [(n["id"], n["members"]) for n in data["nodes"]], data["edges"][0]["value"]
    ([('group:sme', 2), ('group:university', 1)], 1)
    """
    by_id = {r["id"]: r for r in rows}
    category = {v: _category(by_id[v], by) for v in graph}
    members: dict = {}
    for v, c in category.items():
        members.setdefault(c, []).append(v)
    inner: dict = {}
    between: dict = {}
    for u, v in graph.edges():
        cu, cv = category[u], category[v]
        if cu == cv:
            inner[cu] = inner.get(cu, 0) + 1
        else:
            key = tuple(sorted((cu, cv), key=str))
            between[key] = between.get(key, 0) + 1
    agg = nx.Graph()
    agg.add_nodes_from(members)
    agg.add_edges_from(between)
    positions = layout_positions(agg, seed=seed, scale=600.0)
    biggest = max((len(m) for m in members.values()), default=1)
    palette = category_colours({c: len(m) for c, m in members.items()})
    nodes = []
    for c in sorted(members, key=lambda k: (-len(members[k]), str(k))):
        if by == "kind":
            colour, shape, _ = KIND_STYLE.get(c, KIND_STYLE[ActorKind.OTHER])
            label = kind_label(c)
        else:
            colour, shape = palette[c], "dot"
            label = _legend([{"category": c, "color": colour}], by, cluster_names)[0]["label"]
        x, y = positions[c]
        n = len(members[c])
        nodes.append({
            "id": f"group:{c}", "label": f"{label} ({n})", "color": colour, "shape": shape,
            "size": round(10 + 40 * math.sqrt(n / biggest), 2), "x": x, "y": y,
            "members": n, "aggregate": True, "kind": c if by == "kind" else "other",
            "degree": agg.degree(c), "betweenness": 0.0, "category": c,
            "title": "\n".join([label, gettext("Actors: %(n)s", n=n),
                                gettext("Ties inside: %(n)s", n=inner.get(c, 0))]),
        })
    edges = [{"from": f"group:{a}", "to": f"group:{b}", "value": w,
              "title": gettext("%(n)s ties between the groups", n=w)}
             for (a, b), w in sorted(between.items(), key=lambda kv: str(kv[0]))]
    legend = [{"key": n["category"], "color": n["color"], "shape": n["shape"],
               "label": n["label"], "count": n["members"]} for n in nodes]
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


_SHARED = ("%(num)d shared project", "%(num)d shared projects")


def _compact(items: list[dict], drop: tuple[str, ...] = ()) -> str:
    """JSON without spaces, safe inside a ``<script>`` element (``<``, ``>``, ``&``
    escaped as in Jinja's ``tojson``)."""
    text = json.dumps([{k: v for k, v in item.items() if k not in drop} for item in items],
                      separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("'", "\\u0027"))


def render_network(data: dict, *, element_id: str = "network", height: str = "640px") -> str:
    """HTML fragment (a div and its data) rendered by pyvis with our own template.

    The data travels as compact JSON; the hover text of ordinary ties ("3 shared projects")
    is rebuilt in the browser from ``value`` and the translated ``edgeTitle`` pair, which
    keeps a 2,000-actor view well under 2 MB.
    """
    net = Network(height=height, width="100%", directed=False, cdn_resources="remote",
                  heading="")
    net.nodes = data["nodes"]
    net.edges = data["edges"]
    net.node_ids = [n["id"] for n in data["nodes"]]
    net.node_map = {n["id"]: n for n in data["nodes"]}
    net.options = dict(VIS_OPTIONS)
    net.set_template_dir(str(_TEMPLATES) + "/", "network.html")
    plain = [e for e in data["edges"] if not e.get("suggested")]
    special = [e for e in data["edges"] if e.get("suggested")]
    edges_json = _compact(plain, drop=("title",))
    if special:
        edges_json = edges_json[:-1] + ("," if plain else "") + _compact(special)[1:]
    net.template = net.templateEnv.get_template("network.html")
    html = net.template.render(
        height=height, nodes_json=_compact(data["nodes"]), edges_json=edges_json,
        options=json.dumps(VIS_OPTIONS, separators=(",", ":")),
        edge_title=json.dumps([get_translations().ngettext(*_SHARED, n) for n in (1, 2)],
                              ensure_ascii=False).replace("<", "\\u003c"))
    return html.replace("__ELEMENT_ID__", element_id)


def options_json() -> str:
    return json.dumps(VIS_OPTIONS)


def draw_group(ctx, ref, flt, view) -> dict:
    """A group's network view, ready to draw: the use case's result
    (:func:`service.usecases.network`) plus the pyvis ``data`` and ``html``.

    The data holds translated labels, so it is cached per language as well as per graph
    version, group, filter and view.
    """
    from flask_babel import get_locale

    from service import usecases as uc

    locale = str(get_locale() or "en")

    def compute():
        result = uc.network(ctx, ref, flt, view)
        names = {c["id"]: c["name"] for c in uc.clusters(ctx)}
        if view.view == "aggregate":
            data = aggregate_data(result["graph"], result["rows"], by=view.color,
                                  cluster_names=names)
        else:
            data = network_data(result["graph"], {"actors": result["rows"]},
                                color_by=view.color, size_by=view.size,
                                cluster_names=names, suggested=result["suggested"])
        return {**{k: v for k, v in result.items() if k != "graph"}, "data": data,
                "html": render_network(data)}

    return ctx.cached("drawn-network", (ref.kind, ref.id, flt.key(), view.key(), locale),
                      compute)
