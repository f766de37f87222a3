"""Settings are parsed once into a frozen, typed object; a bad value names its setting."""

from __future__ import annotations

import pytest

from service.cli import main
from service.settings import SETTINGS, SettingError, load_settings


def test_values_are_typed_with_the_table_defaults():
    settings = load_settings({"SYNERGRAPH_PORT": "8080", "SYNERGRAPH_PUBLIC_READ": "yes"},
                             dotenv=False)
    assert settings["SYNERGRAPH_PORT"] == 8080 and settings.synergraph_port == 8080
    assert settings["SYNERGRAPH_PUBLIC_READ"] is True
    assert settings["NEO4J_START_TIMEOUT"] == 120.0
    assert settings["SYNERGRAPH_CYPHER_ROW_LIMIT"] == 5000
    kinds = {s.kind for s in SETTINGS}
    assert kinds == {"text", "int", "float", "bool"}
    for setting in SETTINGS:  # every default parses as its kind
        assert setting.parse(None) == (None if setting.default is None
                                       else setting.parse(setting.default))


def test_settings_are_frozen():
    settings = load_settings(dotenv=False)
    with pytest.raises(TypeError):
        settings["SYNERGRAPH_PORT"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        settings.synergraph_port = 1
    assert "***" in repr(load_settings({"NEO4J_PASSWORD": "secret"}, dotenv=False))
    assert "secret" not in repr(load_settings({"NEO4J_PASSWORD": "secret"}, dotenv=False))


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SYNERGRAPH_PORT", "eighty", "SYNERGRAPH_PORT must be a whole number, got 'eighty'"),
    ("NEO4J_RETRY_S", "soon", "NEO4J_RETRY_S must be a number, got 'soon'"),
    ("SYNERGRAPH_PUBLIC_READ", "maybe", "SYNERGRAPH_PUBLIC_READ must be 1 or 0"),
])
def test_a_bad_value_names_its_setting(name, value, message):
    with pytest.raises(SettingError, match=message):
        load_settings({name: value}, dotenv=False)


def test_the_cli_refuses_a_bad_setting_with_exit_2(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYNERGRAPH_PORT", "eighty")
    assert main(["db", "counts"]) == 2
    assert "SYNERGRAPH_PORT must be a whole number" in capsys.readouterr().err
