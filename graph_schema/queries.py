"""Every Cypher statement Synergraph runs, as named constants with ``$parameters``.

Labels and relationship types cannot be Cypher parameters; the few statements built per
label below are built once, at import time, from the fixed model in
:mod:`graph_schema.model` — never from user input. User values always travel as parameters.
"""

from __future__ import annotations

from .model import NODE_LABELS, REL_TYPES

# --------------------------------------------------------------------------------------
# Schema (synergraph db migrate)
# --------------------------------------------------------------------------------------
CONSTRAINTS: tuple[str, ...] = tuple(
    f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    for label in (*NODE_LABELS, "Load", "Synergraph", "LoadRun")
)

INDEXES: tuple[str, ...] = (
    "CREATE INDEX actor_kind IF NOT EXISTS FOR (n:Actor) ON (n.kind)",
    "CREATE INDEX actor_name IF NOT EXISTS FOR (n:Actor) ON (n.name)",
    "CREATE INDEX actor_country IF NOT EXISTS FOR (n:Actor) ON (n.country)",
    "CREATE INDEX project_start_year IF NOT EXISTS FOR (n:Project) ON (n.start_year)",
    "CREATE INDEX region_kind IF NOT EXISTS FOR (n:Region) ON (n.kind)",
    "CREATE INDEX output_indicator IF NOT EXISTS FOR (n:Output) ON (n.indicator)",
    "CREATE INDEX load_source IF NOT EXISTS FOR (n:Load) ON (n.source)",
    "CREATE INDEX load_run_at IF NOT EXISTS FOR (n:LoadRun) ON (n.at)",
)

SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name"
SHOW_INDEXES = "SHOW INDEXES YIELD name, state RETURN name, state ORDER BY name"
AWAIT_INDEXES = "CALL db.awaitIndexes($timeout_s)"

# --------------------------------------------------------------------------------------
# Writes. Each statement takes a batch: UNWIND $rows, thousands of rows per statement.
# Upserts report, per row, whether it was created, updated or unchanged.
# Every row written carries its provenance as ``source`` and ``load_id``; when it was
# loaded is on its load's node (Load {id: load_id}: first_loaded_at, last_loaded_at), not
# repeated on each row: a per-row timestamp took about 14 % of the write of a whole-H2020
# load.
# --------------------------------------------------------------------------------------
# A freshly merged entity has no load_id yet (every write sets one): that tells created
# from existing without a second look-up. An existing one is 'unchanged' when every
# property of the row already holds the same value.
_STATUS = """
CASE
  WHEN e.load_id IS NULL THEN 'created'
  WHEN all(k IN keys(row.props) WHERE
           coalesce(e[k] = row.props[k], e[k] IS NULL AND row.props[k] IS NULL))
    THEN 'unchanged'
  ELSE 'updated'
END AS status"""

# A row written by a second source keeps the first one: ``sources`` lists every source that
# holds it, and exists only once a row is shared (``source`` alone names a single holder,
# as rows written before sync existed do). ``source`` stays the last writer.
_SHARE = """
FOREACH (_ IN CASE WHEN e.source IS NOT NULL AND e.source <> $source
                        AND NOT $source IN coalesce(e.sources, []) THEN [1] ELSE [] END |
  SET e.sources = coalesce(e.sources, [e.source]) + $source)"""


def _upsert_nodes(label: str) -> str:
    return f"""
UNWIND $rows AS row
MERGE (e:{label} {{id: row.id}})
WITH e, row, {_STATUS}{_SHARE}
SET e += row.props, e.source = $source, e.load_id = $load_id
RETURN status, count(*) AS rows, collect(row.id)[..$examples] AS examples
"""


UPSERT_NODES: dict[str, str] = {label: _upsert_nodes(label) for label in NODE_LABELS}

# The fast path of a load (GraphStore.write): when the graph holds no node of a label at the
# start of the load's transaction, every node of it, every link such a node carries and every
# relationship between two such labels is new, so a plain CREATE gives exactly what the
# MERGE would, without its look-ups and comparisons. The load checks the input holds each
# key once before taking this path, and reads what is empty with COUNT_LABELS (below).


