"""The ``synergraph`` command line (``python -m service`` is the same).

Exit codes: 0 success, 1 failure (the message says why), 2 invalid input or usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from .settings import load_settings

__all__ = ["main", "build_parser"]


def _echo(*args) -> None:
    print(*args, flush=True)


def _err(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


class Progress:
    """One status line on a terminal, updated at most a few times per second."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.last = 0.0
        self.tty = stream.isatty()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        pct = 100.0 * done / total if total else 100.0
        text = f"  writing {step:<16} {done:>9,}/{total:,} rows ({pct:5.1f}%)"
        if self.tty:
            self.stream.write("\r" + text)
            if done >= total:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _store(settings: dict):
    from .db import ensure_local_server, make_store

    ensure_local_server(settings, echo=_echo)
    store = make_store(settings)
    store.migrate()
    return store


# -- neo4j ----------------------------------------------------------------------------
def cmd_neo4j(args, settings) -> int:
    from .neo4j_server import LocalNeo4j, Neo4jError

    if settings.get("NEO4J_URI") and args.action != "status":
        _err(f"NEO4J_URI is set ({settings['NEO4J_URI']}): Synergraph uses that server and "
             "provisions nothing. Unset it to use the local server.")
        return 2
    if settings.get("NEO4J_URI"):
        from .db import make_store

        store = make_store(settings)
        try:
            store.verify_connectivity()
            _echo(f"Using configured server {settings['NEO4J_URI']}: answers")
            return 0
        except Exception as exc:  # noqa: BLE001 - reported to the user
            _echo(f"Using configured server {settings['NEO4J_URI']}: {exc}")
            return 1
        finally:
            store.close()
    local = LocalNeo4j.from_settings(settings)
    try:
        if args.action == "install":
            local.install(quiet=False)
            _echo(f"Neo4j jars in {local.lib_dir}")
        elif args.action == "start":
            status = local.start(echo=_echo)
            from .db import make_store

            store = make_store(settings)
            try:
                store.migrate()
            finally:
                store.close()
            _echo(str(status))
            _echo("Schema migrated (constraints and indexes online).")
        elif args.action == "stop":
            _echo("Stopped." if local.stop() else "Not running.")
        else:
            status = local.status()
            _echo(str(status))
            return 0 if (status.running and status.answering) else 3
    except Neo4jError as exc:
        _err(f"error: {exc}")
        return 1
    return 0


# -- db -------------------------------------------------------------------------------
def cmd_db(args, settings) -> int:
    if args.action in ("backup", "restore"):
        return cmd_db_backup(args, settings)
    store = _store(settings)
    try:
        if args.action == "migrate":
            result = store.migrate()
            _echo(f"{len(result['constraints'])} constraints, {len(result['indexes'])} indexes "
                  "online.")
        elif args.action == "counts":
            counts = store.counts()
            if args.format == "json":
                _echo(json.dumps(counts, indent=2))
            else:
                for kind in ("nodes", "relationships"):
                    for name, n in counts[kind].items():
                        _echo(f"{kind[:-1]:<13} {name:<16} {n:>9,}")
        elif args.action == "clear":
            if not args.yes:
                _err("refusing to delete every node without --yes")
                return 2
            _echo(f"Deleted {store.delete_all():,} nodes.")
    finally:
        store.close()
    return 0


