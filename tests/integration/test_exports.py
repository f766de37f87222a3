"""Exports against the real Neo4j server: the canonical bundle round-trips byte for byte,
GraphML, GEXF and node-link JSON hold every node and relationship with its properties."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from neo4j import RoutingControl

from graph_schema.model import NODE_LABELS
from loaders.bundle import FILES, METADATA_FILE, read_bundle
from loaders.bundle_format import META_KEYS
from loaders.cordis import read_cordis
from loaders.demo import write_demo_bundle
from service.exports import (
    ExportError,
    UnknownCluster,
    read_graph,
    run_export,
    to_networkx,
)

pytestmark = [pytest.mark.neo4j]

PROVENANCE = {"source", "load_id"}
SMALL = {
    "regions.csv": "id,name,kind,country,parent_id\nMA,Maroc,country,MA,\n",
    "actors.csv": "id,name,kind,country,region_id\na1,Atlas Mobile,sme,MA,MA\n",
}


def _read(store, query: str, **params) -> list[dict]:
    records, _, _ = store.driver.execute_query(
        query, params, database_=store.database, routing_=RoutingControl.READ)
    return [r.data() for r in records]


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export-demo") / "demo"
    write_demo_bundle(folder, seed=2011)
    return folder


@pytest.fixture
def demo(store, demo_bundle):
    store.write(read_bundle(demo_bundle), kind="demo", synthetic=True)
    return store


@pytest.fixture
def cordis(store, cordis_sample):
    dataset, _ = read_cordis(cordis_sample)
    store.write(dataset, kind="cordis")
    return store


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _csvs(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k.endswith(".csv")}


def _data_graph(store) -> tuple[list[str], list[str]]:
    """Every data node and relationship with its properties, provenance left out."""
    labels = list(NODE_LABELS)
    nodes = _read(store, "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) "
                         "RETURN labels(n) AS labels, properties(n) AS props", labels=labels)
    rels = _read(store, "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
                        "labels(a) AS la, properties(r) AS props")

    def clean(props):
        return {k: v for k, v in props.items() if k not in PROVENANCE}

    return (sorted(json.dumps([n["labels"], clean(n["props"])], sort_keys=True, default=str)
                   for n in nodes),
            sorted(json.dumps([r["type"], r["la"], r["a"], r["b"], clean(r["props"])],
                              sort_keys=True, default=str) for r in rels))


def _cypher_counts(store) -> tuple[int, int]:
    nodes = _read(store, "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) "
                         "RETURN count(n) AS n", labels=list(NODE_LABELS))[0]["n"]
    rels = _read(store, "MATCH (a)-[r]->(b) WHERE any(l IN labels(a) WHERE l IN $labels) "
                        "RETURN count(r) AS n", labels=list(NODE_LABELS))[0]["n"]
    return nodes, rels


# -- the canonical bundle ---------------------------------------------------------------
def test_demo_bundle_round_trips_byte_for_byte(demo, demo_bundle, tmp_path):
    first = tmp_path / "first"
    summary = run_export(demo, "bundle", first)
    assert summary["nodes"], summary
    exported = _files(first)
    assert set(exported) == {spec.file for spec in FILES} | {METADATA_FILE}
    # The export of the demo is the demo bundle itself, file for file.
    assert _csvs(exported) == _csvs(_files(demo_bundle))
    graph_before = _data_graph(demo)

    demo.delete_all()
    demo.write(read_bundle(first), kind="demo", synthetic=True)
    assert _data_graph(demo) == graph_before
    second = tmp_path / "second"
    run_export(demo, "bundle", second)
    assert _files(second) == exported

    meta = json.loads(exported[METADATA_FILE])
    assert meta["synthetic"] is True and meta["name"] == "synergraph-export"
    assert "Les ECO" in meta["attribution"]
    # One bundle.json format for every writer: the export's is the demo's, byte for byte,
    # but for the name (same keys in the same order, same indentation, same escaping).
    assert list(meta) == list(META_KEYS)
    demo_meta = _files(demo_bundle)[METADATA_FILE]
    assert exported[METADATA_FILE] == demo_meta.replace(b'"demo-morocco-2011"',
                                                        b'"synergraph-export"')


def test_cluster_bundle_stands_alone_and_round_trips(demo, tmp_path):
    folder = tmp_path / "mnc"
    run_export(demo, "bundle", folder, cluster_id="mnc")
    dataset = read_bundle(folder)  # validates on its own: every reference is in the bundle
    members = {r["id"] for r in _read(demo, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}) "
                                            "RETURN a.id AS id")}
    assert {a["id"] for a in dataset.actors} == members
    assert [c["id"] for c in dataset.clusters] == ["mnc"]
    assert {m["cluster_id"] for m in dataset.memberships} == {"mnc"}
    assert {p["actor_id"] for p in dataset.participations} <= members
    expected_projects = {r["id"] for r in _read(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'})
        MATCH (a)-[:PARTICIPATES_IN]->(p:Project) RETURN DISTINCT p.id AS id
        UNION
        MATCH (:Cluster {id: 'mnc'})-[:REPORTED]->(:Output)-[:FROM_PROJECT]->(p:Project)
        RETURN DISTINCT p.id AS id""")}
    assert {p["id"] for p in dataset.projects} == expected_projects
    assert {t["cluster_id"] for t in dataset.targets if t["cluster_id"]} <= {"mnc"}
    assert dataset.outputs and {o["cluster_id"] for o in dataset.outputs} == {"mnc"}

    cluster_files = _files(folder)
    zipped, media_type, name = _export_file(demo, "bundle", "mnc")
    assert media_type == "application/zip" and name == "synergraph-export-mnc.zip"
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert {n.split("/", 1)[1]: archive.read(n) for n in archive.namelist()} == cluster_files
    assert _export_file(demo, "bundle", "mnc")[0] == zipped  # deterministic zip

    demo.delete_all()
    demo.write(dataset, kind="demo", synthetic=True)
    whole = tmp_path / "whole"
    run_export(demo, "bundle", whole)
    assert _csvs(_files(whole)) == _csvs(cluster_files)