def _create_nodes(label: str) -> str:
    return f"""
UNWIND $rows AS row
CREATE (e:{label} {{id: row.id}})
SET e += row.props, e.source = $source, e.load_id = $load_id
RETURN 'created' AS status, count(*) AS rows, collect(row.id)[..$examples] AS examples
"""


CREATE_NODES: dict[str, str] = {label: _create_nodes(label) for label in NODE_LABELS}


def _rel_ends(start: str, end: str) -> str:
    """The start of a relationship statement: each row's two ends, ``a`` and ``b``."""
    return f"""
UNWIND $rows AS row
MATCH (a:{start} {{id: row.start}})
MATCH (b:{end} {{id: row.end}})"""


def _upsert_rels(start: str, rel: str, end: str) -> str:
    return f"""{_rel_ends(start, end)}
MERGE (a)-[e:{rel}]->(b)
WITH e, row, {_STATUS}{_SHARE}
SET e += row.props, e.source = $source, e.load_id = $load_id
RETURN status, count(*) AS rows, collect(row.start + ' -> ' + row.end)[..$examples] AS examples
"""


def _create_rels(start: str, rel: str, end: str) -> str:
    return f"""{_rel_ends(start, end)}
CREATE (a)-[e:{rel}]->(b)
SET e += row.props, e.source = $source, e.load_id = $load_id
RETURN 'created' AS status, count(*) AS rows,
       collect(row.start + ' -> ' + row.end)[..$examples] AS examples
"""


#: The fast path of :data:`REL_UPSERTS`, by (start label, type, end label).
CREATE_RELS: dict[tuple[str, str, str], str] = {
    (start, rel, end): _create_rels(start, rel, end)
    for rel, pairs in REL_TYPES.items() for start, end in pairs
}

#: (dataset list, start label, relationship type, end label, start key, end key)
REL_UPSERTS: tuple[tuple[str, str, str, str, str, str, str], ...] = tuple(
    (target, start, rel, end, start_key, end_key, _upsert_rels(start, rel, end))
    for target, start, rel, end, start_key, end_key in (
        ("memberships", "Actor", "MEMBER_OF", "Cluster", "actor_id", "cluster_id"),
        ("participations", "Actor", "PARTICIPATES_IN", "Project", "actor_id", "project_id"),
        ("fundings", "Project", "FUNDED_BY", "Programme", "project_id", "programme_id"),
        ("activities", "Actor", "ACTIVE_IN", "Niche", "actor_id", "niche_id"),
        ("activities", "Cluster", "ACTIVE_IN", "Niche", "cluster_id", "niche_id"),
    )
)


def _set_link(label: str, rel: str, other: str, outgoing: bool) -> str:
    """Make the node's only ``rel`` link point to ``row.ref`` (or remove it when null)."""
    pattern_old = f"(n)-[old:{rel}]->(o:{other})" if outgoing else f"(n)<-[old:{rel}]-(o:{other})"
    pattern_new = f"(n)-[l:{rel}]->(o)" if outgoing else f"(n)<-[l:{rel}]-(o)"
    return f"""
UNWIND $rows AS row
MATCH (n:{label} {{id: row.id}})
OPTIONAL MATCH {pattern_old}
  WHERE row.ref IS NULL OR o.id <> row.ref
DELETE old
WITH DISTINCT n, row
WHERE row.ref IS NOT NULL
MATCH (o:{other} {{id: row.ref}})
MERGE {pattern_new}
WITH l AS e{_SHARE}
SET e.source = $source, e.load_id = $load_id
RETURN count(*) AS rows
"""


def _create_link(label: str, rel: str, other: str, outgoing: bool) -> str:
    """The fast path of :func:`_set_link`, for nodes created by this load (no old link)."""
    pattern_new = f"(n)-[l:{rel}]->(o)" if outgoing else f"(n)<-[l:{rel}]-(o)"
    return f"""
UNWIND $rows AS row
WITH row WHERE row.ref IS NOT NULL
MATCH (n:{label} {{id: row.id}})
MATCH (o:{other} {{id: row.ref}})
CREATE {pattern_new}
SET l.source = $source, l.load_id = $load_id
RETURN count(*) AS rows
"""