# -- db backup | restore (the provisioned server only) --------------------------------
def cmd_db_backup(args, settings) -> int:
    """``db backup FILE`` / ``db restore FILE`` with Neo4j's own dump and load tools."""
    from .neo4j_server import BadBackupFile, LocalNeo4j, Neo4jError

    if settings.get("NEO4J_URI"):
        _err(f"error: NEO4J_URI is set ({settings['NEO4J_URI']}): Synergraph does not manage "
             f"that server, so it cannot stop it to {args.action} its files. Use your "
             "server's own backup tools, or export the graph with "
             "`synergraph export --format bundle --out FOLDER` (it loads back with "
             "`synergraph load bundle FOLDER`).")
        return 2
    if not args.file:
        _err(f"usage: synergraph db {args.action} FILE")
        return 2
    local = LocalNeo4j.from_settings(settings)
    database = settings["NEO4J_DATABASE"]
    try:
        if args.action == "backup":
            path = local.backup(database, args.file, echo=_echo)
            _echo(f"Backup of database {database!r} written to {path} "
                  f"({path.stat().st_size:,} bytes).")
        else:
            local.restore(database, args.file, echo=_echo)
            _echo(f"Database {database!r} restored from {args.file}.")
    except BadBackupFile as exc:
        _err(f"error: {exc}")
        return 2
    except Neo4jError as exc:
        _err(f"error: {exc}")
        return 1
    return 0


# -- loads ----------------------------------------------------------------------------
def _write(store, dataset, *, kind, synthetic, as_json) -> int:
    report = store.write(dataset, kind=kind, synthetic=synthetic,
                         progress=None if as_json else Progress())
    _echo(json.dumps(report.as_dict(), indent=2) if as_json else str(report))
    return 0


def cmd_load(args, settings) -> int:
    from loaders.bundle import read_bundle
    from loaders.cordis import read_cordis
    from loaders.errors import ValidationFailed

    folder = Path(args.folder)
    store = None
    try:
        started = time.monotonic()
        if args.source == "cordis":
            dataset, warnings = read_cordis(folder, programme=args.programme)
            synthetic = False
        else:
            # Ids already in the graph count as known, for a dry run too.
            store = _store(settings)
            dataset = read_bundle(folder, known_ids=store.existing_ids)
            warnings = []
            synthetic = any(r.get("synthetic") for r in dataset.actors)
        for warning in warnings:
            _err(f"warning: {warning}")
        sizes = ", ".join(f"{k} {v:,}" for k, v in dataset.sizes().items() if v)
        if not args.json:
            _echo(f"Validated {folder}: {sizes} ({time.monotonic() - started:.1f} s)")
        if args.dry_run:
            _echo("Dry run: nothing written.")
            return 0
        store = store or _store(settings)
        return _write(store, dataset, kind=args.source, synthetic=synthetic, as_json=args.json)
    except ValidationFailed as exc:
        if args.json:
            _echo(json.dumps({"error": "validation failed",
                              "problems": [p.as_dict() for p in exc.problems]}, indent=2))
        _err(f"error: {exc}")
        return 2
    finally:
        if store is not None:
            store.close()


def cmd_demo(args, settings) -> int:
    from loaders.bundle import read_bundle
    from loaders.demo import write_demo_bundle

    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        summary = write_demo_bundle(out, seed=args.seed)
        _echo(f"Demo bundle written to {out}: {summary}")
        if args.no_load:
            return 0
        folder_ctx = None
        folder = out
    else:
        folder_ctx = tempfile.TemporaryDirectory(prefix="synergraph-demo-")
        folder = Path(folder_ctx.name)
        write_demo_bundle(folder, seed=args.seed)
    store = _store(settings)
    try:
        dataset = read_bundle(folder)
        _echo("Loading the demo ecosystem (four Moroccan clusters of 2011; members, projects "
              "and ties are SYNTHETIC)...")
        return _write(store, dataset, kind="demo", synthetic=True, as_json=False)
    finally:
        store.close()
        if folder_ctx is not None:
            folder_ctx.cleanup()


