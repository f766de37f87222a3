"""The property-graph model: labels, relationship types, vocabularies and the Dataset.

A :class:`Dataset` is what every loader produces and what :class:`graph_schema.store.GraphStore`
writes: plain dicts of validated, typed values, one list per node label and relationship type.
``graph_schema/README.md`` documents the same model with a diagram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ACTOR_KINDS",
    "PARTICIPATION_ROLES",
    "INDICATORS",
    "REGION_KINDS",
    "NODE_LABELS",
    "REL_TYPES",
    "Dataset",
]

#: Kinds of actor. ``company`` is a private company whose size is unknown.
ACTOR_KINDS: tuple[str, ...] = (
    "company",
    "large_company",
    "sme",
    "startup",
    "university",
    "research_lab",
    "training_centre",
    "public_agency",
    "funder",
    "association",
    "other",
)

#: Roles an actor can hold in a project, strongest first (used to pick the main role
#: when a source lists several roles of one actor in one project).
PARTICIPATION_ROLES: tuple[str, ...] = (
    "coordinator",
    "partner",
    "participant",
    "international_partner",
    "associated_partner",
    "third_party",
)

#: Indicators of the contract-programmes (targets) and of reported outputs.
INDICATORS: tuple[str, ...] = ("collaborative_projects", "patents", "startups", "rd_jobs")

#: A region-like grouping: a country, a region inside it, or a city.
REGION_KINDS: tuple[str, ...] = ("country", "region", "city")

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
