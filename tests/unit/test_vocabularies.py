"""The typed vocabularies and every mapping from them are total.

Each mapping FROM an actor kind (helix sphere, kind family, colour/shape/label), a role or an
indicator is checked against its enum: adding a member without its mappings fails here, and
so does a mapping that names something which is not a member (as ``public_body`` once did,
which left the government sphere empty and the triple helix at 0).
"""

from __future__ import annotations

import inspect
import re
from enum import StrEnum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from graph_schema import model
from graph_schema.model import (
    ActorKind,
    GroupKind,
    HelixSphere,
    Indicator,
    KindFamily,
    ParticipationRole,
    RegionKind,
)
from loaders import cordis
from service import scorecard
from service.analytics import synergy
from web import network

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
VIS_SHAPES = {"dot", "square", "triangle", "diamond", "star", "triangleDown", "hexagon",
              "ellipse", "box", "circle"}


@pytest.mark.parametrize(("enum", "values"), [
    (ActorKind, model.ACTOR_KINDS),
    (ParticipationRole, model.PARTICIPATION_ROLES),
    (HelixSphere, model.HELIX_SPHERES),
    (KindFamily, model.KIND_FAMILIES),
    (GroupKind, model.GROUP_KINDS),
    (Indicator, model.INDICATORS),
    (RegionKind, model.REGION_KINDS),
])
def test_public_tuples_are_the_enum_values_in_order(enum, values):
    assert issubclass(enum, StrEnum)
    assert values == tuple(member.value for member in enum)
    assert all(type(v) is str for v in values)  # plain strings, as before the enums
    assert len(set(values)) == len(values)


def test_members_are_their_strings():
    assert ActorKind.PUBLIC_AGENCY == "public_agency"
    assert {ActorKind.SME: 1}["sme"] == 1 and {"sme": 1}[ActorKind.SME] == 1
    assert f"{ActorKind.TRAINING_CENTRE}" == "training_centre"
    assert "third_party" in model.PARTICIPATION_ROLES
    assert model.PARTICIPATION_ROLES.index(ParticipationRole.COORDINATOR) == 0


def _total(mapping, enum):
    """Keys of ``mapping`` are exactly the members of ``enum`` (none missing, none extra)."""
    assert set(mapping) == set(enum), (
        f"missing: {sorted(set(enum) - set(mapping))}, "
        f"not members: {sorted(map(str, set(mapping) - set(enum)))}")
    assert all(isinstance(key, enum) for key in mapping)


def test_helix_sphere_of_every_kind():
    _total(synergy.DEFAULT_HELIX, ActorKind)
    spheres = set(synergy.DEFAULT_HELIX.values())
    assert spheres <= {*HelixSphere, None}
    # every sphere is reached by some kind, otherwise its entropy is 0 by construction
    assert spheres - {None} == set(HelixSphere)
    assert synergy.DEFAULT_HELIX[ActorKind.PUBLIC_AGENCY] is HelixSphere.GOVERNMENT
    assert synergy.DEFAULT_HELIX[ActorKind.FUNDER] is HelixSphere.GOVERNMENT
    # left out on purpose (docs/metrics.md says why)
    assert synergy.DEFAULT_HELIX[ActorKind.ASSOCIATION] is None
    assert synergy.DEFAULT_HELIX[ActorKind.OTHER] is None


def test_triple_helix_axes_are_the_three_spheres():
    axes = inspect.signature(synergy.triple_helix).parameters["helix"].default
    assert len(axes) == 3 and set(axes) == set(HelixSphere)


def test_kind_family_of_every_kind_and_the_kind_groups():
    _total(synergy.KIND_FAMILY, ActorKind)
    assert set(synergy.KIND_FAMILY.values()) - {None} == set(KindFamily)
    groups = {KindFamily.COMPANY: synergy.COMPANY_KINDS,
              KindFamily.RESEARCH: synergy.RESEARCH_KINDS,
              KindFamily.TRAINING: synergy.TRAINING_KINDS}
    for family, kinds in groups.items():
        assert kinds == {k for k, f in synergy.KIND_FAMILY.items() if f is family}
    assert synergy.COMPANY_KINDS == {"company", "large_company", "sme", "startup"}
    assert synergy.RESEARCH_KINDS == {"university", "research_lab"}
    assert synergy.TRAINING_KINDS == {"training_centre"}
    # the scorecard counts with the same groups, not a copy
    assert scorecard.COMPANY_KINDS is synergy.COMPANY_KINDS
    assert scorecard.RESEARCH_KINDS is synergy.RESEARCH_KINDS
    assert scorecard.TRAINING_KINDS is synergy.TRAINING_KINDS


def test_colour_shape_and_label_of_every_kind():
    _total(network.KIND_STYLE, ActorKind)
    colours = [style[0] for style in network.KIND_STYLE.values()]
    labels = [style[2] for style in network.KIND_STYLE.values()]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert len(set(colours)) == len(colours)  # the legend tells kinds apart
    assert {style[1] for style in network.KIND_STYLE.values()} <= VIS_SHAPES
    assert len(set(labels)) == len(labels) and all(labels)


def _kind_labels() -> list[str]:
    return [style[2] for style in network.KIND_STYLE.values()]


@pytest.mark.parametrize("label", [*_kind_labels(), *scorecard.INDICATOR_LABELS.values()])
def test_every_kind_and_indicator_label_has_a_french_translation(label):
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(label)
    assert message is not None, f"{label!r} is not in messages.po (run pybabel extract/update)"
    assert message.string.strip() and not message.fuzzy, label
    # ... and the compiled catalogue the app loads has it too
    compiled = Translations.load(str(TRANSLATIONS), ["fr"])
    assert compiled.gettext(label) == message.string


def test_indicator_label_of_every_indicator():
    _total(scorecard.INDICATOR_LABELS, Indicator)


def test_cordis_tables_give_typed_kinds_and_roles():
    assert all(isinstance(k, ActorKind) for k in cordis.KIND_OF_ACTIVITY.values())
    assert set(cordis.KIND_OF_ACTIVITY) == {"HES", "REC", "PUB", "OTH"}  # PRC: by SME flag
    assert all(isinstance(r, ParticipationRole) for r in cordis.ROLE_OF_CORDIS_ROLE.values())
    assert cordis.ROLE_OF_CORDIS_ROLE["thirdparty"] == "third_party"
