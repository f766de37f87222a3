"""The ``synergraph`` command line (``python -m service`` is the same).

Exit codes: 0 success, 1 failure (the message says why), 2 invalid input or usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..settings import load_settings
from ._common import _err
from .accounts import cmd_serve, cmd_token, cmd_user
from .data import cmd_db, cmd_demo, cmd_export, cmd_load, cmd_neo4j
from .figures import (
    cmd_communities,
    cmd_evaluate_links,
    cmd_evolution,
    cmd_links,
    cmd_metrics,
    cmd_recommend,
    cmd_scorecard,
    cmd_synergy,
    scorecard_markdown,
)

__all__ = ["main", "build_parser", "scorecard_markdown"]


def _count(text: str) -> int:
    """A non-negative integer option (``--examples N``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synergraph",
        description="Explore and measure innovation-cluster ecosystems stored in Neo4j.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    neo = sub.add_parser("neo4j", help="the local Neo4j server provisioned by Synergraph")
    neo.add_argument("action", choices=["install", "start", "stop", "status"])
    neo.set_defaults(func=cmd_neo4j)

    db = sub.add_parser("db", help="schema and contents of the graph")
    db.add_argument("action", choices=["migrate", "counts", "clear", "backup", "restore"])
    db.add_argument("file", nargs="?", help="backup/restore: the dump file")
    db.add_argument("--format", choices=["text", "json"], default="text")
    db.add_argument("--yes", action="store_true", help="confirm 'clear'")
    db.set_defaults(func=cmd_db)

    load = sub.add_parser("load", help="validate and load data")
    load.add_argument("source", choices=["bundle", "cordis"],
                      help="bundle: a canonical CSV bundle folder or an .xlsx workbook; "
                           "cordis: a folder with CORDIS organization.csv (and optionally "
                           "project.csv)")
    load.add_argument("folder")
    load.add_argument("--sync", action="store_true",
                      help="delete this source's rows that the input no longer holds")
    load.add_argument("--dry-run", action="store_true",
                      help="print what the load would change, write nothing")
    load.add_argument("--examples", type=_count, default=5, metavar="N",
                      help="example ids per label/type and status in the report (default 5)")
    load.add_argument("--format", choices=["text", "json"], default="text")
    load.add_argument("--json", action="store_true", help="the same as --format json")
    load.add_argument("--programme", default="H2020",
                      help="cordis: programme of projects project.csv does not describe")
    load.set_defaults(func=cmd_load)

    demo = sub.add_parser("demo", help="generate and load the demo ecosystem (synthetic)")
    demo.add_argument("--seed", type=int, default=2011)
    demo.add_argument("--out", help="also keep the generated bundle in this folder (or "
                                    "this .xlsx workbook)")
    demo.add_argument("--no-load", action="store_true", help="with --out: only write files")
    demo.set_defaults(func=cmd_demo)

    def scoped(name: str, help_: str, *, json_only: bool = False, group_only: bool = False):
        cmd = sub.add_parser(name, help=help_)
        scope = cmd.add_mutually_exclusive_group()
        scope.add_argument("--cluster", action="append",
                           help="a cluster id (repeat for the union of several clusters)")
        scope.add_argument("--country", help="a country code (actors located in it)")
        if not group_only:
            scope.add_argument("--all", action="store_true",
                               help="the whole ecosystem (default)")
        if not json_only:
            cmd.add_argument("--format", choices=["json", "csv"], default="json")
        cmd.add_argument("--out", help="write to this file instead of standard output")
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument("--years", help="only projects starting in START-END, e.g. 2011-2013")
        cmd.add_argument("--kinds", help="only actors of these kinds, e.g. sme,university")
        cmd.add_argument("--programme", help="only projects funded by this programme id")
        cmd.add_argument("--min-weight", type=int, default=None,
                         help="only ties of at least this many shared projects")
        return cmd

    metrics = scoped("metrics", "centralities and cohesion figures")
    metrics.add_argument("--weighted", action="store_true",
                         help="weight path-based and spectral centralities by shared projects")
    metrics.add_argument("--null-runs", type=int, default=20,
                         help="degree-preserving rewirings for the null model (0: none)")
    metrics.set_defaults(func=cmd_metrics)

    comm = scoped("communities", "communities, brokers, cut points and bridges (JSON)",
                  json_only=True)
    comm.add_argument("--top", type=int, default=10, help="how many brokers")
    comm.set_defaults(func=cmd_communities)

    evo = scoped("evolution", "a group's figures per year", group_only=True)
    evo.add_argument("--window", type=int, default=0,
                     help="years per sliding window (0: cumulative)")
    evo.set_defaults(func=cmd_evolution)

    lnk = scoped("links", "suggested ties between two actors of a group", group_only=True,
                 json_only=True)
    lnk.add_argument("--top", type=int, default=50)
    lnk.add_argument("--format", choices=["text", "json"], default="text")
    lnk.set_defaults(func=cmd_links)

    syn = scoped("synergy", "project mix, kind ties, E-I, assortativity, triple helix (JSON)",
                 json_only=True, group_only=True)
    syn.set_defaults(func=cmd_synergy)

    rec = sub.add_parser("recommend", help="missing links for one actor, with explanations")
    rec.add_argument("actor_id")
    rec.add_argument("--top", type=int, default=10)
    rec.add_argument("--format", choices=["text", "json"], default="text")
    rec.set_defaults(func=cmd_recommend)

    card = sub.add_parser("scorecard", help="a cluster's scorecard (the evaluation grid)")
    card.add_argument("cluster_id")
    card.add_argument("--format", choices=["md", "json"], default="md")
    card.set_defaults(func=cmd_scorecard)

    links = sub.add_parser("evaluate-links",
                           help="back-test the missing-link recommender on the loaded data")
    links.add_argument("--train-until", type=int, default=None, metavar="YEAR",
                       help="learn from projects starting up to YEAR (default: the latest "
                            "year minus --test-years)")
    links.add_argument("--test-years", type=int, default=None, metavar="N",
                       help="new partners of the N years after --train-until (default 2)")
    links.add_argument("--extras", action="store_true",
                       help="also the global precision@k and AUC back-test (--protocol, --k)")
    links.add_argument("--protocol", choices=["auto", "temporal", "random"], default="auto",
                       help="temporal: hide the last year's new ties; random: hide 10%% of "
                            "the projects (auto: temporal when years are known)")
    links.add_argument("--k", type=int, default=50, help="precision at the top k pairs")
    links.add_argument("--seed", type=int, default=0)
    links.add_argument("--format", choices=["text", "json"], default="text")
    links.set_defaults(func=cmd_evaluate_links)

    export = sub.add_parser("export", help="export the graph or one cluster (canonical "
                                           "bundle, GraphML, GEXF, node-link JSON), or with "
                                           "--network a group's partnership network")
    export.add_argument("--format", choices=["bundle", "graphml", "gexf", "json", "csv"],
                        required=True, help="--network: gexf, graphml or csv")
    export.add_argument("--cluster", help="export only this cluster's part of the graph")
    export.add_argument("--out", type=Path, required=True,
                        help="bundle and csv: a folder (or a .zip); other formats: one file")
    export.add_argument("--network", action="store_true",
                        help="the weighted actor-actor partnership network of the cluster, "
                             "the country or the ecosystem, with every metric column")
    export.add_argument("--country", help="--network: the actors located in this country")
    export.add_argument("--years", help="--network: only projects starting in START-END")
    export.add_argument("--kinds", help="--network: only actors of these kinds")
    export.add_argument("--programme", help="--network: only projects of this programme")
    export.add_argument("--min-weight", type=int, default=None,
                        help="--network: only ties of at least this many shared projects")
    export.set_defaults(func=cmd_export)

    from ..accounts import ROLES

    user = sub.add_parser("user", help="accounts (password read from standard input or a "
                                       "prompt, never from an argument)")
    user.add_argument("action", choices=["add", "list", "password", "role", "remove"])
    user.add_argument("username", nargs="?")
    user.add_argument("--role", choices=ROLES)
    user.set_defaults(func=cmd_user)

    token = sub.add_parser("token", help="API tokens for scripts")
    token.add_argument("action", choices=["create", "list", "revoke"])
    token.add_argument("target", nargs="?",
                       help="create/list: a user name; revoke: a token id")
    token.add_argument("--name", help="a label for the token")
    token.add_argument("--expires-days", type=float, metavar="DAYS",
                       help="create: the token is refused after DAYS days (default: never)")
    token.set_defaults(func=cmd_token)

    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--public-read", action="store_true",
                       help="open pages and read-only API to anonymous visitors "
                            "(SYNERGRAPH_PUBLIC_READ=1)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..settings import SettingError

    try:
        settings = load_settings()
    except SettingError as exc:
        _err(f"error: {exc} (see docs/configuration.md)")
        return 2
    try:
        return int(args.func(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (head)
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - a clean message instead of a traceback
        from graph_schema.store import DATABASE_ERRORS

        from ..neo4j_server import Neo4jError

        if str(getattr(exc, "code", "") or "").endswith("MemoryPoolOutOfMemoryError"):
            _err("error: the database refused the transaction: it needs more memory than the "
                 "server allows (a load is one transaction, all or nothing: nothing was "
                 "written). Raise NEO4J_HEAP (docs/configuration.md) and restart the server "
                 f"(synergraph neo4j stop, then start). The server said: {exc.message}")
            return 1
        if isinstance(exc, (Neo4jError, *DATABASE_ERRORS)):
            _err(f"error: {exc}")
            return 1
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