#: Links carried by a node's own fields: (dataset list, label, field, type, other, outgoing).
NODE_LINKS: tuple[tuple[str, str, str, str, str, bool, str], ...] = tuple(
    (target, label, field, rel, other, outgoing, _set_link(label, rel, other, outgoing))
    for target, label, field, rel, other, outgoing in (
        ("regions", "Region", "parent_id", "PART_OF", "Region", True),
        ("clusters", "Cluster", "region_id", "LOCATED_IN", "Region", True),
        ("actors", "Actor", "region_id", "LOCATED_IN", "Region", True),
        ("targets", "Target", "cluster_id", "HAS_TARGET", "Cluster", False),
        ("targets", "Target", "programme_id", "HAS_TARGET", "Programme", False),
        ("outputs", "Output", "cluster_id", "REPORTED", "Cluster", False),
        ("outputs", "Output", "project_id", "FROM_PROJECT", "Project", True),
    )
)

#: The fast path of :data:`NODE_LINKS`, by (label, type, other label, outgoing).
CREATE_LINKS: dict[tuple[str, str, str, bool], str] = {
    (label, rel, other, outgoing): _create_link(label, rel, other, outgoing)
    for _target, label, _field, rel, other, outgoing, _query in NODE_LINKS
}

RECORD_LOAD = """
MERGE (l:Load {id: $load_id})
ON CREATE SET l.first_loaded_at = $loaded_at, l.runs = 0
SET l.source = $source, l.attribution = $attribution, l.last_loaded_at = $loaded_at,
    l.runs = l.runs + 1, l.kind = $kind, l.synthetic = $synthetic,
    l.records = $records, l.seconds = $seconds, l.keys = $keys
"""

BUMP_GRAPH_VERSION = """
MERGE (m:Synergraph {id: 'graph'})
ON CREATE SET m.version = 0
SET m.version = m.version + 1, m.updated_at = $now
RETURN m.version AS version
"""

GRAPH_VERSION = "MATCH (m:Synergraph {id: 'graph'}) RETURN m.version AS version"

#: The graph's version and when it was set: names one state of the graph even across a
#: reset (the version counter restarts at 1 after the database is emptied).
GRAPH_STAMP = """
MATCH (m:Synergraph {id: 'graph'})
RETURN m.version AS version, toString(m.updated_at) AS updated_at
"""

DELETE_ALL_BATCH = """
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
"""

# --------------------------------------------------------------------------------------
# Sync (load --sync): after the upserts of a load, every row of the source that the input
# holds carries this load's $load_id; the source's other rows are "stale" and go. A stale
# row that another source also holds is only released: the source leaves its ``sources``,
# with the properties only it wrote ($drop_keys: per other source, the keys that source
# writes, null when unknown; $mine: the keys this source writes).
# --------------------------------------------------------------------------------------
_STALE = ("(e.source = $source OR $source IN coalesce(e.sources, [])) "
          "AND coalesce(e.load_id, '') <> $load_id")
_ONLY_MINE = "all(s IN coalesce(e.sources, [$source]) WHERE s = $source)"
_RELEASE = """
WITH e, key, [s IN e.sources WHERE s <> $source] AS rest
WITH e, key, rest,
     CASE WHEN any(s IN rest WHERE $keys[s] IS NULL) THEN []
          ELSE [k IN $mine WHERE none(s IN rest WHERE k IN $keys[s])] END AS drop
FOREACH (k IN drop | REMOVE e[k])
SET e.sources = CASE WHEN size(rest) > 1 THEN rest END, e.source = last(rest),
    e.load_id = $latest[last(rest)]
RETURN count(*) AS rows, collect(key)[..$examples] AS examples
"""


