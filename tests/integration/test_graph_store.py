"""GraphStore, the only user of the driver: its lifetime (``close()``, ``with``) and the
read methods of the explorer pages, against the real Neo4j server on a hand-made graph."""

from __future__ import annotations

import pytest
from helpers import write_files

from graph_schema.store import DATABASE_ERRORS
from loaders.bundle import read_bundle

pytestmark = [pytest.mark.neo4j]

# Two clusters (named so that "Alpha" sorts before "Zeta" although its id does not), one
# project coordinated by a2 with a1 and a3 as partners, one funding, one niche.
TINY = {
    "regions.csv": "id,name,kind,country,parent_id\nMA,Maroc,country,MA,\n",
    "clusters.csv": "id,name\nz-cl,Alpha cluster\na-cl,Zeta cluster\n",
    "niches.csv": "id,name\nn1,Mobile\n",
    "programmes.csv": "id,name\ntatouir,Tatouir\n",
    "actors.csv": ("id,name,kind,country,region_id\n"
                   "a1,Atlas Mobile,sme,MA,MA\n"
                   "a2,Université Hassan II,university,MA,\n"
                   "a3,Bravo Labs,research_lab,MA,\n"),
    "memberships.csv": "actor_id,cluster_id,since\na1,a-cl,2012\na1,z-cl,2011\na2,z-cl,\n",
    "projects.csv": ("id,title,start_year,end_year\n"
                     "p-old,Old project,2011,2012\np-new,New project,2013,2014\n"),
    "participations.csv": ("actor_id,project_id,role\n"
                           "a1,p-new,partner\na2,p-new,coordinator\na3,p-new,partner\n"
                           "a1,p-old,coordinator\n"),
    "fundings.csv": "project_id,programme_id,amount,currency,year\np-new,tatouir,900000,MAD,2013\n",
    "activities.csv": "actor_id,cluster_id,niche_id\na1,,n1\n",
}


@pytest.fixture
def tiny(store, tmp_path):
    store.write(read_bundle(write_files(tmp_path / "tiny", TINY)), kind="bundle")
    return store


def test_with_closes_the_driver(neo4j_settings):
    from service.db import make_store

    with make_store(neo4j_settings) as store:
        assert store.graph_version() >= 0  # open: answers
    with pytest.raises(DATABASE_ERRORS):
        store.graph_version()  # closed by the with block
    store.close()  # closing twice is harmless


def test_close_and_verify_connectivity(neo4j_settings):
    from service.db import make_store

    store = make_store(neo4j_settings)
    store.verify_connectivity()
    store.close()
    with pytest.raises(DATABASE_ERRORS):
        store.verify_connectivity()


def test_actor_detail(tiny):
    actor = tiny.actor_detail("a1")
    assert actor["name"] == "Atlas Mobile" and actor["kind"] == "sme"
    assert actor["region"] == {"id": "MA", "name": "Maroc"}
    # by cluster name, each with the year the actor joined
    assert actor["clusters"] == [{"id": "z-cl", "name": "Alpha cluster", "since": 2011},
                                 {"id": "a-cl", "name": "Zeta cluster", "since": 2012}]
    assert actor["niches"] == [{"id": "n1", "name": "Mobile"}]
    bare = tiny.actor_detail("a3")
    assert bare["region"] is None and bare["clusters"] == [] and bare["niches"] == []
    assert tiny.actor_detail("nobody") is None


def test_actor_projects(tiny):
    rows = tiny.actor_projects("a1")
    # newest first; participants counted over the whole consortium, the actor included
    assert [(r["id"], r["role"], r["participants"]) for r in rows] == [
        ("p-new", "partner", 3), ("p-old", "coordinator", 1)]
    assert tiny.actor_projects("nobody") == []


def test_project_detail(tiny):
    project = tiny.project_detail("p-new")
    assert project["title"] == "New project" and project["start_year"] == 2013
    assert project["fundings"] == [{"id": "tatouir", "name": "Tatouir", "amount": 900000.0,
                                    "currency": "MAD", "year": 2013}]
    # the coordinator first, then by name
    assert [p["id"] for p in project["participants"]] == ["a2", "a1", "a3"]
    a1 = project["participants"][1]
    assert sorted(c["id"] for c in a1["clusters"]) == ["a-cl", "z-cl"]
    assert tiny.project_detail("p-old")["fundings"] == []
    assert tiny.project_detail("nothing") is None


def test_export_reads(tiny):
    nodes = tiny.export_nodes()
    assert sorted(nodes["Actor"]) == ["a1", "a2", "a3"]
    assert nodes["Actor"]["a2"]["name"] == "Université Hassan II"
    assert nodes["Target"] == {}
    rels = {(r[0], r[2], r[4]) for r in tiny.export_relationships()}
    assert ("MEMBER_OF", "a1", "z-cl") in rels and ("FUNDED_BY", "p-new", "tatouir") in rels
    assert ("LOCATED_IN", "a1", "MA") in rels and ("ACTIVE_IN", "a1", "n1") in rels
    assert len(rels) == 3 + 4 + 1 + 1 + 1  # memberships, participations, funding, niche, region
    assert [load["source"] for load in tiny.export_loads()] == ["bundle:tiny"]
