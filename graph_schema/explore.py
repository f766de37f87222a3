"""Cypher of the web explorer pages (actor and project details), as named constants.

Every statement takes ``$parameters``; the functions below receive a
:class:`~graph_schema.store.GraphStore` and run them as read transactions through
``store._read`` (the gateway's only read path), returning plain dicts.
"""

from __future__ import annotations

from .store import GraphStore

__all__ = [
    "ACTOR_DETAIL",
    "ACTOR_PROJECTS",
    "PROJECT_DETAIL",
    "actor_detail",
    "actor_projects",
    "project_detail",
]

ACTOR_DETAIL = """
MATCH (a:Actor {id: $id})
OPTIONAL MATCH (a)-[:LOCATED_IN]->(r:Region)
OPTIONAL MATCH (a)-[m:MEMBER_OF]->(c:Cluster)
WITH a, r, collect(CASE WHEN c IS NULL THEN NULL
                        ELSE {id: c.id, name: c.name, since: m.since} END) AS clusters
OPTIONAL MATCH (a)-[:ACTIVE_IN]->(n:Niche)
RETURN a {.*} AS actor, r {.id, .name} AS region, clusters,
       collect(n {.id, .name}) AS niches
"""

ACTOR_PROJECTS = """
MATCH (a:Actor {id: $id})-[r:PARTICIPATES_IN]->(p:Project)
OPTIONAL MATCH (p)<-[:PARTICIPATES_IN]-(other:Actor)
WITH p, r, count(DISTINCT other) AS participants
RETURN p.id AS id, p.title AS title, p.acronym AS acronym, p.start_year AS start_year,
       p.end_year AS end_year, r.role AS role, participants, p.synthetic AS synthetic
ORDER BY p.start_year DESC, p.id
"""

PROJECT_DETAIL = """
MATCH (p:Project {id: $id})
OPTIONAL MATCH (p)-[f:FUNDED_BY]->(g:Programme)
WITH p, collect(CASE WHEN g IS NULL THEN NULL ELSE
  {id: g.id, name: g.name, amount: f.amount, currency: f.currency, year: f.year} END)
  AS fundings
OPTIONAL MATCH (p)<-[r:PARTICIPATES_IN]-(a:Actor)
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
WITH p, fundings, r, a, collect(c {.id, .name}) AS clusters
RETURN p {.*} AS project, fundings,
       collect(CASE WHEN a IS NULL THEN NULL ELSE
         {id: a.id, name: a.name, kind: a.kind, country: a.country, role: r.role,
          synthetic: a.synthetic, clusters: clusters} END) AS participants
"""


def actor_detail(store: GraphStore, actor_id: str) -> dict | None:
    """The actor's properties, region, clusters (with ``since``) and niches, or None."""
    rows = store._read(ACTOR_DETAIL, id=actor_id)
    if not rows:
        return None
    row = rows[0]
    actor = dict(row["actor"])
    actor["region"] = row["region"]
    actor["clusters"] = sorted(row["clusters"], key=lambda c: str(c["name"]))
    actor["niches"] = sorted(row["niches"], key=lambda n: str(n["name"]))
    return actor


def actor_projects(store: GraphStore, actor_id: str) -> list[dict]:
    """The actor's projects, newest first, with its role and the number of participants."""
    return store._read(ACTOR_PROJECTS, id=actor_id)


def project_detail(store: GraphStore, project_id: str) -> dict | None:
    """The project's properties, fundings and consortium (kinds, countries, clusters)."""
    rows = store._read(PROJECT_DETAIL, id=project_id)
    if not rows:
        return None
    row = rows[0]
    project = dict(row["project"])
    project["fundings"] = sorted(row["fundings"], key=lambda f: (str(f["name"]), f["year"] or 0))
    project["participants"] = sorted(
        row["participants"], key=lambda p: (p["role"] != "coordinator", str(p["name"])))
    return project