def _sync_rels(start: str, rel: str, end: str) -> tuple[str, str]:
    match = f"MATCH (a:{start})-[e:{rel}]->(b:{end})\nWHERE {_STALE}"
    delete = f"""
{match} AND {_ONLY_MINE}
WITH e, a.id + ' -> ' + b.id AS key
DELETE e
RETURN count(*) AS rows, collect(key)[..$examples] AS examples
"""
    release = f"""
{match} AND NOT {_ONLY_MINE}
WITH e, a.id + ' -> ' + b.id AS key{_RELEASE}"""
    return delete, release


def _sync_nodes(label: str) -> tuple[str, str]:
    # A stale node of this source alone goes unless a relationship still holds it (one of
    # another source, or of this input pointing at an id the graph held): it is "kept".
    delete = f"""
MATCH (e:{label})
WHERE {_STALE} AND {_ONLY_MINE}
WITH e, e.id AS key, EXISTS {{ (e)--() }} AS held
FOREACH (_ IN CASE WHEN held THEN [] ELSE [1] END | DELETE e)
RETURN CASE WHEN held THEN 'kept' ELSE 'deleted' END AS status, count(*) AS rows,
       collect(key)[..$examples] AS examples
"""
    release = f"""
MATCH (e:{label})
WHERE {_STALE} AND NOT {_ONLY_MINE}
WITH e, e.id AS key{_RELEASE}"""
    return delete, release


#: (type, start label, end label) -> (delete statement, release statement), relationships
#: first: a node is deleted only once no relationship holds it.
SYNC_RELS: dict[tuple[str, str, str], tuple[str, str]] = {
    (rel, start, end): _sync_rels(start, rel, end)
    for rel, pairs in REL_TYPES.items()
    for start, end in pairs
}
#: label -> (delete statement, release statement)
SYNC_NODES: dict[str, tuple[str, str]] = {label: _sync_nodes(label) for label in NODE_LABELS}

#: Every load's source, the property keys it wrote ("Label.key", "TYPE.key"; null for
#: loads recorded before sync existed) and when: what a release may remove.
SYNC_LOADS = """
MATCH (l:Load)
RETURN l.id AS id, l.source AS source, l.keys AS keys, l.last_loaded_at AS last_loaded_at
ORDER BY l.last_loaded_at, l.id
"""

# --------------------------------------------------------------------------------------
# Load history: one LoadRun per load that ran (not for dry runs or failed loads), with its
# diff as JSON text (a map of maps, which a property cannot hold).
# --------------------------------------------------------------------------------------
RECORD_LOAD_RUN = """
CREATE (r:LoadRun {id: $run_id, load_id: $load_id, source: $source, kind: $kind,
                   at: $at, by: $by, via: $via, sync: $sync, synthetic: $synthetic,
                   seconds: $seconds, changed: $changed, graph_version: $graph_version,
                   diff: $diff})
"""

LOAD_RUNS_PAGE = """
CALL () { MATCH (r:LoadRun) RETURN count(r) AS total }
CALL () {
  MATCH (r:LoadRun)
  WITH r ORDER BY r.at DESC, r.id DESC SKIP $skip LIMIT $limit
  RETURN collect(r {.*}) AS items
}
RETURN total, items
"""

# --------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------
EXISTING_IDS: dict[str, str] = {
    label: f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id"
    for label in NODE_LABELS
}

#: One count per label and per relationship type (answered from Neo4j's count store).
COUNT_LABELS = "\nUNION ALL\n".join(
    f"MATCH (n:{label}) RETURN '{label}' AS name, count(n) AS n" for label in NODE_LABELS
)
COUNT_REL_TYPES = "\nUNION ALL\n".join(
    f"MATCH ()-[r:{rel}]->() RETURN '{rel}' AS name, count(r) AS n" for rel in REL_TYPES
)

