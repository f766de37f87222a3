"""The streamed GraphML and GEXF writers against networkx's own writers (an independent
implementation): networkx reads both files back to the same graph; ours stay well-formed
where a value holds a character XML cannot carry, and write as they go."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from service.graphxml import write_gexf, write_graphml


def _graph(cls) -> nx.Graph:
    g = cls()
    g.graph["name"] = 'Ties & "friends" <2026>'
    g.graph["synthetic"] = True
    g.graph["version"] = 7
    g.add_node("a", label="Alpha & Co", kind="sme", degree=3, share=0.25, synthetic=True)
    g.add_node("b<&>", label='quote " and newline\nhere', kind="university", degree=1,
               share=1e-07, synthetic=False, city="Zürich — 東京")
    g.add_node("c", degree=0, share=-2.5)
    g.add_node("lonely")
    g.add_edge("a", "b<&>", weight=2, newman=1.5, first_year=2012, projects="p1;p2")
    g.add_edge("b<&>", "c", weight=1, newman=1.0, projects="p3")
    g.add_edge("a", "c")
    return g


def _multi() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("Actor:x", label="Actor", name="X", budget=10.5, sme=True)
    g.add_node("Project:p", label="Project", title="P", start_year=2014)
    g.add_node("Programme:h", label="Programme", name="H2020")
    g.add_edge("Actor:x", "Project:p", key="PARTICIPATES_IN", label="PARTICIPATES_IN",
               contribution=1000.0, role="coordinator")
    g.add_edge("Actor:x", "Project:p", key="LEADS", label="LEADS")
    g.add_edge("Project:p", "Programme:h", key="FUNDED_BY", label="FUNDED_BY", amount=5)
    g.add_edge("Project:p", "Programme:h", key='odd "key" <&>\n', note="line 1\nline 2")
    return g


def _ours(writer, g, **kw) -> bytes:
    buffer = io.BytesIO()
    writer(g, buffer, **kw)
    return buffer.getvalue()


def _networkx(writer, g) -> bytes:
    buffer = io.BytesIO()
    writer(g, buffer)
    return buffer.getvalue()


def _same(got: nx.Graph, expected: nx.Graph) -> None:
    assert type(got) is type(expected)
    assert dict(got.nodes(data=True)) == dict(expected.nodes(data=True))
    if got.is_multigraph():
        assert sorted(got.edges(keys=True, data=True), key=repr) == sorted(
            expected.edges(keys=True, data=True), key=repr)
    else:
        assert {frozenset((u, v)): d for u, v, d in got.edges(data=True)} == {
            frozenset((u, v)): d for u, v, d in expected.edges(data=True)}
    assert got.graph == expected.graph


@pytest.mark.parametrize("make", [lambda: _graph(nx.Graph), lambda: _graph(nx.DiGraph), _multi])
def test_graphml_reads_back_as_networkx_own_file(make):
    ours = nx.read_graphml(io.BytesIO(_ours(write_graphml, make())))
    theirs = nx.read_graphml(io.BytesIO(_networkx(nx.write_graphml, make())))
    _same(ours, theirs)
    assert isinstance(ours.nodes["a" if "a" in ours else "Actor:x"].get("degree", 0), int)


@pytest.mark.parametrize("make", [lambda: _graph(nx.Graph), lambda: _graph(nx.DiGraph), _multi])
def test_gexf_reads_back_as_networkx_own_file(make):
    ours = nx.read_gexf(io.BytesIO(_ours(write_gexf, make())))
    theirs = nx.read_gexf(io.BytesIO(_networkx(nx.write_gexf, make())))
    _same(ours, theirs)


def test_graphml_types_are_declared_per_name_type_and_scope():
    root = ET.fromstring(_ours(write_graphml, _graph(nx.Graph)))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(ns + "key")}
    assert keys[("node", "degree")] == "long" and keys[("node", "share")] == "double"
    assert keys[("node", "synthetic")] == "boolean" and keys[("edge", "weight")] == "long"
    assert keys[("graph", "name")] == "string" and keys[("graph", "version")] == "long"


def test_gexf_meta_and_non_finite_numbers():
    g = _graph(nx.Graph)
    g.nodes["c"]["share"] = math.inf
    g.nodes["a"]["share"] = math.nan
    data = _ours(write_gexf, g, creator="Synergraph", keywords="a, b",
                 description='{"x": 1}')
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.fromstring(data)
    assert root.find("g:meta/g:creator", ns).text == "Synergraph"
    assert root.find("g:meta/g:keywords", ns).text == "a, b"
    assert root.find("g:meta/g:description", ns).text == '{"x": 1}'
    assert root.find("g:graph", ns).get("name") == 'Ties & "friends" <2026>'
    back = nx.read_gexf(io.BytesIO(data))
    assert back.nodes["c"]["share"] == math.inf and math.isnan(back.nodes["a"]["share"])


@pytest.mark.parametrize(("writer", "reader", "networkx_writer"), [
    (write_graphml, nx.read_graphml, nx.write_graphml),
    (write_gexf, nx.read_gexf, nx.write_gexf),
])
def test_characters_xml_cannot_hold_are_dropped_not_written(writer, reader, networkx_writer):
    g = nx.Graph()
    g.add_node("n\x01", label="bell\x07 and nul\x00 name", kind="tab\there")
    g.add_edge("n\x01", "m", note="form\x0cfeed")
    with pytest.raises(ET.ParseError):  # networkx's writer gives a file no reader can parse
        ET.fromstring(_networkx(networkx_writer, g))
    back = reader(io.BytesIO(_ours(writer, g)))
    assert set(back.nodes) == {"n", "m"}
    assert back.nodes["n"]["label"] == "bell and nul name"
    assert back.nodes["n"]["kind"] == "tab\there"


@pytest.mark.parametrize(("writer", "reader"), [(write_graphml, nx.read_graphml),
                                                (write_gexf, nx.read_gexf)])
def test_whitespace_survives_where_networkx_loses_it(writer, reader):
    g = nx.Graph()
    g.add_node("a", note="one\r\ntwo\tthree\n")
    assert reader(io.BytesIO(_ours(writer, g))).nodes["a"]["note"] == "one\r\ntwo\tthree\n"


class _CountingFile(io.BytesIO):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, data):
        self.writes += 1
        return super().write(data)


@pytest.mark.parametrize("writer", [write_graphml, write_gexf])
def test_writers_stream_in_chunks(writer, monkeypatch):
    monkeypatch.setattr("service.graphxml._CHUNK", 1_000)  # lines per write
    g = nx.gnm_random_graph(3_000, 12_000, seed=1)
    for u, v, data in g.edges(data=True):
        data["weight"] = (u + v) % 7 + 1
    fh = _CountingFile()
    writer(g, fh)
    assert fh.writes >= 15  # written as it goes, not as one document at the end
    back = (nx.read_graphml if writer is write_graphml else nx.read_gexf)(
        io.BytesIO(fh.getvalue()), node_type=int)
    assert back.number_of_nodes() == 3_000 and back.number_of_edges() == 12_000
    assert back.edges[0, next(iter(g[0]))]["weight"] == g.edges[0, next(iter(g[0]))]["weight"]


def test_none_is_not_written_and_lists_are_json():
    g = nx.Graph()
    g.add_node("a", missing=None, tags=["x", "y"], meta={"k": 1})
    back = nx.read_graphml(io.BytesIO(_ours(write_graphml, g)))
    assert back.nodes["a"] == {"tags": '["x", "y"]', "meta": '{"k": 1}'}


def test_the_graph_export_gexf_renames_id_without_changing_the_callers_graph():
    from service.exports import gexf_bytes

    g = _multi()
    g.nodes["Actor:x"]["id"] = "x"
    before = {n: dict(d) for n, d in g.nodes(data=True)}
    back = nx.read_gexf(io.BytesIO(gexf_bytes(g)))
    assert back.nodes["Actor:x"]["external_id"] == "x"
    assert {n: dict(d) for n, d in g.nodes(data=True)} == before


def test_write_file_leaves_nothing_when_the_writer_fails(tmp_path):
    from service.graphxml import write_file

    def broken(fh):
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_file(tmp_path / "sub" / "g.graphml", broken)
    assert list((tmp_path / "sub").iterdir()) == []
    write_file(tmp_path / "sub" / "g.graphml", lambda fh: fh.write(b"whole"))
    assert (tmp_path / "sub" / "g.graphml").read_bytes() == b"whole"


def test_two_writers_of_the_same_file_never_write_into_one(tmp_path):
    """Two threads (or service processes sharing the cache folder) writing the same file at
    once: each writes its own file beside it, so the result is one writer's whole file."""
    import threading

    from service.graphxml import write_file

    out = tmp_path / "g.graphml"
    inside = threading.Barrier(2)

    def writer(byte):
        def write(fh):
            fh.write(byte * 50_000)
            inside.wait(10)  # both are writing now
            fh.write(byte * 50_000)
        return write

    threads = [threading.Thread(target=write_file, args=(out, writer(b)))
               for b in (b"a", b"b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    content = out.read_bytes()
    assert content in (b"a" * 100_000, b"b" * 100_000)
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]
