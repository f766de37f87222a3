"""The docs say what the code does: settings, schema, bundle format."""

from __future__ import annotations

from pathlib import Path

from graph_schema.model import NODE_LABELS, REL_TYPES
from loaders.bundle import bundle_doc
from service.settings import SETTINGS, settings_doc

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert settings_doc() in text, "regenerate the table: service.settings.settings_doc()"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"{setting.name}=" in example, setting.name
        assert setting.help.strip(), setting.name


def test_schema_readme_names_every_label_and_relationship():
    text = (ROOT / "graph_schema" / "README.md").read_text(encoding="utf-8")
    for name in (*NODE_LABELS, *REL_TYPES):
        assert f"`{name}`" in text, name


def test_loaders_readme_holds_the_generated_bundle_reference():
    text = (ROOT / "loaders" / "README.md").read_text(encoding="utf-8")
    assert bundle_doc() in text, "regenerate with: python -m loaders.bundle"