CLUSTERS_OVERVIEW = """
MATCH (c:Cluster)
OPTIONAL MATCH (c)-[:LOCATED_IN]->(region:Region)
OPTIONAL MATCH (a:Actor)-[:MEMBER_OF]->(c)
WITH c, region, collect(a) AS members
CALL (members) {
  UNWIND members AS m
  RETURN collect(m.kind) AS kinds,
         sum(CASE WHEN m.synthetic THEN 1 ELSE 0 END) AS synthetic_members
}
CALL (members) {
  UNWIND members AS m
  MATCH (m)-[:PARTICIPATES_IN]->(p:Project)
  RETURN count(DISTINCT p) AS projects
}
OPTIONAL MATCH (c)-[:ACTIVE_IN]->(niche:Niche)
WITH c, region, members, kinds, synthetic_members, projects,
     collect(DISTINCT niche.name) AS niches
RETURN c {.id, .name, .field, .description, .founded_year, .synthetic, .source} AS cluster,
       region.name AS region, size(members) AS members, kinds, synthetic_members,
       projects, niches
ORDER BY c.name
"""

COUNTRIES_OVERVIEW = """
MATCH (country:Region {kind: 'country'})
CALL (country) {
  MATCH (a:Actor)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(country)
  RETURN count(DISTINCT a) AS actors,
         sum(CASE WHEN a.synthetic THEN 1 ELSE 0 END) AS synthetic_actors
}
WITH country, actors, synthetic_actors WHERE actors > 0
RETURN country.id AS id, country.name AS name, actors, synthetic_actors,
       country.source AS source
ORDER BY actors DESC, id
"""

CLUSTER_BY_ID = """
MATCH (c:Cluster {id: $id})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(region:Region)
OPTIONAL MATCH (c)-[:ACTIVE_IN]->(niche:Niche)
RETURN c {.*} AS cluster, region {.id, .name} AS region,
       collect(niche {.id, .name}) AS niches
"""

COUNTRY_BY_ID = """
MATCH (c:Region {id: $id, kind: 'country'})
RETURN c {.*} AS country
"""

CLUSTER_MEMBERS = """
MATCH (a:Actor)-[m:MEMBER_OF]->(:Cluster {id: $id})
OPTIONAL MATCH (a)-[:MEMBER_OF]->(other:Cluster)
WITH a, m, collect(other.id) AS clusters
RETURN a {.id, .name, .kind, .country, .city, .synthetic, .source} AS actor,
       m.since AS since, clusters
ORDER BY a.id
"""

COUNTRY_ACTORS = """
MATCH (a:Actor)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(:Region {id: $id, kind: 'country'})
WITH DISTINCT a
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
WITH a, collect(c.id) AS clusters
RETURN a {.id, .name, .kind, .country, .city, .synthetic, .source} AS actor,
       null AS since, clusters
ORDER BY a.id
"""

#: Every region with the countries it lies in (itself for a country), as COUNTRY_ACTORS
#: walks them.
REGION_COUNTRIES = """
MATCH (r:Region)-[:PART_OF*0..3]->(c:Region {kind: 'country'})
RETURN r.id AS region, collect(DISTINCT c.id) AS countries
"""

PARTICIPATIONS_OF_ACTORS = """
UNWIND $ids AS id
MATCH (a:Actor {id: id})-[r:PARTICIPATES_IN]->(p:Project)
RETURN a.id AS actor_id, p.id AS project_id, r.role AS role,
       p.start_year AS start_year, p.end_year AS end_year,
       [(p)-[:FUNDED_BY]->(g:Programme) | g.id] AS programmes
"""

LOADS = """
MATCH (l:Load)
RETURN l {.*} AS load
ORDER BY l.last_loaded_at DESC
"""

#: Every actor as one list of [actor, region, clusters] in id order, in one row (36,000
#: records took 2 s to read at H2020 size); the actor's map has the same keys, in the same
#: order, as COUNTRY_ACTORS and CLUSTER_MEMBERS give.
ALL_ACTORS = """
MATCH (a:Actor)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(r:Region)
WITH a, r
ORDER BY a.id
RETURN collect([a {.id, .name, .kind, .country, .city, .synthetic, .source}, r.id,
                [(a)-[:MEMBER_OF]->(c:Cluster) | c.id]]) AS rows
"""

