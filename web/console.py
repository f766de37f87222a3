"""The Cypher console page (``/console``): works without JavaScript.

``GET /console`` shows the editor (optionally pre-filled from ``?example=ID`` or
``?query=...&parameters=...``, never run on GET). ``POST /console`` runs the query on the
server (read-only, with the app's time, row, size and concurrency limits; see
:mod:`service.api.cypher`) and renders the result as a table and, when the result holds
nodes, as a network drawn with the same pyvis/vis-network machinery as the cluster pages;
``action=csv`` or ``action=json`` downloads the result instead. ``web/static/console.js``
only adds niceties (example picker fills the editor, Ctrl+Enter runs, clicking the schema
inserts a name).
"""

from __future__ import annotations

import json

import networkx as nx
from flask import Blueprint, Response, render_template, request

from graph_schema.console import (
    DEFAULT_QUERY,
    EXAMPLES,
    ConsoleBusy,
    ConsoleError,
    QueryTimeout,
    example,
)
from graph_schema.model import PROVENANCE
from service.api.cypher import console_limits, console_schema, result_csv, run_console_query

from .network import KIND_STYLE, layout_positions, render_network

__all__ = ["console_blueprint", "console_network"]

console_blueprint = Blueprint("console", __name__, template_folder="templates")

#: Colour and shape per label (actors use KIND_STYLE by kind).
LABEL_STYLE: dict[str, tuple[str, str]] = {
    "Cluster": ("#14324A", "hexagon"),
    "Project": ("#E69F00", "triangleDown"),
    "Programme": ("#666666", "diamond"),
    "Region": ("#A6761D", "square"),
    "Niche": ("#B15928", "star"),
    "Target": ("#999999", "square"),
    "Output": ("#777777", "square"),
}
OTHER_STYLE = ("#BBBBBB", "dot")
#: Above this many nodes the network is not drawn (the table still is).
MAX_NETWORK_NODES = 1500


def _style(node: dict) -> tuple[str, str, str]:
    """(colour, shape, legend text) of a node."""
    labels = node["labels"]
    kind = node["properties"].get("kind")
    if "Actor" in labels:
        colour, shape, text = KIND_STYLE.get(kind or "other", KIND_STYLE["other"])
        return colour, shape, f"Actor: {text}"
    for label in labels:
        if label in LABEL_STYLE:
            return (*LABEL_STYLE[label], label)
    return (*OTHER_STYLE, ":".join(labels) or "(no label)")


def _name(node: dict) -> str:
    props = node["properties"]
    for key in ("name", "acronym", "title", "id"):
        if props.get(key) not in (None, ""):
            return str(props[key])
    return ":".join(node["labels"]) or node["id"]


def console_network(nodes: list[dict], relationships: list[dict], *, seed: int = 0) -> dict:
    """pyvis node and edge lists (and a legend) for the nodes and relationships of a result.

    Relationships whose ends were not returned are drawn with a grey stand-in node.
    """
    by_id = {n["id"]: n for n in nodes}
    for rel in relationships:
        for end in (rel["start"], rel["end"]):
            if end is not None and end not in by_id:
                by_id[end] = {"id": end, "labels": [], "properties": {}}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(by_id))
    graph.add_edges_from((r["start"], r["end"]) for r in relationships
                         if r["start"] is not None and r["end"] is not None)
    positions = layout_positions(graph, seed=seed)
    out_nodes, legend = [], {}
    for node_id in sorted(by_id):
        node = by_id[node_id]
        colour, shape, text = _style(node)
        legend.setdefault(text, {"label": text, "color": colour, "shape": shape, "count": 0})
        legend[text]["count"] += 1
        details = [":".join(node["labels"])] + [
            f"{k}: {v}" for k, v in sorted(node["properties"].items())
            if k not in PROVENANCE][:10]
        x, y = positions[node_id]
        out_nodes.append({"id": node_id, "label": _name(node)[:40], "title": "\n".join(details),
                          "color": colour, "shape": shape, "size": 12, "x": x, "y": y})
    edges = [{"from": r["start"], "to": r["end"], "arrows": "to", "value": 1,
              "title": r["type"], "label": r["type"]}
             for r in sorted(relationships, key=lambda r: r["id"])
             if r["start"] is not None and r["end"] is not None]
    return {"nodes": out_nodes, "edges": edges,
            "legend": sorted(legend.values(), key=lambda item: item["label"])}