def test_export_errors(demo, tmp_path):
    with pytest.raises(UnknownCluster):
        run_export(demo, "bundle", tmp_path / "x", cluster_id="no-such-cluster")
    with pytest.raises(ExportError):
        run_export(demo, "pdf", tmp_path / "x")


def test_stale_files_of_an_older_export_are_removed(store, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "targets.csv").write_text("id\nstale\n", encoding="utf-8")
    small = tmp_path / "small"
    small.mkdir()
    for name, text in SMALL.items():
        (small / name).write_text(text, encoding="utf-8")
    store.write(read_bundle(small), kind="bundle")
    run_export(store, "bundle", folder)
    assert not (folder / "targets.csv").exists()
    assert sorted(_files(folder)) == ["actors.csv", "bundle.json", "regions.csv"]
    assert _csvs(_files(folder)) == {
        "actors.csv": b"id,name,kind,country,region_id,city,founded_year,website,synthetic\n"
                      b"a1,Atlas Mobile,sme,MA,MA,,,,false\n",
        "regions.csv": b"id,name,kind,country,parent_id,synthetic\nMA,Maroc,country,MA,,false\n",
    }


# -- GraphML, GEXF, JSON ------------------------------------------------------------------
def _expected_attrs(store) -> dict[str, dict]:
    out = {}
    for label in NODE_LABELS:
        for row in _read(store, "MATCH (n) WHERE $label IN labels(n) "
                                "RETURN properties(n) AS props", label=label):
            props = {k: (json.dumps(v, ensure_ascii=False, sort_keys=True)
                         if isinstance(v, list) else v)
                     for k, v in row["props"].items() if v is not None}
            out[f"{label}:{props['id']}"] = {"label": label, **props}
    return out


def _same_nodes(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for key, attrs in expected.items():
        diff = {k: (got[key].get(k), v) for k, v in attrs.items() if got[key].get(k) != v}
        extra = set(got[key]) - set(attrs)
        assert not diff and not extra, (key, diff, extra)


def _check_networkx_formats(store, tmp_path):
    nodes, rels = _cypher_counts(store)
    expected = _expected_attrs(store)

    run_export(store, "graphml", tmp_path / "g.graphml")
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert graph.is_directed()
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, rels)
    _same_nodes(dict(graph.nodes(data=True)), expected)
    by_type = {}
    for _u, _v, data in graph.edges(data=True):
        by_type[data["label"]] = by_type.get(data["label"], 0) + 1
    cypher_types = {r["t"]: r["n"] for r in _read(
        store, "MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS n")}
    assert by_type == cypher_types

    run_export(store, "json", tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    linked = nx.node_link_graph(data, edges="edges", name="key")
    assert (linked.number_of_nodes(), linked.number_of_edges()) == (nodes, rels)
    _same_nodes(dict(linked.nodes(data=True)), expected)
    assert sorted((u, v, k) for u, v, k in linked.edges(keys=True)) == sorted(
        (u, v, d["label"]) for u, v, d in graph.edges(data=True))

    run_export(store, "gexf", tmp_path / "g.gexf")
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    assert (gexf.number_of_nodes(), gexf.number_of_edges()) == (nodes, rels)
    some = next(iter(expected))
    assert gexf.nodes[some]["external_id"] == expected[some]["id"]
    assert gexf.nodes[some]["label"] == expected[some]["label"]

    for fmt in ("graphml", "gexf", "json"):  # the same graph gives the same bytes
        assert _export_file(store, fmt)[0] == _export_file(store, fmt)[0], fmt

    # the streamed files read back as networkx's own writers' files do (an independent
    # implementation of both formats)
    for ours, reader, theirs in (("g.graphml", nx.read_graphml, nx.write_graphml),
                                 ("g.gexf", nx.read_gexf, nx.write_gexf)):
        g = to_networkx(read_graph(store))
        if ours == "g.gexf":  # GEXF reserves a node's id (service.exports)
            for _node, data in g.nodes(data=True):
                data["external_id"] = data.pop("id")
        buffer = io.BytesIO()
        theirs(g, buffer)
        expected = reader(io.BytesIO(buffer.getvalue()))
        got = reader(tmp_path / ours)
        assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True)), ours
        assert type(got) is type(expected), ours
        assert sorted(got.edges(data=True), key=repr) == sorted(
            expected.edges(data=True), key=repr), ours