#: Every participation as one list of [actor, project, role] triples (one row: far faster
#: to read than one record per participation; a null inside a triple is kept, where
#: collect() would drop a bare null), joined in GraphStore with PROJECT_ROWS.
ALL_PARTICIPATIONS = """
MATCH (a:Actor)-[r:PARTICIPATES_IN]->(p:Project)
RETURN collect([a.id, p.id, r.role]) AS rows
"""

#: Every project's [id, start year, end year, funding programmes], in one row.
PROJECT_ROWS = """
MATCH (p:Project)
RETURN collect([p.id, p.start_year, p.end_year,
                [(p)-[:FUNDED_BY]->(g:Programme) | g.id]]) AS rows
"""

PROJECT_PARTICIPANTS = """
UNWIND $ids AS id
MATCH (p:Project {id: id})<-[r:PARTICIPATES_IN]-(a:Actor)
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
WITH p, r, a, collect(c.id) AS clusters
RETURN p.id AS project_id, a.id AS actor_id, a.kind AS kind, a.country AS country,
       r.role AS role, clusters
"""

PROJECTS_BY_ID = """
UNWIND $ids AS id
MATCH (p:Project {id: id})
OPTIONAL MATCH (p)-[f:FUNDED_BY]->(g:Programme)
RETURN p {.*} AS project, collect(g {.id, .name, amount: f.amount, currency: f.currency,
                                     year: f.year}) AS fundings
"""

CLUSTER_TARGETS = """
MATCH (:Cluster {id: $id})-[:HAS_TARGET]->(t:Target)
RETURN t {.*} AS target
ORDER BY t.indicator, t.period_start
"""

CLUSTER_OUTPUTS = """
MATCH (:Cluster {id: $id})-[:REPORTED]->(o:Output)
OPTIONAL MATCH (o)-[:FROM_PROJECT]->(p:Project)
RETURN o {.*, project_id: p.id} AS output
ORDER BY o.year, o.indicator, o.id
"""

CLUSTER_MEMBER_LOCATIONS = """
MATCH (c:Cluster {id: $id})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(home:Region)
WITH c, home
MATCH (a:Actor)-[m:MEMBER_OF]->(c)
OPTIONAL MATCH (a)-[:LOCATED_IN]->(r:Region)
RETURN a.id AS actor_id, m.since AS since, r.id AS region_id, home.id AS cluster_region_id,
       a.country AS country
"""

PROGRAMME_TARGETS = """
MATCH (g:Programme)-[:HAS_TARGET]->(t:Target)
RETURN g.id AS programme_id, g.name AS programme, t {.*} AS target
ORDER BY g.id, t.indicator
"""

#: A page of actors, optionally filtered (every filter is a parameter; null = no filter).
ACTORS_PAGE = """
MATCH (a:Actor)
WHERE ($kind IS NULL OR a.kind = $kind)
  AND ($country IS NULL OR a.country = $country)
  AND ($cluster IS NULL OR EXISTS { (a)-[:MEMBER_OF]->(:Cluster {id: $cluster}) })
  AND ($text IS NULL OR toLower(a.name) CONTAINS toLower($text))
WITH a ORDER BY a.id
WITH collect(a) AS matched
RETURN size(matched) AS total,
       [a IN matched[$skip..$skip + $limit] |
        a {.id, .name, .kind, .country, .city, .synthetic}] AS items
"""

PROJECTS_PAGE = """
MATCH (p:Project)
WHERE ($year IS NULL OR p.start_year = $year)
  AND ($cluster IS NULL OR EXISTS {
        (p)<-[:PARTICIPATES_IN]-(:Actor)-[:MEMBER_OF]->(:Cluster {id: $cluster}) })
  AND ($text IS NULL OR toLower(coalesce(p.title, '') + ' ' + coalesce(p.acronym, ''))
                        CONTAINS toLower($text))
WITH p ORDER BY p.id
WITH collect(p) AS matched
RETURN size(matched) AS total,
       [p IN matched[$skip..$skip + $limit] |
        p {.id, .title, .acronym, .start_year, .end_year, .budget, .currency,
           .synthetic}] AS items
"""

