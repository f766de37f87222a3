"""The network renderings on a hand-made result: types Gephi reads as numbers, no ``None``
written, formula cells neutralised, graph-level attributes present."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import networkx as nx
import pytest

from service.network_export import (
    csv_files,
    csv_zip,
    gexf_bytes,
    graphml_bytes,
    network_file,
    network_graph,
    write_network,
)

METHODS = {"betweenness": {"exact": False, "method": "sampled sources (Brandes-Pich)",
                           "sample": 64, "seed": 0, "bound": "within ±0.1"},
           "degree": {"exact": True, "method": "exact", "sample": None, "seed": None,
                      "bound": None}}


def _result() -> dict:
    nodes = [
        {"id": "a", "name": "=HYPERLINK(\"http://x\")", "kind": "sme", "clusters": ["c1", "c2"],
         "country": "MA", "synthetic": True, "degree": 1, "strength": 2.0,
         "betweenness": 0.0, "constraint": 1.0, "community": 0, "degree_rank": 1,
         "degree_percentile": 50.0},
        {"id": "b", "name": "-1+2", "kind": "university", "clusters": [], "country": None,
         "synthetic": True, "degree": 1, "strength": 2.0, "betweenness": 0.25,
         "constraint": 1.0, "community": 0, "degree_rank": 1, "degree_percentile": 50.0},
        {"id": "c", "name": "Isolated Lab", "kind": "research_lab", "clusters": ["c1"],
         "country": "FR", "synthetic": False, "degree": 0, "strength": 0.0,
         "betweenness": 0.0, "constraint": None, "community": 1, "degree_rank": 3,
         "degree_percentile": 0.0},
    ]
    edges = [
        {"source": "a", "target": "b", "weight": 2, "newman": 1.5, "first_year": 2012,
         "last_year": 2014, "projects": ["p1", "p2"]},
    ]
    edges_without_years = [{"source": "b", "target": "c", "weight": 1, "newman": 1.0,
                            "first_year": None, "last_year": None, "projects": ["p3"]}]
    return {
        "meta": {"group": {"kind": "cluster", "id": "c1", "name": "Cluster One"},
                 "filter": {"years": [2012, 2014], "kinds": [], "programme": None,
                            "min_weight": 1},
                 "filter_args": {"years": "2012-2014"}, "graph_version": 7, "nodes": 3,
                 "edges": 2, "sources": ["demo"], "attribution": "© someone", "synthetic": True,
                 "synthetic_actors": 2, "weighted": False, "seed": 0, "methods": METHODS,
                 "approximate": ["betweenness"]},
        "node_columns": ["id", "name", "kind", "clusters", "country", "synthetic", "degree",
                         "strength", "betweenness", "constraint", "community", "degree_rank",
                         "degree_percentile"],
        "nodes": nodes,
        "edge_columns": ["source", "target", "weight", "newman", "first_year", "last_year",
                         "projects"],
        "edges": edges + edges_without_years,
    }


def test_graph_is_typed_and_has_no_none():
    g = network_graph(_result())
    assert g.nodes["a"]["clusters"] == "c1;c2" and g.nodes["b"]["clusters"] == ""
    assert "country" not in g.nodes["b"] and "constraint" not in g.nodes["c"]
    assert g.nodes["a"]["label"] == g.nodes["a"]["name"]
    assert g.edges["b", "c"] == {"weight": 1, "newman": 1.0, "projects": "p3"}
    assert g.edges["a", "b"]["first_year"] == 2012
    for _, data in [*g.nodes(data=True), *((None, d) for *_e, d in g.edges(data=True))]:
        assert None not in data.values()
    assert g.graph["approximate_metrics"] == "betweenness"
    assert "sampled sources" in g.graph["approximation_methods"]
    assert "within ±0.1" in g.graph["approximation_methods"]
    assert g.graph["group"] == "cluster:c1" and g.graph["filter"] == "years=2012-2014"


def test_gexf_types_and_meta():
    data = gexf_bytes(_result())
    assert b"None" not in data
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.fromstring(data)
    types = {(a.get("title")): a.get("type") for a in root.iter(f"{{{ns['g']}}}attribute")}
    assert types["degree"] == types["community"] == types["first_year"] == "long"
    assert types["strength"] == types["betweenness"] == types["newman"] == "double"
    assert types["synthetic"] == "boolean" and types["clusters"] == "string"
    description = json.loads(root.find("g:meta/g:description", ns).text)
    assert description["synthetic"] is True and description["graph_version"] == 7
    assert description["attribution"] == "© someone"
    assert "synthetic data" in root.find("g:meta/g:keywords", ns).text
    g = nx.read_gexf(io.BytesIO(data))
    assert g.nodes["c"]["degree"] == 0 and isinstance(g.nodes["c"]["degree"], int)
    assert g.nodes["b"]["betweenness"] == 0.25
    assert g.edges["a", "b"]["weight"] == 2
    assert g.nodes["a"]["label"] == '=HYPERLINK("http://x")'  # XML: no formula risk


def test_graphml_reads_back_with_types_and_graph_attributes():
    g = nx.read_graphml(io.BytesIO(graphml_bytes(_result())))
    assert g.graph["graph_version"] == 7 and g.graph["synthetic"] is True
    assert g.graph["source"] == "demo"
    assert g.nodes["a"]["synthetic"] is True and g.nodes["c"]["synthetic"] is False
    assert g.nodes["a"]["degree_percentile"] == 50.0 and g.nodes["a"]["degree_rank"] == 1
    assert g.edges["a", "b"]["weight"] == 2 and isinstance(g.edges["a", "b"]["weight"], int)
    assert "first_year" not in g.edges["b", "c"]


def test_csv_cells_are_neutralised_and_empty_when_undefined():
    files = csv_files(_result())
    nodes = list(csv.DictReader(io.StringIO(files["nodes.csv"].decode("utf-8"))))
    assert nodes[0]["name"] == "'=HYPERLINK(\"http://x\")"
    assert nodes[1]["name"] == "'-1+2"
    assert nodes[1]["country"] == "" and nodes[2]["constraint"] == ""
    assert nodes[0]["clusters"] == "c1;c2"
    edges = list(csv.DictReader(io.StringIO(files["edges.csv"].decode("utf-8"))))
    assert edges[1]["first_year"] == "" and edges[0]["projects"] == "p1;p2"
    meta = json.loads(files["meta.json"])
    assert meta["methods"]["betweenness"]["exact"] is False
    with zipfile.ZipFile(io.BytesIO(csv_zip(files))) as archive:
        assert archive.read("nodes.csv") == files["nodes.csv"]
    assert csv_zip(files) == csv_zip(files)  # deterministic


@pytest.mark.parametrize(("fmt", "media", "name"), [
    ("gexf", "application/gexf+xml", "synergraph-network-cluster-c1-years-2012-2014.gexf"),
    ("graphml", "application/graphml+xml",
     "synergraph-network-cluster-c1-years-2012-2014.graphml"),
    ("csv", "application/zip", "synergraph-network-cluster-c1-years-2012-2014.csv.zip"),
])
def test_network_file(fmt, media, name, tmp_path):
    out = tmp_path / f"network.{name.split('.', 1)[1]}"
    media_type, filename = network_file(_result(), fmt, out)
    assert out.read_bytes() and media_type == media and filename == name
    with pytest.raises(ValueError, match="unknown network format"):
        network_file(_result(), "pdf", tmp_path / "network.pdf")


def test_write_network_leaves_no_half_written_file(tmp_path, monkeypatch):
    out = tmp_path / "net.gexf"
    assert write_network(_result(), "gexf", out) == [str(out)]
    assert nx.read_gexf(out).number_of_nodes() == 3
    assert [p.name for p in tmp_path.iterdir()] == ["net.gexf"]

    def broken(g, fh, **_kw):
        fh.write(b"<?xml version='1.0'?><gexf")
        raise OSError("disk full")

    monkeypatch.setattr("service.network_export.write_gexf", broken)
    with pytest.raises(OSError, match="disk full"):
        write_network(_result(), "gexf", tmp_path / "other.gexf")
    assert [p.name for p in tmp_path.iterdir()] == ["net.gexf"]  # no other.gexf, no .part