# -- analytics ------------------------------------------------------------------------
def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, set | tuple):
        return sorted(value)
    return str(value)


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        _err(f"written to {out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    import csv
    import io

    from loaders.csvsafe import neutralise  # no formula cells (CSV injection)

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writerow({c: neutralise(c) for c in columns})
    for row in rows:
        writer.writerow({k: neutralise(";".join(v) if isinstance(v, list) else v)
                         for k, v in row.items()})
    return buffer.getvalue()


def _scope(args):
    """The group of ``--cluster`` (repeatable) / ``--country`` / ``--all``, and the filter
    of ``--years``, ``--kinds``, ``--programme``, ``--min-weight`` (the API's names)."""
    from .usecases import GroupFilter, GroupRef

    ref = None
    if getattr(args, "cluster", None):
        ref = GroupRef.clusters(args.cluster)
    elif getattr(args, "country", None):
        ref = GroupRef.country(args.country)
    flt = GroupFilter.parse({"years": args.years, "kinds": args.kinds,
                             "programme": args.programme,
                             "min_weight": None if args.min_weight is None
                             else str(args.min_weight)})
    return ref, flt


def _use_case(settings, compute):
    """Run ``compute(ctx)`` against the configured store; a user error exits with 2."""
    from .errors import SynergraphError
    from .usecases import Context

    store = _store(settings)
    try:
        return 0, compute(Context(store))
    except SynergraphError as exc:
        _err(f"error: {exc}")
        return 2, None
    finally:
        store.close()


def _scoped(args, settings, compute):
    from .errors import BadParameter

    try:
        ref, flt = _scope(args)
    except BadParameter as exc:
        _err(f"error: {exc}")
        return 2, None
    return _use_case(settings, lambda ctx: compute(ctx, ref, flt))


def cmd_metrics(args, settings) -> int:
    from . import usecases as uc

    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.metrics(
        ctx, ref, flt, weighted=args.weighted, null_runs=args.null_runs, seed=args.seed))
    if code:
        return code
    for figure in result["meta"]["approximate"]:
        how = result["meta"]["methods"][figure]
        _err(f"note: {figure} estimated ({how['method']}, {how['sample']} sources, seed "
             f"{how['seed']}): {how['bound']}")
    for note in (result["cohesion"].get("null_model_meta") or {}).get("notes", []):
        _err(f"note: null model: {note}")
    if args.format == "json":
        _emit(json.dumps(result, indent=2, default=_json_default), args.out)
        return 0
    columns = [c for c in result["actors"][0]] if result["actors"] else ["id"]
    _emit(_csv_text(result["actors"], columns), args.out)
    if args.out:
        cohesion = {k: v for k, v in result["cohesion"].items() if not isinstance(v, dict)}
        path = Path(args.out).with_suffix(".cohesion.csv")
        path.write_text(_csv_text([cohesion], list(cohesion)), encoding="utf-8")
        _err(f"cohesion figures written to {path}")
    return 0


def _group_required(args) -> bool:
    if not (getattr(args, "cluster", None) or getattr(args, "country", None)):
        _err("error: name a group: --cluster ID (repeatable) or --country CODE")
        return False
    return True


def cmd_communities(args, settings) -> int:
    from . import usecases as uc

    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.communities(
        ctx, ref, flt, top=args.top, seed=args.seed))
    if code:
        return code
    _emit(json.dumps(result, indent=2, default=_json_default), args.out)
    return 0


def cmd_evolution(args, settings) -> int:
    from . import usecases as uc

    if not _group_required(args):
        return 2
    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.evolution(
        ctx, ref, flt, window=args.window or None))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps(result, indent=2, default=_json_default), args.out)
        return 0
    rows = [{k: v for k, v in row.items() if not isinstance(v, dict | tuple)}
            for row in result["years"]]
    _emit(_csv_text(rows, list(rows[0]) if rows else ["year"]), args.out)
    return 0


def cmd_links(args, settings) -> int:
    from . import usecases as uc

    if not _group_required(args):
        return 2
    code, items = _scoped(args, settings, lambda ctx, ref, flt: uc.links(
        ctx, ref, flt, top=args.top))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps({"items": items, "count": len(items)}, indent=2,
                         default=_json_default), args.out)
        return 0
    for item in items:
        shared = ", ".join(item["shared_partners"]) or "none"
        _echo(f"{item['rank']:>3}. {item['u']['name']} – {item['v']['name']} "
              f"score {item['score']:.3f}; shared partners: {shared}"
              + ("; complementary kinds" if item["complementary"] else ""))
    return 0