# --------------------------------------------------------------------------------------
# A group's neighbourhood (GraphStore.neighbourhood): every participation in the projects of
# the given actors, partners abroad included, in one row — a country's or a cluster's E-I
# index without the whole ecosystem's graph
# --------------------------------------------------------------------------------------
NEIGHBOURHOOD_PARTICIPATIONS = """
UNWIND $ids AS id
MATCH (:Actor {id: id})-[:PARTICIPATES_IN]->(p:Project)
WITH DISTINCT p
MATCH (p)<-[r:PARTICIPATES_IN]-(a:Actor)
RETURN collect([a.id, a.kind, p.id, r.role, p.start_year, p.end_year,
                [(p)-[:FUNDED_BY]->(g:Programme) | g.id]]) AS rows
"""

# --------------------------------------------------------------------------------------
# Explorer pages: an actor's and a project's details (GraphStore.actor_detail, ...)
# --------------------------------------------------------------------------------------
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

# --------------------------------------------------------------------------------------
# Exports: the whole data graph, label by label and relationship by relationship
# (GraphStore.export_nodes, export_relationships, export_loads)
# --------------------------------------------------------------------------------------
# One record per statement, the rows in one list: the driver's cost is per record (the
# whole Horizon 2020 network, 280,000 rows, read in 6 s instead of 13 s); the store sorts.
EXPORT_NODES: dict[str, str] = {
    label: f"MATCH (n:{label}) RETURN collect(properties(n)) AS rows"
    for label in NODE_LABELS
}

#: (relationship type, start label, end label) -> statement
EXPORT_RELS: dict[tuple[str, str, str], str] = {
    (rel, start, end): (f"MATCH (a:{start})-[r:{rel}]->(b:{end}) "
                        "RETURN collect([a.id, b.id, properties(r)]) AS rows")
    for rel, pairs in REL_TYPES.items()
    for start, end in pairs
}

EXPORT_LOADS = ("MATCH (l:Load) RETURN l.source AS source, l.attribution AS attribution, "
                "l.synthetic AS synthetic ORDER BY l.id")


# --------------------------------------------------------------------------------------
# The read-only Cypher console (graph_schema/console.py, GraphStore.run_user_read)
# --------------------------------------------------------------------------------------
#: Prefixed to a user's query to get its plan without running it (the console's guard).
CONSOLE_EXPLAIN_PREFIX = "EXPLAIN "

CONSOLE_LABELS = "CALL db.labels() YIELD label RETURN label ORDER BY label"
CONSOLE_REL_TYPES = ("CALL db.relationshipTypes() YIELD relationshipType "
                     "RETURN relationshipType AS type ORDER BY type")
CONSOLE_PROPERTY_KEYS = ("CALL db.propertyKeys() YIELD propertyKey "
                         "RETURN propertyKey ORDER BY propertyKey")
CONSOLE_LABEL_COUNTS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"
CONSOLE_REL_TYPE_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"

#: What the console's editor holds when nothing else is asked for.
CONSOLE_DEFAULT_QUERY = "MATCH (c:Cluster)\nRETURN c.id AS id, c.name AS name\nORDER BY name"