def _ends(nodes: list[dict], relationships: list[dict]) -> set[str]:
    """Ids of the nodes a network of the result would draw."""
    return {n["id"] for n in nodes} | {r[end] for r in relationships
                                       for end in ("start", "end") if r[end] is not None}


def _show(value) -> str:
    """A cell of the results table."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if {"labels", "properties", "id"} <= value.keys():
            return f"(:{':'.join(value['labels'])} {_props(value['properties'])})"
        if {"type", "start", "end", "properties"} <= value.keys():
            return f"[:{value['type']} {_props(value['properties'])}]"
        if {"nodes", "relationships"} == value.keys():
            return f"path of {len(value['relationships'])} relationship(s): " + " – ".join(
                _show(n) for n in value["nodes"])
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _props(props: dict) -> str:
    shown = {k: v for k, v in props.items() if k not in PROVENANCE}
    return json.dumps(shown, ensure_ascii=False, sort_keys=True)


def _page(status: int = 200, **context):
    context.setdefault("query", DEFAULT_QUERY)
    context.setdefault("parameters_text", "{}")
    context.setdefault("selected_example", "")
    limits = console_limits()
    return render_template("console.html", examples=EXAMPLES, schema=console_schema(),
                           timeout_s=limits.timeout_s, row_limit=limits.row_limit,
                           max_bytes=limits.max_bytes, max_per_user=limits.max_per_user,
                           **context), status


@console_blueprint.route("/console", methods=["GET"])
def console_page():
    selected = request.args.get("example", "")
    chosen = example(selected) if selected else None
    if chosen is not None:
        return _page(query=chosen["query"],
                     parameters_text=json.dumps(chosen["parameters"], indent=2),
                     selected_example=chosen["id"])
    return _page(query=request.args.get("query") or DEFAULT_QUERY,
                 parameters_text=request.args.get("parameters") or "{}")


@console_blueprint.route("/console", methods=["POST"])
def console_run():
    query = request.form.get("query", "")
    parameters_text = request.form.get("parameters", "").strip() or "{}"
    action = request.form.get("action", "run")
    form = {"query": query, "parameters_text": parameters_text,
            "selected_example": request.form.get("example", "")}
    try:
        parameters = json.loads(parameters_text)
    except ValueError as exc:
        return _page(400, error={"kind": "bad-request",
                                 "message": f"Parameters are not valid JSON: {exc}"}, **form)
    if not isinstance(parameters, dict):
        return _page(400, error={"kind": "bad-request",
                                 "message": "Parameters must be a JSON object, e.g. "
                                            '{"cluster": "mnc"}'}, **form)
    try:
        result = run_console_query(query, parameters)
    except ConsoleBusy as exc:
        body, status = _page(429, error={"kind": exc.kind, "message": str(exc)}, **form)
        return body, status, {"Retry-After": str(exc.retry_after_s)}
    except ConsoleError as exc:
        status = 504 if isinstance(exc, QueryTimeout) else 400
        return _page(status, error={"kind": exc.kind, "message": str(exc)}, **form)
    if action == "csv":
        return Response(result_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="synergraph-query.csv"'})
    if action == "json":
        return Response(json.dumps(result.as_dict(), ensure_ascii=False, indent=1),
                        mimetype="application/json", headers={
                            "Content-Disposition": 'attachment; filename="synergraph-query.json"'})
    network_html, legend, network_note = None, [], None
    if result.nodes or result.relationships:
        drawn = len(_ends(result.nodes, result.relationships))
        if drawn <= MAX_NETWORK_NODES:
            data = console_network(result.nodes, result.relationships)
            network_html = render_network(data, element_id="console-network", height="520px")
            legend = data["legend"]
        else:
            network_note = (f"{drawn:,} nodes: too many to draw (at most "
                            f"{MAX_NETWORK_NODES:,}); add a LIMIT.")
    rows = [[_show(v) for v in row] for row in result.rows]
    return _page(result=result, rows=rows, network_html=network_html, legend=legend,
                 network_note=network_note, **form)
