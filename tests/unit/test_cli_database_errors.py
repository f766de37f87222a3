"""How the command reports a database that refuses a load (the server is isolated here: a
Community server's transaction memory limit cannot be lowered at run time)."""

from __future__ import annotations

import neo4j.exceptions

import service.cli as cli


def _refused(code: str, message: str):
    # the driver's own hydration, as for an answer of the server
    return neo4j.exceptions.Neo4jError._hydrate_neo4j(code=code, message=message)


def _run_with(monkeypatch, error) -> int:
    def refuse(args, settings):
        raise error

    monkeypatch.setattr(cli, "cmd_load", refuse)
    return cli.main(["load", "bundle", "somewhere"])


def test_a_load_over_the_transaction_memory_names_the_setting_to_raise(monkeypatch, capsys):
    error = _refused("Neo.TransientError.General.MemoryPoolOutOfMemoryError",
                     "The allocation of an extra 2.0 MiB would use more than the limit "
                     "1.4 GiB. dbms.memory.transaction.total.max threshold reached")
    assert _run_with(monkeypatch, error) == 1
    err = capsys.readouterr().err
    assert "Raise NEO4J_HEAP" in err and "nothing was written" in err
    assert "limit 1.4 GiB" in err  # the server's own words too


def test_other_database_errors_keep_the_servers_message(monkeypatch, capsys):
    error = _refused("Neo.ClientError.Statement.SyntaxError", "Invalid input 'X'")
    assert _run_with(monkeypatch, error) == 1
    err = capsys.readouterr().err
    assert "Invalid input 'X'" in err and "NEO4J_HEAP" not in err