def _export_file(store, fmt, cluster=None):
    """``(content, media type, file name)`` of the download the API sends
    (:func:`service.usecases.partnership.export_file`, written in a fresh cache)."""
    from service.usecases import Context
    from service.usecases.partnership import export_file

    ctx = Context(store)  # its cache's folder holds the file while it is read
    stored = export_file(ctx, fmt, cluster)
    return Path(stored.path).read_bytes(), stored.media_type, stored.filename


def test_demo_graphml_gexf_json(demo, tmp_path):
    _check_networkx_formats(demo, tmp_path)
    content, media_type, _ = _export_file(demo, "graphml", "oceanopole")
    part = nx.read_graphml(io.BytesIO(content), force_multigraph=True)
    assert "Cluster:oceanopole" in part and "Cluster:mnc" not in part
    assert media_type == "application/graphml+xml"


def test_cordis_graphml_gexf_json_keep_every_property(cordis, tmp_path):
    _check_networkx_formats(cordis, tmp_path)


def test_cordis_bundle_round_trips_its_canonical_columns(cordis, tmp_path):
    graph = read_graph(cordis)
    first = tmp_path / "first"
    summary = run_export(cordis, "bundle", first)
    undescribed = sum(1 for p in graph.nodes["Project"].values() if not p.get("title"))
    assert undescribed and summary["notes"] == [
        f"projects.csv: {undescribed} empty 'title' filled from acronym or id"]
    dataset = read_bundle(first)
    # the bundle carries the canonical columns only; CORDIS's extra properties are in
    # GraphML, GEXF and JSON (test_cordis_graphml_gexf_json_keep_every_property)
    assert "pic" not in dataset.actors[0] and "pic" in next(iter(graph.nodes["Actor"].values()))
    assert len(dataset.actors) == len(graph.nodes["Actor"])
    assert len(dataset.participations) == sum(
        1 for r in graph.relationships if r[0] == "PARTICIPATES_IN")
    cordis.delete_all()
    cordis.write(dataset, kind="bundle")
    second = tmp_path / "second"
    run_export(cordis, "bundle", second)
    assert _files(second) == _files(first)


# -- the API --------------------------------------------------------------------------
@pytest.fixture
def client(demo, neo4j_settings, tmp_path, sign_in):
    from service import create_app
    from service.api.exports import exports_blueprint

    config = {key: neo4j_settings[key] for key in
              ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
    config["SYNERGRAPH_HOME"] = str(tmp_path / "home")
    config["TESTING"] = True
    app = create_app(config)
    if exports_blueprint.name not in app.blueprints:
        app.register_blueprint(exports_blueprint)
    yield sign_in(app, app.test_client(), "evaluator")
    app.extensions["synergraph"].store.close()


def test_api_exports(client, demo, tmp_path):
    response = client.get("/api/v1/export?format=bundle&cluster=ce3m")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="synergraph-export-ce3m.zip"' in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        archive.extractall(tmp_path)
    dataset = read_bundle(tmp_path / "synergraph-export-ce3m")
    assert [c["id"] for c in dataset.clusters] == ["ce3m"]

    nodes, rels = _cypher_counts(demo)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        response = client.get(f"/api/v1/export?format={fmt}")
        assert response.status_code == 200, fmt
        graph = reader(io.BytesIO(response.data))
        assert graph.number_of_nodes() == nodes, fmt
    body = client.get("/api/v1/export?format=json").get_json()
    assert len(body["nodes"]) == nodes and len(body["edges"]) == rels

    # sent from the file the cache keeps on disk: a resumed download gets the rest
    whole = client.get("/api/v1/export?format=graphml")
    assert int(whole.headers["Content-Length"]) == len(whole.data) and whole.headers["ETag"]
    rest = client.get("/api/v1/export?format=graphml", headers={"Range": "bytes=100-"})
    assert rest.status_code == 206 and rest.data == whole.data[100:]
    unchanged = client.get("/api/v1/export?format=graphml",
                           headers={"If-None-Match": whole.headers["ETag"]})
    assert unchanged.status_code == 304 and not unchanged.data

    response = client.get("/api/v1/export?format=pdf")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    response = client.get("/api/v1/export?format=bundle&cluster=nope")
    assert response.status_code == 404
    assert response.get_json()["type"].endswith("/not-found")