def cmd_synergy(args, settings) -> int:
    from . import usecases as uc

    if not _group_required(args):
        return 2
    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.synergy(ctx, ref, flt))
    if code:
        return code
    _emit(json.dumps(result, indent=2, default=_json_default), args.out)
    return 0


def cmd_recommend(args, settings) -> int:
    from . import usecases as uc

    code, items = _use_case(settings, lambda ctx: uc.recommendations(
        ctx, args.actor_id, top=args.top))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps({"actor_id": args.actor_id, "recommendations": items}, indent=2,
                         default=_json_default), None)
        return 0
    for rank, item in enumerate(items, start=1):
        shared = ", ".join(item.get("shared_partners") or []) or "none"
        _echo(f"{rank:>3}. {item.get('name') or item['id']} ({item.get('kind')}) "
              f"score {item['score']:.3f}, distance {item.get('distance')}; "
              f"shared partners: {shared}"
              + ("; complementary kinds" if item.get("complementary") else ""))
    return 0


def cmd_scorecard(args, settings) -> int:
    from . import usecases as uc

    code, card = _use_case(settings, lambda ctx: uc.scorecard(ctx, args.cluster_id))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps(card, indent=2, default=_json_default), None)
        return 0
    _emit(scorecard_markdown(card), None)
    return 0


def cmd_evaluate_links(args, settings) -> int:
    from .linkprediction import (
        animator_backtest,
        evaluate_store,
        store_dated_data,
        track_record_of,
        track_record_sentence,
    )

    if args.test_years is not None and args.test_years < 1:
        _err("error: --test-years must be at least 1")
        return 2
    store = _store(settings)
    try:
        data = store_dated_data(store)
        dated = data.dated_share() >= 0.9 and len(data.years) >= 2
        table = record = None
        if dated:
            try:
                table = animator_backtest(data, train_until=args.train_until,
                                          test_years=args.test_years, seed=args.seed)
            except ValueError as exc:
                _err(f"error: {exc}")
                return 2
            record = _record_from_table(table)
        else:
            if args.train_until is not None or args.test_years is not None:
                _err("error: the loaded projects have no start dates: --train-until and "
                     "--test-years need dated data")
                return 2
            record = track_record_of(data)
        extra = None
        if args.extras or not dated:
            extra = evaluate_store(store, protocol=args.protocol, k=args.k, seed=args.seed)
    finally:
        store.close()
    if args.format == "json":
        _emit(json.dumps({"protocol": table, "track_record": record, "global": extra},
                         indent=2, default=_json_default), None)
        return 0
    if table is not None:
        _echo(f"Animator's back-test: ties up to {table['train_until']}, new partners of "
              f"{table['test_years'][0]}-{table['test_years'][1]}; "
              f"{table['n_evaluated']:,} organisations evaluated "
              f"({table['n_train_actors']:,} in training, {table['n_train_ties']:,} ties, "
              f"{table['n_new_ties']:,} new ties among them)")
        k = table["k"]
        _echo(f"  {'method':<26}{'precision@' + str(k):>14}{'recall@' + str(k):>11}"
              f"{'hit rate':>10}{'seconds':>9}")
        for name, m in table["methods"].items():
            _echo(f"  {name:<26}{m['precision_at_k']:>14.4f}{m['recall_at_k']:>11.4f}"
                  f"{m['hit_rate']:>10.1%}{m['seconds']:>9.1f}")
        ratio = table["ratio_to_best_baseline"]
        if ratio is not None:
            _echo(f"  recommender / best classic index ({table['best_baseline']}): "
                  f"{ratio:.2f}x")
        if table["model"]:
            _echo(f"  model: {table['model']['kind']}, fitted on {table['model']['fitted_on']}")
    _echo(f"Track record: {track_record_sentence(record)}")
    if extra is not None:
        _echo(f"Global back-test, {extra['protocol']}")
        _echo(f"  ties {extra['ties']:,}; hidden new ties {extra['n_positive']:,}; candidate "
              f"pool {extra['pool']} ({extra['pool_size']:,} pairs, "
              f"{extra['positives_in_pool']:,} of them hidden ties)")
        _echo(f"  {'method':<24}{'precision@' + str(extra['k']):>14}{'AUC':>8}"
              f"{'lift vs random':>16}{'lift vs PA':>12}")
        for name, m in extra["methods"].items():
            def ratio_text(value):
                return "-" if value is None else f"{value:.2f}"
            auc = "-" if m["auc"] is None else f"{m['auc']:.3f}"
            _echo(f"  {name:<24}{m['precision_at_k']:>14.3f}{auc:>8}"
                  f"{ratio_text(m['lift_vs_random']):>16}"
                  f"{ratio_text(m['lift_vs_preferential_attachment']):>12}")
    return 0


