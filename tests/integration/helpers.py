"""Shared helpers of the integration tests: graph fingerprints, small bundles, the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from neo4j import RoutingControl

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SYNERGRAPH = VENV_BIN / "synergraph"
BOOKKEEPING = ("Load", "Synergraph", "LoadRun")
#: The real CORDIS sample (the same folder as the ``cordis_sample`` fixture).
CORDIS_SAMPLE = ROOT.parent / "shared" / "data" / "cordis-h2020-sample"


def _norm(value):
    """Make a property value comparable and printable (lists stay lists)."""
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def _read(store, query: str, **params) -> list[dict]:
    records, _, _ = store.driver.execute_query(
        query, params, database_=store.database, routing_=RoutingControl.READ
    )
    return [r.data() for r in records]


def dump_graph(store, *, bookkeeping: bool = False) -> dict[str, list[str]]:
    """Every node (labels + properties) and relationship (type, ends, properties), sorted.

    With ``bookkeeping=False`` the Load and Synergraph nodes are left out (they count runs
    and graph versions, which change on every load by design).
    """
    nodes = _read(store, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = _read(
        store,
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a) AS a_labels, a.id AS a, "
        "labels(b) AS b_labels, b.id AS b, properties(r) AS props",
    )

    def keep(labels) -> bool:
        return bookkeeping or not set(labels) & set(BOOKKEEPING)

    node_lines = sorted(
        json.dumps({"labels": sorted(n["labels"]),
                    "props": {k: _norm(v) for k, v in n["props"].items()}},
                   sort_keys=True, default=str)
        for n in nodes if keep(n["labels"])
    )
    rel_lines = sorted(
        json.dumps({"type": r["type"], "a": [sorted(r["a_labels"]), r["a"]],
                    "b": [sorted(r["b_labels"]), r["b"]],
                    "props": {k: _norm(v) for k, v in r["props"].items()}},
                   sort_keys=True, default=str)
        for r in rels if keep(r["a_labels"]) and keep(r["b_labels"])
    )
    return {"nodes": node_lines, "relationships": rel_lines}


def fingerprint(store) -> dict[str, list[str]]:
    """The whole graph, bookkeeping included: what 'unchanged' must preserve exactly."""
    return dump_graph(store, bookkeeping=True)


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a bundle folder: ``{name: text or bytes}`` (text is written as UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


#: A small valid bundle; the line numbers below are those of the physical lines.
SMALL_BUNDLE: dict[str, str] = {
    "regions.csv": "id,name,kind,country,parent_id\n"
                   "MA,Maroc,country,MA,\n"
                   "ma-casa,Grand Casablanca,region,MA,MA\n",
    "clusters.csv": "id,name,field,region_id,founded_year\n"
                    "c1,Cluster One,ICT,ma-casa,2011\n",
    "actors.csv": "id,name,kind,country,region_id,city,founded_year,website\n"
                  "a1,Atlas Mobile,sme,MA,ma-casa,Casablanca,2006,https://a1.example\n"   # 2
                  "a2,Universite Hassan II,university,MA,ma-casa,Casablanca,1975,\n"       # 3
                  "a3,Lab Numerique,research_lab,MA,ma-casa,Rabat,,\n",                    # 4
    "projects.csv": "id,title,acronym,start_year,end_year,budget,currency,status\n"
                    "p1,Secure payments,SECPAY,2012,2014,1500000,MAD,closed\n"              # 2
                    "p2,Smart grid,SGRID,2013,2015,800000.5,MAD,ongoing\n",                 # 3
    "memberships.csv": "actor_id,cluster_id,since,role\n"
                       "a1,c1,2011,member\n"
                       "a2,c1,2012,member\n",
    "participations.csv": "actor_id,project_id,role,contribution,currency\n"
                          "a1,p1,coordinator,250000,MAD\n"                                 # 2
                          "a2,p1,partner,100000,MAD\n"                                     # 3
                          "a3,p2,coordinator,,\n",                                         # 4
}


def small_bundle(folder: Path, **changes: str | bytes | None) -> Path:
    """The small bundle with some files replaced (``None`` removes the file).

    Keyword names are file names with ``_`` for ``.``: ``actors_csv="..."``.
    """
    files: dict[str, str | bytes] = dict(SMALL_BUNDLE)
    for key, content in changes.items():
        name = key.replace("_csv", ".csv")
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return write_files(folder, files)


def cli_env(settings: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEO4J_", "SYNERGRAPH_"))}
    env.update({
        "NEO4J_URI": settings["NEO4J_URI"],
        "NEO4J_USER": settings["NEO4J_USER"] or "neo4j",
        "NEO4J_PASSWORD": settings["NEO4J_PASSWORD"],
        "SYNERGRAPH_HOME": settings["SYNERGRAPH_HOME"],
    })
    return env


def run_cli(settings: dict, *args: str, cwd: Path,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed ``synergraph`` script against the test server."""
    return subprocess.run([str(SYNERGRAPH), *args], env=cli_env(settings), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)



def api_client(app, role: str):
    """A client that speaks to the API like a script: a Bearer token of a user of ``role``,
    no session cookie."""
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user(f"script-{role}", "a test password", role)
    _, token = accounts.create_token(f"script-{role}")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


#: App settings under which every job-capable route answers through a job (202).
ALWAYS_JOBS = {"SYNERGRAPH_JOBS_INLINE_MAX_ACTORS": "0", "SYNERGRAPH_JOBS_PAGE_WAIT_S": "0"}


def poll(client, url: str, timeout: float = 300, *, every: float = 0.1) -> dict:
    """GET a job's URL until it is done or failed; returns the last body. Each answer is
    200 with ``Retry-After`` ≥ 1 while the job runs."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        if body["job"]["state"] in ("done", "failed"):
            return body
        assert int(response.headers["Retry-After"]) >= 1
        assert time.monotonic() < deadline, body
        time.sleep(every)


def without_load_id(lines: list[str]) -> set[str]:
    """Lines of a graph dump (``dump_graph``) with each row's ``load_id`` dropped: what
    stays the same when the same data is loaded again."""
    out = set()
    for line in lines:
        item = json.loads(line)
        item["props"].pop("load_id", None)
        out.add(json.dumps(item, sort_keys=True))
    return out


def zip_folder(folder: Path, prefix: str) -> io.BytesIO:
    """A zip archive (in memory) of ``folder``'s files under ``prefix/``, as uploaded."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{prefix}/{path.name}")
    buffer.seek(0)
    return buffer
