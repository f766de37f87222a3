"""The weighted actor–actor partnership network of a group, as a researcher takes it away.

:func:`partnership_network` is the one result behind every network export (GEXF, GraphML,
the CSV pair: :mod:`service.network_export`): the co-participation graph every figure is
computed on (:meth:`Context.graph`, the same group and filter), each actor with every
per-actor column of :func:`~service.usecases.figures.metrics` (the figures of
``synergraph metrics`` for the same group and filter, from the same cached result), and
each tie with its weight (shared projects), Newman's collaboration weight and the start
years of its first and last shared project.
"""

from __future__ import annotations

from pathlib import Path

from service.state import StoredFile

from .context import Context, filter_records
from .figures import metrics
from .params import GroupFilter, GroupRef

__all__ = ["NODE_LEAD", "EDGE_COLUMNS", "export_file", "partnership_file", "partnership_network"]

#: The first node columns, before every metric column of ``synergraph metrics``.
NODE_LEAD = ("id", "name", "kind", "clusters", "country", "synthetic")
#: The edge columns, in order (``source`` < ``target``).
EDGE_COLUMNS = ("source", "target", "weight", "newman", "first_year", "last_year",
                "projects")


def partnership_network(ctx: Context, ref: GroupRef | None,
                        flt: GroupFilter | None = None) -> dict:
    """The partnership network of a cluster, clusters, a country or (``ref`` None) the
    ecosystem, under the filter.

    Returns
    -------
    dict
        ``meta``: group (kind, id, name), filter (as a dict and as URL arguments), graph
        version, nodes and edges counts, the data's sources and attribution, whether any
        actor is synthetic (and how many), and the metrics' ``weighted``, ``seed``,
        ``methods`` and ``approximate`` (as in ``synergraph metrics``' ``meta``);
        ``node_columns`` and ``nodes`` (one dict per actor, sorted by id: :data:`NODE_LEAD`
        then every actor column of the metrics, in their order; ``None`` where a figure is
        undefined); ``edge_columns`` (:data:`EDGE_COLUMNS`) and ``edges`` (sorted by
        source and target; ``projects`` is the sorted list of shared project ids;
        ``first_year``/``last_year`` are ``None`` when no shared project has a start year).

    Notes
    -----
    Ties and weights are those of :meth:`Context.graph` (partners outside the group are not
    drawn; ``min_weight`` drops weaker ties, never actors). A tie's years are the start
    years of its shared projects among the participations the filter keeps.
    """
    flt = flt or GroupFilter()
    key = (None if ref is None else (ref.kind, ref.id), flt.key())
    return ctx.cached("partnership-network", key, lambda: _network(ctx, ref, flt))


def partnership_file(ctx: Context, ref: GroupRef | None, flt: GroupFilter | None,
                     fmt: str) -> StoredFile:
    """The partnership network as a file in ``fmt``
    (:data:`service.network_export.NETWORK_FORMATS`), written once per graph version into
    the cache's folder and served from there (the GEXF of a whole programme is hundreds of
    MB and takes a minute): :meth:`Context.file`.

    The network itself is computed for the file and not cached: it is as large as the file,
    and the figures it is made of (:func:`~service.usecases.figures.metrics`) are."""
    from service.network_export import NETWORK_FORMATS, network_file

    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}")
    flt = flt or GroupFilter()

    def write(path: Path) -> tuple[str, str]:
        return network_file(_network(ctx, ref, flt), fmt, path)

    key = (None if ref is None else (ref.kind, ref.id), flt.key(), fmt)
    return ctx.file("partnership-file", key, NETWORK_FORMATS[fmt][1], write)


def export_file(ctx: Context, fmt: str, cluster_id: str | None = None) -> StoredFile:
    """The data graph (or one cluster's part of it) as a file, the one
    :func:`service.exports.run_export` writes (``bundle``: its zip), written once per graph
    version into the cache's folder and served from there (the whole Horizon 2020 network:
    161 MB of GraphML, about 25 s to read and write): :meth:`Context.file`."""
    from service.exports import FORMATS, run_export

    def write(path: Path) -> tuple[str, str]:
        summary = run_export(ctx.store, fmt, path, cluster_id)
        media_type, extension = FORMATS[fmt]
        return media_type, f"{summary['name']}.{extension}"

    return ctx.file("export-file", (fmt, cluster_id), FORMATS[fmt][1], write)


def _network(ctx: Context, ref: GroupRef | None, flt: GroupFilter) -> dict:
    group = {"kind": "ecosystem", "id": None, "name": "Ecosystem"}
    if ref is not None:
        described = ctx.describe(ref)
        group = {"kind": ref.kind, "id": ref.id, "name": str(described.get("name") or ref.id)}
    graph = ctx.graph(ref, flt)
    figures = metrics(ctx, ref, flt)  # the rows of `synergraph metrics` (null model aside)
    _actors, participations = filter_records(*ctx.records(ref), flt)
    start_year = {p["project_id"]: p.get("start_year") for p in participations}
    projects_of: dict = {}
    for p in participations:
        projects_of.setdefault(p["actor_id"], set()).add(p["project_id"])

    rows = {row["id"]: row for row in figures["actors"]}
    metric_columns: list[str] = []
    for row in figures["actors"]:
        for column in row:
            if column not in NODE_LEAD and column not in metric_columns:
                metric_columns.append(column)
    nodes = []
    for node in sorted(graph, key=str):
        data, row = graph.nodes[node], rows[node]
        item = {"id": node, "name": row.get("name"), "kind": row.get("kind"),
                "clusters": list(row.get("clusters") or []), "country": data.get("country"),
                "synthetic": bool(row.get("synthetic"))}
        item.update({column: row.get(column) for column in metric_columns})
        nodes.append(item)

    edges = []
    for u, v, data in graph.edges(data=True):
        source, target = sorted((u, v), key=str)
        # the projection's shared projects; a graph built without them
        # (keep_projects=False) gives the same set from the kept participations
        shared = data.get("projects")
        if shared is None:
            shared = projects_of.get(u, set()) & projects_of.get(v, set())
        projects = sorted(shared, key=str)
        years = [y for y in (start_year.get(p) for p in projects) if y is not None]
        edges.append({"source": source, "target": target, "weight": data["weight"],
                      "newman": data.get("newman"),
                      "first_year": min(years) if years else None,
                      "last_year": max(years) if years else None,
                      "projects": projects})
    edges.sort(key=lambda e: (str(e["source"]), str(e["target"])))

    sources = {data.get("source") for _, data in graph.nodes(data=True)} - {None}
    loads = ctx.store.export_loads()
    mine = [load for load in loads if load.get("source") in sources] or loads
    synthetic_actors = sum(1 for item in nodes if item["synthetic"])
    meta = {
        "group": group,
        "filter": flt.as_dict(),
        "filter_args": flt.as_args(),
        "graph_version": figures["meta"]["graph_version"],
        "nodes": len(nodes),
        "edges": len(edges),
        "sources": sorted({str(load["source"]) for load in mine if load.get("source")}),
        "attribution": "\n\n".join(sorted({str(load["attribution"]) for load in mine
                                           if load.get("attribution")})),
        "synthetic": synthetic_actors > 0,
        "synthetic_actors": synthetic_actors,
        "weighted": figures["meta"]["weighted"],
        "seed": figures["meta"]["seed"],
        "methods": figures["meta"]["methods"],
        "approximate": figures["meta"]["approximate"],
    }
    return {"meta": meta, "node_columns": [*NODE_LEAD, *metric_columns], "nodes": nodes,
            "edge_columns": list(EDGE_COLUMNS), "edges": edges}