def _record_from_table(table: dict) -> dict:
    from .linkprediction import track_record_sentence

    if not table["n_evaluated"]:
        return {"available": False, "reason": "no organisation gained a partner in the "
                "test years", "sentence": None}
    k = table["k"]
    years = table["test_years"][1] - table["test_years"][0] + 1
    out = {"available": True, "reason": None, "k": k, "years": years,
           "train_until": table["train_until"], "test_years": table["test_years"],
           "n_evaluated": table["n_evaluated"],
           "recommender": table["methods"]["recommender"]["precision_at_k"] * k,
           "common_neighbors": table["methods"]["common_neighbors"]["precision_at_k"] * k}
    out["sentence"] = track_record_sentence(out)
    return out


def scorecard_markdown(card: dict) -> str:
    def show(line):
        value = line["value"]
        if value is None:
            return "no data"
        if line["unit"] == "share":
            return f"{100 * value:.1f} %"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
        if isinstance(value, float):
            return f"{value:,.0f}"
        return f"{value:,}"

    out = [f"# Scorecard: {card['cluster']['name']}", ""]
    if card.get("synthetic"):
        out += ["> Synthetic data: members, projects and outputs are generated.", ""]
    out += [f"Progress judged as of {card['as_of'] or 'unknown'}.", "",
            "| grid | figure | value | target | status | source |", "|---|---|---|---|---|---|"]
    for line in card["lines"]:
        detail = line.get("detail") or {}
        target = detail.get("target") if isinstance(detail, dict) else None
        target_text = f"{target:,.0f} ({detail['period'][0]}-{detail['period'][1]})" \
            if target is not None else ""
        note = f" ({line['note']})" if line["note"] else ""
        out.append(f"| {line['grid_item']} | {line['label']} | {show(line)} | {target_text} | "
                   f"{line['status'].replace('_', ' ')} | {line['source']}{note} |")
    return "\n".join(out) + "\n"


# -- export ---------------------------------------------------------------------------
def cmd_export(args, settings) -> int:
    from .exports import ExportError, run_export

    store = _store(settings)
    try:
        summary = run_export(store, args.format, args.out, cluster_id=args.cluster)
    except ExportError as exc:  # UnknownCluster is a subclass
        _err(f"error: {exc}")
        return 2
    finally:
        store.close()
    for note in summary["notes"]:
        _err(f"note: {note}")
    _echo(f"exported {summary['nodes']:,} nodes and {summary['relationships']:,} "
          f"relationships to {summary['out']}")
    return 0


# -- accounts -------------------------------------------------------------------------
def _account_store(settings):
    from .accounts import AccountStore

    return AccountStore(Path(settings["SYNERGRAPH_HOME"]) / "accounts.sqlite3")


