"""The reference for ``synergraph load cordis``: a bare script loading the same CORDIS files.

What a user would write with the official driver alone: read ``organization.csv`` and
``project.csv`` with the ``csv`` module, keep one actor per organisation (its last row), one
participation per organisation and project (its roles, contributions summed), one region per
country and one programme, and write them with ``UNWIND ... CREATE`` in batches of 20,000
rows, all in one transaction, into a graph with Synergraph's constraints and indexes (its
relationships find their ends through them). The same nodes and relationships with the same
data properties as the load; none of its checks (ids, dates, amounts, duplicate rows, sizes
for the index), no provenance (``source``, ``load_id``, ``synthetic``) and no report,
history or graph version. ``bench/bench_scale.py`` runs it on a fresh server of its own, as
the load's row runs on one, and prints the load's time against it.

Usage (the server from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``)::

    .venv/bin/python bench/bare_load.py FOLDER
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

from neo4j import GraphDatabase

KIND = {"HES": "university", "REC": "research_lab", "PUB": "public_agency", "OTH": "other"}
BATCH = 20_000


def _rows(path: Path):
    """The rows of a CORDIS file, ``;`` or ``,`` delimited (``cordis_shape.read_rows``
    does the same, but its module imports numpy and scipy: this script keeps to the driver
    and the standard library, as its time is the reference)."""
    with open(path, newline="", encoding="utf-8") as handle:
        delimiter = ";" if ";" in handle.readline() else ","
        handle.seek(0)
        yield from csv.DictReader(handle, delimiter=delimiter)


def _amount(raw: str) -> float | None:
    raw = raw.strip()
    return float(raw.replace(",", ".")) if raw else None


def _year(raw: str) -> int | None:
    return int(raw[:4]) if raw.strip() else None


def read(folder: Path) -> dict[str, list[dict]]:
    """The rows to write, by statement."""
    actors, pairs, acronyms = {}, {}, {}
    for row in _rows(folder / "organization.csv"):
        org, project = row["organisationID"], row["projectID"]
        activity = row["activityType"]
        kind = (("sme" if row["SME"].lower() == "true" else "company") if activity == "PRC"
                else KIND.get(activity, "other"))
        actors[org] = {"id": f"cordis-org-{org}", "region": row["country"], "props": {
            "name": row["name"] or row["shortName"], "kind": kind, "country": row["country"],
            "city": row["city"] or None, "website": row["organizationURL"] or None,
            "short_name": row["shortName"] or None, "pic": org, "activity_type": activity,
            "sme": row["SME"].lower() == "true"}}
        acronyms.setdefault(project, row["projectAcronym"])
        pair = pairs.setdefault((org, project), {
            "start": f"cordis-org-{org}", "end": f"cordis-project-{project}",
            "props": {"roles": [], "contribution": None, "net_contribution": None,
                      "total_cost": None}})
        props = pair["props"]
        props["roles"].append(row["role"])
        for column, key in (("ecContribution", "contribution"),
                            ("netEcContribution", "net_contribution"),
                            ("totalCost", "total_cost")):
            value = _amount(row[column])
            if value is not None:
                props[key] = (props[key] or 0.0) + value
    for pair in pairs.values():
        pair["props"]["role"] = pair["props"]["roles"][0]
    projects = {}
    for row in _rows(folder / "project.csv"):
        projects[row["id"]] = {"id": f"cordis-project-{row['id']}", "props": {
            "title": row["title"], "acronym": row["acronym"],
            "start_year": _year(row["startDate"]), "end_year": _year(row["endDate"]),
            "budget": _amount(row["totalCost"]), "currency": "EUR", "status": row["status"],
            "funding_scheme": row["fundingScheme"], "topics": row["topics"],
            "legal_basis": row["legalBasis"], "cordis_id": row["id"], "described": True},
            "amount": _amount(row["ecMaxContribution"]), "year": _year(row["startDate"])}
    for project, acronym in acronyms.items():
        projects.setdefault(project, {"id": f"cordis-project-{project}", "props": {
            "acronym": acronym, "currency": "EUR", "cordis_id": project, "described": False},
            "amount": None, "year": None})
    countries = sorted({a["region"] for a in actors.values() if a["region"]})
    return {
        "regions": [{"id": c, "props": {"name": c, "kind": "country", "country": c}}
                    for c in countries],
        "programmes": [{"id": "cordis-h2020", "props": {"name": "Horizon 2020",
                                                        "funder": "European Commission"}}],
        "actors": list(actors.values()),
        "projects": list(projects.values()),
        "located": [{"start": a["id"], "end": a["region"]} for a in actors.values()
                    if a["region"]],
        "participations": list(pairs.values()),
        "fundings": [{"start": p["id"], "end": "cordis-h2020",
                      "props": {"amount": p["amount"], "currency": "EUR", "year": p["year"]}}
                     for p in projects.values()],
    }


STATEMENTS = (
    ("regions", "UNWIND $rows AS row CREATE (n:Region {id: row.id}) SET n += row.props"),
    ("programmes", "UNWIND $rows AS row CREATE (n:Programme {id: row.id}) SET n += row.props"),
    ("actors", "UNWIND $rows AS row CREATE (n:Actor {id: row.id}) SET n += row.props"),
    ("projects", "UNWIND $rows AS row CREATE (n:Project {id: row.id}) SET n += row.props"),
    ("located", "UNWIND $rows AS row MATCH (a:Actor {id: row.start}) "
                "MATCH (b:Region {id: row.end}) CREATE (a)-[:LOCATED_IN]->(b)"),
    ("participations", "UNWIND $rows AS row MATCH (a:Actor {id: row.start}) "
                       "MATCH (b:Project {id: row.end}) "
                       "CREATE (a)-[r:PARTICIPATES_IN]->(b) SET r += row.props"),
    ("fundings", "UNWIND $rows AS row MATCH (a:Project {id: row.start}) "
                 "MATCH (b:Programme {id: row.end}) "
                 "CREATE (a)-[r:FUNDED_BY]->(b) SET r += row.props"),
)


def write(driver, data: dict[str, list[dict]]) -> int:
    """Write everything in one transaction; the number of rows written."""
    def work(tx) -> int:
        written = 0
        for name, statement in STATEMENTS:
            rows = data[name]
            for start in range(0, len(rows), BATCH):
                tx.run(statement, rows=rows[start:start + BATCH]).consume()
            written += len(rows)
        return written

    with driver.session() as session:
        return session.execute_write(work)


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    data = read(Path(argv[0]))
    read_s = time.perf_counter() - started
    with GraphDatabase.driver(os.environ["NEO4J_URI"], auth=(
            os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"])) as driver:
        rows = write(driver, data)
    print(f"bare load: {rows:,} rows, read {read_s:.1f} s, "
          f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