#: Saved example queries of the console: real questions about an ecosystem, all
#: parameterised (``graph_schema.console.EXAMPLES``).
CONSOLE_EXAMPLES: tuple[dict, ...] = (
    {
        "id": "cluster-density",
        "title": "Partnership density between two clusters",
        "description": "Ties (pairs of actors, one a member of each cluster, that share at "
                       "least one project) divided by the possible pairs.",
        "query": """MATCH (ca:Cluster {id: $a}), (cb:Cluster {id: $b})
CALL (ca, cb) {
  MATCH (x:Actor)-[:MEMBER_OF]->(ca), (y:Actor)-[:MEMBER_OF]->(cb)
  WHERE x <> y
  WITH DISTINCT CASE WHEN x.id < y.id THEN [x.id, y.id] ELSE [y.id, x.id] END AS pair
  RETURN count(pair) AS possible
}
CALL (ca, cb) {
  MATCH (x:Actor)-[:MEMBER_OF]->(ca), (y:Actor)-[:MEMBER_OF]->(cb),
        (x)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(y)
  WHERE x <> y
  WITH DISTINCT CASE WHEN x.id < y.id THEN [x.id, y.id] ELSE [y.id, x.id] END AS pair
  RETURN count(pair) AS ties
}
RETURN ca.name AS cluster_a, cb.name AS cluster_b, ties, possible,
       CASE WHEN possible = 0 THEN 0.0 ELSE toFloat(ties) / possible END AS density""",
        "parameters": {"a": "mnc", "b": "ce3m"},
    },
    {
        "id": "smes-without-research-partner",
        "title": "SMEs with no research partner",
        "description": "SMEs that never share a project with a university or a research lab.",
        "query": """MATCH (s:Actor {kind: $kind})
WHERE NOT EXISTS {
  MATCH (s)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(r:Actor)
  WHERE r.kind IN $research_kinds
}
OPTIONAL MATCH (s)-[:MEMBER_OF]->(c:Cluster)
WITH s, collect(c.id) AS clusters
RETURN s.id AS id, s.name AS name, clusters,
       COUNT { (s)-[:PARTICIPATES_IN]->(:Project) } AS projects
ORDER BY projects DESC, id
LIMIT $limit""",
        "parameters": {"kind": "sme", "research_kinds": ["university", "research_lab"],
                       "limit": 100},
    },
    {
        "id": "multi-cluster-actors",
        "title": "Actors in several clusters",
        "description": "Actors that are members of at least `min_clusters` clusters.",
        "query": """MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster)
WITH a, collect(c.id) AS clusters
WHERE size(clusters) >= $min_clusters
RETURN a.id AS id, a.name AS name, a.kind AS kind, clusters, size(clusters) AS n_clusters
ORDER BY n_clusters DESC, id""",
        "parameters": {"min_clusters": 2},
    },
    {
        "id": "bridging-projects",
        "title": "Projects bridging clusters",
        "description": "Projects whose participants come from at least `min_clusters` "
                       "different clusters.",
        "query": """MATCH (p:Project)<-[:PARTICIPATES_IN]-(a:Actor)-[:MEMBER_OF]->(c:Cluster)
WITH p, collect(DISTINCT c.id) AS clusters, count(DISTINCT a) AS participants
WHERE size(clusters) >= $min_clusters
RETURN p.id AS id, p.acronym AS acronym, p.title AS title, p.start_year AS start_year,
       clusters, participants
ORDER BY size(clusters) DESC, participants DESC, id""",
        "parameters": {"min_clusters": 2},
    },
    {
        "id": "top-coordinators",
        "title": "Top coordinators",
        "description": "Actors coordinating the most projects.",
        "query": """MATCH (a:Actor)-[r:PARTICIPATES_IN]->(p:Project)
WHERE r.role = $role
RETURN a.id AS id, a.name AS name, a.kind AS kind, count(DISTINCT p) AS coordinated
ORDER BY coordinated DESC, id
LIMIT $limit""",
        "parameters": {"role": "coordinator", "limit": 20},
    },
    {
        "id": "cluster-project-network",
        "title": "A cluster's members and their projects (network)",
        "description": "Members of a cluster with the projects they take part in: shown as "
                       "a network.",
        "query": """MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $cluster})
MATCH (a)-[r:PARTICIPATES_IN]->(p:Project)
RETURN a, r, p
LIMIT $limit""",
        "parameters": {"cluster": "oceanopole", "limit": 300},
    },
)

# -- link prediction (linkpred) ---------------------------------------------------------
#: Every project's [id, legal basis, start year], in one row.
PROJECT_PROGRAMME_PARTS = """
MATCH (p:Project)
RETURN collect([p.id, p.legal_basis, p.start_year]) AS rows
"""