def _read_password() -> str:
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user(args, settings) -> int:
    from .accounts import AccountError

    accounts = _account_store(settings)
    try:
        if args.action == "add":
            if not args.username or not args.role:
                _err("usage: synergraph user add USERNAME --role ROLE "
                     "(password from standard input or a prompt)")
                return 2
            user = accounts.add_user(args.username, _read_password(), args.role)
            _echo(f"User {user.username!r} added with role {user.role}.")
        elif args.action == "password":
            accounts.set_password(args.username, _read_password())
            _echo(f"Password of {args.username!r} changed.")
        elif args.action == "role":
            accounts.set_role(args.username, args.role)
            _echo(f"{args.username!r} is now {args.role}.")
        elif args.action == "remove":
            accounts.remove_user(args.username)
            _echo(f"User {args.username!r} removed (and their tokens).")
        else:
            users = accounts.users()
            if not users:
                _echo("No user yet: synergraph user add NAME --role admin")
            for u in users:
                _echo(f"{u['username']:<24} {u['role']:<11} {u['tokens']} active token(s)")
    except (AccountError, ValueError) as exc:
        _err(f"error: {exc}")
        return 2
    return 0


def cmd_token(args, settings) -> int:
    from .accounts import AccountError

    accounts = _account_store(settings)
    try:
        if args.action == "create":
            token_id, secret = accounts.create_token(args.target, args.name or "",
                                                     expires_days=args.expires_days)
            until = f", expires in {args.expires_days:g} days" if args.expires_days else ""
            _err(f"Token {token_id} for {args.target!r}{until} (shown once; keep it secret):")
            _echo(secret)
        elif args.action == "revoke":
            accounts.revoke_token(args.target)
            _echo(f"Token {args.target} revoked.")
        else:
            for t in accounts.tokens(args.target):
                _echo(f"{t['id']}  {t['username']:<20} {t['state']:<8} {t['name']}")
    except AccountError as exc:
        _err(f"error: {exc}")
        return 2
    return 0


# -- serve ----------------------------------------------------------------------------
def cmd_serve(args, settings) -> int:
    from . import create_app
    from .db import ensure_local_server

    ensure_local_server(settings, echo=_echo)
    if args.public_read:
        settings = {**settings, "SYNERGRAPH_PUBLIC_READ": "1"}
    app = create_app(settings)
    host = args.host or settings["SYNERGRAPH_HOST"]
    port = args.port or settings["SYNERGRAPH_PORT"]
    _echo(f"Synergraph on http://{host}:{port}/ (Ctrl+C to stop)")
    from waitress import serve

    from .api.cypher import serve_threads

    # waitress buffers a request body before the app sees it: refuse bodies above the upload
    # limit there already (the app applies the smaller per-route limits).
    serve(app, host=host, port=port, threads=serve_threads(settings), ident="synergraph",
          max_request_body_size=settings["SYNERGRAPH_MAX_UPLOAD_BYTES"])
    return 0


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
                      help="bundle: a canonical CSV bundle folder; cordis: a folder with "
                           "CORDIS organization.csv (and optionally project.csv)")
    load.add_argument("folder")
    load.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.add_argument("--programme", default="H2020",
                      help="cordis: programme of projects project.csv does not describe")
    load.set_defaults(func=cmd_load)

    demo = sub.add_parser("demo", help="generate and load the demo ecosystem (synthetic)")
    demo.add_argument("--seed", type=int, default=2011)
    demo.add_argument("--out", help="also keep the generated bundle in this folder")
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
                                           "bundle, GraphML, GEXF, node-link JSON)")
    export.add_argument("--format", choices=["bundle", "graphml", "gexf", "json"],
                        required=True)
    export.add_argument("--cluster", help="export only this cluster's part of the graph")
    export.add_argument("--out", type=Path, required=True,
                        help="bundle: a folder (or a .zip); other formats: one file")
    export.set_defaults(func=cmd_export)

    from .accounts import ROLES

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
    from .settings import SettingError

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

        from .neo4j_server import Neo4jError

        if isinstance(exc, (Neo4jError, *DATABASE_ERRORS)):
            _err(f"error: {exc}")
            return 1
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
