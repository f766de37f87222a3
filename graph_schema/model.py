"""The property-graph model: labels, relationship types, vocabularies and the Dataset.

A :class:`Dataset` is what every loader produces and what :class:`graph_schema.store.GraphStore`
writes: plain dicts of validated, typed values, one list per node label and relationship type.
``graph_schema/README.md`` documents the same model with a diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ActorKind",
    "ParticipationRole",
    "HelixSphere",
    "KindFamily",
    "GroupKind",
    "Indicator",
    "RegionKind",
    "ACTOR_KINDS",
    "PARTICIPATION_ROLES",
    "HELIX_SPHERES",
    "KIND_FAMILIES",
    "GROUP_KINDS",
    "INDICATORS",
    "REGION_KINDS",
    "NODE_LABELS",
    "REL_TYPES",
    "PROVENANCE",
    "Dataset",
]

# The vocabularies are ``StrEnum``s: a member equals (and hashes like) its string, so
# ``ActorKind.SME == "sme"`` and ``{ActorKind.SME: ...}["sme"]`` work, and values read back
# from Neo4j or from a URL need no conversion. Every mapping FROM one of them (helix sphere,
# kind family, colour, shape, label...) is keyed by the enum and covers every member;
# tests/unit/test_vocabularies.py fails when a member is added without its mappings.


class ActorKind(StrEnum):
    """Kinds of actor. ``company`` is a private company whose size is unknown."""

    COMPANY = "company"
    LARGE_COMPANY = "large_company"
    SME = "sme"
    STARTUP = "startup"
    UNIVERSITY = "university"
    RESEARCH_LAB = "research_lab"
    TRAINING_CENTRE = "training_centre"
    PUBLIC_AGENCY = "public_agency"
    FUNDER = "funder"
    ASSOCIATION = "association"
    OTHER = "other"


class ParticipationRole(StrEnum):
    """Roles an actor can hold in a project, strongest first (used to pick the main role
    when a source lists several roles of one actor in one project)."""

    COORDINATOR = "coordinator"
    PARTNER = "partner"
    PARTICIPANT = "participant"
    INTERNATIONAL_PARTNER = "international_partner"
    ASSOCIATED_PARTNER = "associated_partner"
    THIRD_PARTY = "third_party"


class HelixSphere(StrEnum):
    """The three spheres of the triple helix (Etzkowitz & Leydesdorff)."""

    INDUSTRY = "industry"
    ACADEMIA = "academia"
    GOVERNMENT = "government"


class KindFamily(StrEnum):
    """Families of kinds the synergy figures mix: companies, research, training."""

    COMPANY = "company"
    RESEARCH = "research"
    TRAINING = "training"


class GroupKind(StrEnum):
    """What a group of actors explored together is: one cluster's members, the union of
    several clusters' members (ids joined by commas), or the actors located in a country."""

    CLUSTER = "cluster"
    CLUSTERS = "clusters"
    COUNTRY = "country"


class Indicator(StrEnum):
    """Indicators of the contract-programmes (targets) and of reported outputs."""

    COLLABORATIVE_PROJECTS = "collaborative_projects"
    PATENTS = "patents"
    STARTUPS = "startups"
    RD_JOBS = "rd_jobs"


class RegionKind(StrEnum):
    """A region-like grouping: a country, a region inside it, or a city."""

    COUNTRY = "country"
    REGION = "region"
    CITY = "city"


#: Kinds of actor (the values of :class:`ActorKind`, in its order).
ACTOR_KINDS: tuple[str, ...] = tuple(k.value for k in ActorKind)

#: Roles in a project, strongest first (the values of :class:`ParticipationRole`).
PARTICIPATION_ROLES: tuple[str, ...] = tuple(r.value for r in ParticipationRole)

#: Triple-helix spheres (the values of :class:`HelixSphere`).
HELIX_SPHERES: tuple[str, ...] = tuple(s.value for s in HelixSphere)

#: Kind families (the values of :class:`KindFamily`).
KIND_FAMILIES: tuple[str, ...] = tuple(f.value for f in KindFamily)

#: Group kinds (the values of :class:`GroupKind`).
GROUP_KINDS: tuple[str, ...] = tuple(g.value for g in GroupKind)

#: Indicators of targets and outputs (the values of :class:`Indicator`).
INDICATORS: tuple[str, ...] = tuple(i.value for i in Indicator)

#: Region kinds (the values of :class:`RegionKind`).
REGION_KINDS: tuple[str, ...] = tuple(r.value for r in RegionKind)

#: Node labels holding data (each has a unique ``id``), in load order.
NODE_LABELS: tuple[str, ...] = (
    "Region",
    "Niche",
    "Programme",
    "Cluster",
    "Actor",
    "Project",
    "Target",
    "Output",
)

#: Relationship types and their (start label, end label) pairs.
REL_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "PART_OF": (("Region", "Region"),),
    "LOCATED_IN": (("Actor", "Region"), ("Cluster", "Region")),
    "MEMBER_OF": (("Actor", "Cluster"),),
    "PARTICIPATES_IN": (("Actor", "Project"),),
    "FUNDED_BY": (("Project", "Programme"),),
    "ACTIVE_IN": (("Actor", "Niche"), ("Cluster", "Niche")),
    "HAS_TARGET": (("Cluster", "Target"), ("Programme", "Target")),
    "REPORTED": (("Cluster", "Output"),),
    "FROM_PROJECT": (("Output", "Project"),),
}

#: Properties a load writes on every row besides its data: the source that wrote it, every
#: source holding it once shared, and the load's id (its times are on the ``Load`` node);
#: ``loaded_at`` is on rows written before loads stopped writing it (CHANGELOG, issue 9).
#: Exports leave them out of the data, and the console does not show them as data
#: (``synthetic`` is data: the exports and the pages keep it).
PROVENANCE: tuple[str, ...] = ("source", "sources", "load_id", "loaded_at")


@dataclass
class Dataset:
    """Validated records ready to be written, with their provenance.

    Node lists hold dicts with an ``id`` and the node's properties. Relationship lists hold
    dicts naming their ends by id (``actor_id``, ``cluster_id``, ...) plus properties.
    Location and hierarchy links are carried by the nodes (``region_id``, ``parent_id``).
    """

    source: str
    load_id: str
    attribution: str = ""
    regions: list[dict] = field(default_factory=list)
    niches: list[dict] = field(default_factory=list)
    programmes: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    actors: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    participations: list[dict] = field(default_factory=list)
    fundings: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)

    def sizes(self) -> dict[str, int]:
        """Number of records per list, for reports."""
        names = (
            "regions niches programmes clusters actors projects targets outputs "
            "memberships participations fundings activities"
        ).split()
        return {name: len(getattr(self, name)) for name in names}
