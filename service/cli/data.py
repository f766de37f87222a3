"""The data commands: the local Neo4j server, the schema and backups, loads, the demo and
exports."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from ._common import Progress, _echo, _err, _store


# -- neo4j ----------------------------------------------------------------------------
def cmd_neo4j(args, settings) -> int:
    from ..neo4j_server import LocalNeo4j, Neo4jError

    if settings.get("NEO4J_URI") and args.action != "status":
        _err(f"NEO4J_URI is set ({settings['NEO4J_URI']}): Synergraph uses that server and "
             "provisions nothing. Unset it to use the local server.")
        return 2
    if settings.get("NEO4J_URI"):
        from ..db import make_store

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
            from ..db import make_store

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
    from ..neo4j_server import BadBackupFile, LocalNeo4j, Neo4jError

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
def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password file
        return "unknown"


def _write(store, dataset, *, kind, synthetic, as_json, sync=False, dry_run=False,
           examples=0) -> int:
    report = store.write(dataset, kind=kind, synthetic=synthetic,
                         progress=None if as_json else Progress(), sync=sync,
                         dry_run=dry_run, examples=examples, by=_who(), via="cli")
    _echo(json.dumps(report.as_dict(), indent=2) if as_json else str(report))
    return 0


def cmd_load(args, settings) -> int:
    from graph_schema.store import planned_ahead
    from loaders.bundle import read_bundle
    from loaders.cordis import TARGETS as CORDIS_TARGETS
    from loaders.cordis import read_cordis
    from loaders.errors import ValidationFailed

    from ..db import make_store

    folder = Path(args.folder)
    as_json = args.json or args.format == "json"
    store = None
    try:
        started = time.monotonic()
        if args.source == "cordis":
            # The server plans the load's statements while the files are read; a store
            # made here connects with its first statement (after the reading when the
            # server has to be started).
            store = make_store(settings)
            with planned_ahead(store, CORDIS_TARGETS):
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
        if not as_json:
            _echo(f"Validated {folder}: {sizes} ({time.monotonic() - started:.1f} s)")
        if args.source == "cordis":
            store = _store(settings, store)
        return _write(store, dataset, kind=args.source, synthetic=synthetic, as_json=as_json,
                      sync=args.sync, dry_run=args.dry_run, examples=args.examples)
    except ValidationFailed as exc:
        if as_json:
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
        if out.suffix.lower() == ".xlsx":  # an Excel workbook, loaded from itself below
            from loaders.demo import write_demo_workbook

            summary = write_demo_workbook(out, seed=args.seed)
        else:
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


# -- export ---------------------------------------------------------------------------
def cmd_export(args, settings) -> int:
    from ..exports import ExportError, run_export

    if args.network or args.format == "csv":
        return cmd_export_network(args, settings)
    named = [f"--{flag.replace('_', '-')}" for flag in ("country", "years", "kinds",
                                                         "programme", "min_weight")
             if getattr(args, flag) is not None]
    if named:
        _err(f"error: {', '.join(named)} only with --network (the partnership network)")
        return 2
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


def cmd_export_network(args, settings) -> int:
    """``export --network``: the partnership network of a group as GEXF, GraphML or CSV."""
    from ..network_export import NETWORK_FORMATS, write_network
    from ..usecases.partnership import partnership_network
    from .figures import _scoped

    if not args.network:
        _err("error: --format csv is the partnership network's: add --network")
        return 2
    if args.format not in NETWORK_FORMATS:
        _err(f"error: --network writes {', '.join(NETWORK_FORMATS)}, not {args.format!r}")
        return 2
    if args.cluster and args.country:
        _err("error: give --cluster or --country, not both")
        return 2
    if args.cluster:
        args.cluster = [args.cluster]
    code, result = _scoped(args, settings, partnership_network)
    if code:
        return code
    meta = result["meta"]
    for figure in meta["approximate"]:
        how = meta["methods"][figure]
        _err(f"note: {figure} estimated ({how['method']}, {how['sample']} sources, seed "
             f"{how['seed']}): {how['bound']}")
    written = write_network(result, args.format, args.out)
    group = meta["group"]
    name = "the ecosystem" if group["kind"] == "ecosystem" else \
        f"{group['kind']} {group['id']}"
    _echo(f"exported the partnership network of {name} ({meta['nodes']:,} actors, "
          f"{meta['edges']:,} ties{', SYNTHETIC data' if meta['synthetic'] else ''}) to "
          + ", ".join(written))
    return 0
