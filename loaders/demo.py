"""The demo ecosystem: Morocco's four clusters labelled in 2011, as a canonical CSV bundle.

:func:`write_demo_bundle` writes a folder that :func:`loaders.bundle.read_bundle` accepts.

What is real and what is generated
----------------------------------
Real (``synthetic=false``), from the article "Clusters, le nouveau pari de l'émergence",
Les ECO, 14 September 2011: the four clusters and their fields, the Maroc Numeric Cluster
niches, the Océanopôle Tan-Tan territory and founding year, the programmes (Maroc Innovation,
the cluster support fund, Tatouir) and the joint three-year commitment of the four clusters
(81 collaborative R&D projects, 28 patents, 24 start-ups, 266 R&D jobs). The regions are the
2011-era administrative regions of Morocco. Where a cluster row holds something the article
does not say (the regional anchoring of CE3M and MMC, for instance), its description says so.

Generated (``synthetic=true``): every member actor, membership, project, participation,
funding, actor niche, reported output and the split of the joint targets between clusters.
Names are built from word lists and are invented; any likeness to a real organisation is
accidental.

The output only depends on ``seed``: every random draw comes from one
:class:`random.Random`, every list is built in a fixed order and every file is sorted, so the
same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path

from .bundle_format import FILES, bundle_files, write_bundle

__all__ = ["write_demo_bundle", "DEMO_NAME", "JOINT_TARGETS", "CLUSTER_IDS"]

DEMO_NAME = "demo-morocco-2011"
ARTICLE = "Les ECO, 14 Sept 2011, \u00abClusters, le nouveau pari de l'\u00e9mergence\u00bb"
FROM_ARTICLE = f"Source: {ARTICLE}."

#: Joint commitment of the four clusters after three years (the article's figures).
JOINT_TARGETS: dict[str, int] = {
    "collaborative_projects": 81,
    "patents": 28,
    "startups": 24,
    "rd_jobs": 266,
}
_INDICATORS = ("collaborative_projects", "patents", "startups", "rd_jobs")
TARGET_PERIOD = (2011, 2013)
YEARS = (2011, 2012, 2013, 2014)

CLUSTER_IDS = ("mnc", "ce3m", "mmc", "oceanopole")
FUND_ID = "fonds-appui-clusters"
TATOUIR_ID = "tatouir"
INNOVATION_ID = "maroc-innovation"
MINISTRY = "Minist\u00e8re de l'Industrie, du Commerce et des Nouvelles Technologies"

# --------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------

_REGIONS: tuple[tuple[str, str, str, str | None], ...] = (
    # id, name, kind, parent
    ("MA", "Maroc", "country", None),
    ("ma-grand-casablanca", "Grand Casablanca", "region", "MA"),
    ("ma-rabat-sale-zemmour-zaer", "Rabat-Sal\u00e9-Zemmour-Za\u00ebr", "region", "MA"),
    ("ma-guelmim-es-semara", "Guelmim-Es Semara", "region", "MA"),
    ("ma-tanger-tetouan", "Tanger-T\u00e9touan", "region", "MA"),
    ("ma-souss-massa-draa", "Souss-Massa-Dr\u00e2a", "region", "MA"),
    ("ma-fes-boulemane", "F\u00e8s-Boulemane", "region", "MA"),
    ("ma-marrakech-tensift-al-haouz", "Marrakech-Tensift-Al Haouz", "region", "MA"),
    ("ma-oriental", "Oriental", "region", "MA"),
)

#: Cities of each region, the first one weighted most.
_CITIES: dict[str, tuple[str, ...]] = {
    "ma-grand-casablanca": ("Casablanca", "Mohammedia"),
    "ma-rabat-sale-zemmour-zaer": ("Rabat", "Sal\u00e9", "T\u00e9mara"),
    "ma-guelmim-es-semara": ("Tan-Tan", "Guelmim", "El Ouatia"),
    "ma-tanger-tetouan": ("Tanger", "T\u00e9touan"),
    "ma-souss-massa-draa": ("Agadir", "Inezgane"),
    "ma-fes-boulemane": ("F\u00e8s",),
    "ma-marrakech-tensift-al-haouz": ("Marrakech",),
    "ma-oriental": ("Oujda",),
}

_NICHES: tuple[tuple[str, str, str, str], ...] = (
    # id, cluster, name, description
    ("mnc-mobile-services", "mnc", "Mobile services",
     "Maroc Numeric Cluster niche (pole of excellence) named in the article."),
    ("mnc-security-monetics-digital-rights", "mnc", "Security, monetics and digital rights",
     "Maroc Numeric Cluster niche (pole of excellence) named in the article."),
    ("mnc-multimedia", "mnc", "Multimedia",
     "Maroc Numeric Cluster niche (pole of excellence) named in the article."),
    ("mnc-software-packages", "mnc", "Software packages",
     "Maroc Numeric Cluster niche (pole of excellence) named in the article."),
    ("ce3m-electronics", "ce3m", "Electronics", "CE3M field named in the article."),
    ("ce3m-mechatronics", "ce3m", "Mechatronics", "CE3M field named in the article."),
    ("ce3m-mechanics", "ce3m", "Mechanics", "CE3M field named in the article."),
    ("mmc-microelectronics", "mmc", "Microelectronics",
     "Morocco Microelectronics Cluster field named in the article."),
    ("oceanopole-sea-resources", "oceanopole", "Sea resources",
     "Oc\u00e9anop\u00f4le Tan-Tan: development of marine resources (named in the article)."),
    ("oceanopole-marine-science-technology", "oceanopole", "Marine science and technology",
     "Oc\u00e9anop\u00f4le Tan-Tan: pole of excellence in sea sciences and technologies "
     "(named in the article)."),
    ("oceanopole-fishery-products", "oceanopole", "Fishery products and fishing sector",
     "Oc\u00e9anop\u00f4le Tan-Tan: performance of the fishing sector and value added of "
     "fishery products (named in the article)."),
)

_SUBSIDY = ("One of the four clusters labelled after the first call for projects, which share "
            "a State subsidy of 17 million DH and jointly committed to 81 collaborative R&D "
            "projects, 28 patents, 24 start-ups and 266 R&D jobs after three years.")

_CLUSTERS: tuple[dict, ...] = (
    {
        "id": "mnc",
        "name": "Maroc Numeric Cluster",
        "field": "ICT",
        "region_id": "ma-grand-casablanca",
        "founded_year": 2011,
        "description": (
            "ICT cluster: joint initiative of the Ministry of Industry, Trade and New "
            "Technologies and ICT-sector actors, federating ICT operators to develop innovation "
            "in four poles of excellence: mobile services; security, monetics and digital "
            "rights; multimedia; software packages. Mixed public/private governance (State, "
            "large companies, SMEs, education and research, funding bodies). " + _SUBSIDY
            + " " + FROM_ARTICLE + " Not from the article: founded_year is the year of "
            "labelling; the Grand Casablanca anchoring is assumed."
        ),
    },
    {
        "id": "ce3m",
        "name": "CE3M",
        "field": "electronics, mechatronics, mechanics",
        "region_id": "ma-grand-casablanca",
        "founded_year": 2011,
        "description": (
            "Cluster of the electronics, mechatronics and mechanics sectors, rooted in the "
            "national pact for industrial emergence; federates actors around a shared vision "
            "aiming at the emergence of innovation projects, to create value, jobs and "
            "territorial attractiveness. " + _SUBSIDY + " " + FROM_ARTICLE + " Not from the "
            "article (assumed): the Grand Casablanca anchoring; founded_year is the year of "
            "labelling."
        ),
    },
    {
        "id": "mmc",
        "name": "Morocco Microelectronics Cluster",
        "field": "microelectronics",
        "region_id": "ma-rabat-sale-zemmour-zaer",
        "founded_year": 2011,
        "description": (
            "MMC: microelectronics cluster backed by world leaders of the field such as "
            "ST Ericsson, which provided 60 servers. " + _SUBSIDY + " " + FROM_ARTICLE
            + " Not from the article (assumed): the Rabat-Sal\u00e9-Zemmour-Za\u00ebr "
            "anchoring; founded_year is the year of labelling."
        ),
    },
    {
        "id": "oceanopole",
        "name": "Oc\u00e9anop\u00f4le Tan-Tan",
        "field": "sea resources, marine science and technology",
        "region_id": "ma-guelmim-es-semara",
        "founded_year": 2010,
        "description": (
            "Created in January 2010 to develop a pole of excellence on sea resources, "
            "sciences and technologies; territory: the port of Tan-Tan and the Guelmim-Es "
            "Semara region, potential field the arid coastal zones of southern Morocco. "
            "Regional network of the sea sector: large, medium and small companies and "
            "professional associations. Aims: performance of the fishing sector, value added "
            "of fishery products, innovative development of marine resources. " + _SUBSIDY
            + " " + FROM_ARTICLE
        ),
    },
)

_PROGRAMMES: tuple[dict, ...] = (
    {
        "id": INNOVATION_ID,
        "name": "Maroc Innovation",
        "funder": MINISTRY,
        "description": (
            "National innovation strategy: 1,000 Moroccan patents and 200 start-ups by 2014; "
            "the cluster programme (15 industrial and technological clusters, 100 innovative "
            "collaborative projects by 2013) is in line with it. " + FROM_ARTICLE
        ),
    },
    {
        "id": FUND_ID,
        "name": "Fonds d'appui aux clusters",
        "funder": MINISTRY,
        "description": (
            "Cluster support fund, 62 million DH for 2011-2013: the State's contribution, "
            "subsidising the set-up and running of the animation structures of the selected "
            "clusters under contract-programmes that bind each cluster to indicators "
            "(collaborative projects carried out, patents filed, start-ups created). "
            "Clusters are selected by call for projects: the first call labelled four "
            "clusters (Maroc Numeric Cluster, CE3M, Morocco Microelectronics Cluster, "
            "Oc\u00e9anop\u00f4le Tan-Tan), which receive a State subsidy of 17 million DH in "
            "total; a second call (November 2011) was to label six more for 2012. "
            + FROM_ARTICLE
        ),
    },
    {
        "id": TATOUIR_ID,
        "name": "Tatouir",
        "funder": "Centre marocain de l'innovation (CMI)",
        "description": (
            "Finances the collaborative R&D projects of the clusters; part of the new "
            "innovation financing scheme, run by the Centre marocain de l'innovation. "
            + FROM_ARTICLE
        ),
    },
)

# --------------------------------------------------------------------------------------
# Generation parameters
# --------------------------------------------------------------------------------------

#: Per cluster: member count range, kind shares, regions elsewhere, words for names and
#: project titles.
_PLAN: dict[str, dict] = {
    "mnc": {
        "size": (112, 126),
        "kinds": {"sme": 42, "startup": 16, "large_company": 10, "company": 4,
                  "university": 6, "research_lab": 6, "training_centre": 5,
                  "public_agency": 4, "funder": 3, "association": 4},
        "elsewhere": ("ma-rabat-sale-zemmour-zaer", "ma-marrakech-tensift-al-haouz",
                      "ma-fes-boulemane", "ma-tanger-tetouan"),
        "words": ("Soft", "Data", "Mobile", "Net", "Pay", "Secure", "Media", "Digital",
                  "Cloud", "Logic", "Code", "Web", "Telecom", "Systems", "Info"),
        "company_forms": ("{p} {w} SARL", "{p} {w} Technologies", "{p}{lw} SARL"),
        "large_forms": ("Groupe {p} {w}", "{p} {w} SA"),
        "startup_forms": ("{p} {w} Labs", "{p}{lw}", "{w}{p}"),
        "lab_topics": ("de r\u00e9seaux mobiles", "de cryptographie appliqu\u00e9e",
                       "de g\u00e9nie logiciel", "d'images et multim\u00e9dia",
                       "de syst\u00e8mes d'information", "d'intelligence artificielle"),
        "training": "aux m\u00e9tiers du num\u00e9rique",
        "agency_forms": ("Agence {p} de promotion du num\u00e9rique",
                         "Technop\u00f4le {p}", "D\u00e9l\u00e9gation {p} \u00e0 l'innovation"),
        "association_forms": ("Association {p} des professionnels du num\u00e9rique",
                              "R\u00e9seau {p} des jeunes entrepreneurs du web",
                              "Association {p} des \u00e9diteurs de logiciels"),
        "topics": (("MPAY", "Secure mobile payment"),
                   ("LBS", "Location-based mobile services"),
                   ("EID", "Electronic identity and digital signature"),
                   ("DRM", "Digital rights management"),
                   ("CARD", "Contactless card and monetics"),
                   ("VOD", "Arabic and Amazigh video-on-demand"),
                   ("ELRN", "Multimedia e-learning content"),
                   ("ERP", "Open-source ERP package"),
                   ("HIS", "Hospital information system"),
                   ("CLOUD", "Cloud hosting of business software"),
                   ("IDS", "Intrusion detection"),
                   ("GIS", "Geographic information system")),
        "apps": (("SME", "for SMEs"), ("MFI", "for microfinance"),
                 ("AGRI", "for farmers' cooperatives"), ("GOV", "for local e-government"),
                 ("TOUR", "for tourism"), ("HLTH", "for health centres"),
                 ("EDU", "for schools"), ("TRNS", "for urban transport")),
        "niches": ("mnc-mobile-services", "mnc-security-monetics-digital-rights",
                   "mnc-multimedia", "mnc-software-packages"),
    },
    "ce3m": {
        "size": (84, 96),
        "kinds": {"sme": 45, "large_company": 14, "company": 6, "startup": 6,
                  "university": 6, "research_lab": 7, "training_centre": 7,
                  "public_agency": 4, "funder": 2, "association": 3},
        "elsewhere": ("ma-tanger-tetouan", "ma-fes-boulemane", "ma-rabat-sale-zemmour-zaer",
                      "ma-oriental"),
        "words": ("M\u00e9canique", "\u00c9lectronique", "M\u00e9catronique",
                  "Pr\u00e9cision", "Industries", "Usinage", "Automatismes", "C\u00e2blage",
                  "Moulage", "Composants", "Robotique", "T\u00f4lerie"),
        "company_forms": ("{w} {p} SARL", "{w} {p} SARL", "{p} {w} SARL"),
        "large_forms": ("Groupe {p} {w}", "{p} {w} SA"),
        "startup_forms": ("{p} {w} Lab", "{p} Robotics", "{p} Motion"),
        "lab_topics": ("de m\u00e9catronique", "de g\u00e9nie m\u00e9canique",
                       "d'\u00e9lectronique de puissance", "d'automatique industrielle",
                       "de mat\u00e9riaux et proc\u00e9d\u00e9s"),
        "training": "aux m\u00e9tiers de l'industrie",
        "agency_forms": ("Zone industrielle {p}", "Agence {p} de d\u00e9veloppement industriel",
                         "Centre technique {p} des industries m\u00e9caniques"),
        "association_forms": ("Association {p} des industriels de la m\u00e9canique",
                              "Groupement {p} des sous-traitants \u00e9lectroniques",
                              "Association {p} des m\u00e9tiers de l'usinage"),
        "topics": (("MECA", "Mechatronic actuator"),
                   ("HARN", "Wiring harness testing bench"),
                   ("ROBO", "Low-cost robotic cell"),
                   ("CNC", "Numerical-control retrofit"),
                   ("PCBA", "Printed circuit board assembly line"),
                   ("MOLD", "Precision injection moulds"),
                   ("SENS", "Industrial sensor network"),
                   ("MACH", "Precision machined parts"),
                   ("POWR", "Power electronics converter"),
                   ("PMNT", "Predictive maintenance")),
        "apps": (("AUTO", "for the automotive industry"), ("AERO", "for aeronautics"),
                 ("AGRO", "for agri-food lines"), ("SOLR", "for solar energy"),
                 ("TEXT", "for textile machinery"), ("RAIL", "for railway equipment")),
        "niches": ("ce3m-electronics", "ce3m-mechatronics", "ce3m-mechanics"),
    },
    "mmc": {
        "size": (46, 54),
        "kinds": {"sme": 30, "large_company": 12, "startup": 14, "company": 4,
                  "university": 10, "research_lab": 14, "training_centre": 6,
                  "public_agency": 4, "funder": 2, "association": 4},
        "elsewhere": ("ma-grand-casablanca", "ma-fes-boulemane", "ma-tanger-tetouan"),
        "words": ("Micro", "Silicium", "Semicon", "Design", "Circuits", "Nano", "Embedded",
                  "Test", "Packaging", "Wafer", "Chip", "Systems"),
        "company_forms": ("{p} {w} SARL", "{p} {w} Technologies"),
        "large_forms": ("{p} {w} SA", "Groupe {p} {w}"),
        "startup_forms": ("{p} {w} Labs", "{p}{lw}", "{p} Silicon"),
        "lab_topics": ("de micro\u00e9lectronique", "de conception de circuits int\u00e9gr\u00e9s",
                       "de syst\u00e8mes embarqu\u00e9s", "de micro-capteurs",
                       "de test et fiabilit\u00e9"),
        "training": "en micro\u00e9lectronique",
        "agency_forms": ("Technopark {p}", "Agence {p} des hautes technologies"),
        "association_forms": ("Association {p} des concepteurs de circuits",
                              "R\u00e9seau {p} des ing\u00e9nieurs en micro\u00e9lectronique"),
        "topics": (("ASIC", "ASIC design flow"),
                   ("FPGA", "FPGA prototyping platform"),
                   ("WTST", "Wafer test methodology"),
                   ("PKG", "Chip packaging process"),
                   ("RFFE", "RF front-end circuit"),
                   ("LPMC", "Low-power microcontroller"),
                   ("MEMS", "MEMS sensor"),
                   ("IPLIB", "Reusable IP cores library"),
                   ("SOCV", "System-on-chip verification"),
                   ("SIMF", "Circuit simulation on a shared server farm")),
        "apps": (("MOB", "for mobile handsets"), ("AUTO", "for automotive electronics"),
                 ("CARD", "for smart cards"), ("SOLR", "for solar inverters"),
                 ("MED", "for medical devices"), ("IOT", "for connected objects")),
        "niches": ("mmc-microelectronics",),
    },
    "oceanopole": {
        "size": (55, 65),
        "kinds": {"sme": 36, "large_company": 10, "company": 8, "association": 14,
                  "research_lab": 7, "university": 5, "training_centre": 7,
                  "public_agency": 8, "startup": 3, "funder": 2},
        "elsewhere": ("ma-souss-massa-draa", "ma-grand-casablanca"),
        "words": ("P\u00eache", "Mar\u00e9e", "Halieutique", "Conserves", "Froid",
                  "Aquaculture", "Algues", "Armement", "Poissons", "Salaisons", "Filets",
                  "Glace"),
        "company_forms": ("{w} {p} SARL", "{w} {p} SARL", "{p} {w} SARL"),
        "large_forms": ("Conserveries {p} SA", "Groupe {p} {w}", "{p} {w} SA"),
        "startup_forms": ("{p} Blue Lab", "{p} {w} Innov"),
        "lab_topics": ("de biologie marine", "d'oc\u00e9anographie c\u00f4ti\u00e8re",
                       "de technologie des produits de la mer", "d'aquaculture",
                       "d'halieutique"),
        "training": "aux m\u00e9tiers de la mer",
        "agency_forms": ("Office {p} de la p\u00eache c\u00f4ti\u00e8re",
                         "Agence {p} de d\u00e9veloppement portuaire",
                         "D\u00e9l\u00e9gation {p} des ressources halieutiques"),
        "association_forms": ("Association des armateurs {p}",
                              "Coop\u00e9rative de p\u00eacheurs {p}",
                              "Association professionnelle des mareyeurs {p}",
                              "Union {p} des conserveurs",
                              "Association des femmes de la mer {p}",
                              "F\u00e9d\u00e9ration {p} de la p\u00eache artisanale"),
        "topics": (("STOCK", "Fish stock monitoring"),
                   ("COLD", "Cold chain for fishery products"),
                   ("CANN", "Sardine canning process"),
                   ("ALGA", "Seaweed valorisation"),
                   ("AQUA", "Aquaculture pilot"),
                   ("BYPR", "Fish by-product valorisation"),
                   ("TRACE", "Catch traceability"),
                   ("BOAT", "Fishing boat energy efficiency"),
                   ("DRY", "Salted and dried fish products"),
                   ("DESAL", "Seawater desalination for processing")),
        "apps": (("TT", "at the port of Tan-Tan"), ("COAST", "on the southern arid coast"),
                 ("ART", "for artisanal fishing"), ("COOP", "for fishers' cooperatives"),
                 ("EXP", "for export markets"), ("GES", "in Guelmim-Es Semara")),
        "niches": ("oceanopole-sea-resources", "oceanopole-marine-science-technology",
                   "oceanopole-fishery-products"),
    },
}

#: Invented Moroccan-sounding name parts (Amazigh and Arabic words, not company names).
_PREFIXES = (
    "Tafoukt", "Tilelli", "Anzar", "Itri", "Amane", "Assif", "Tizi", "Idrar", "Ighil",
    "Afous", "Tislit", "Amlal", "Tanirt", "Nakhla", "Yakout", "Rihane", "Sahar", "Noujoum",
    "Zellige", "Amwaj", "Bahria", "Warda", "Tagant", "Tamount", "Illis", "Ameksa", "Asafar",
    "Tazerzit", "Aghbalou", "Tiwizi", "Afrag", "Amnay", "Tadart", "Anir", "Tamazirt",
    "Azalay", "Tifawt", "Agraw", "Amoudou", "Tinmel",
)

_UNIVERSITY_FORMS = (
    "Universit\u00e9 priv\u00e9e {p} des sciences et technologies",
    "\u00c9cole sup\u00e9rieure d'ing\u00e9nierie {p}",
    "Facult\u00e9 polytechnique {p}",
    "Institut sup\u00e9rieur {p} de technologie",
)
_TRAINING_FORMS = ("Centre de formation {p} {d}", "Institut {p} {d}")
_FUNDER_FORMS = ("{p} Capital Amor\u00e7age", "Fonds {p} Innovation",
                 "Caisse {p} de garantie")

_FOUNDED: dict[str, tuple[int, int]] = {
    "large_company": (1960, 2005), "company": (1975, 2010), "sme": (1985, 2010),
    "startup": (2007, 2013), "university": (1975, 2008), "research_lab": (1985, 2010),
    "training_centre": (1980, 2010), "public_agency": (1990, 2010), "funder": (1995, 2010),
    "association": (1970, 2010),
}
#: How strongly each kind attracts collaborations (multiplied by a heavy-tailed draw).
_FITNESS: dict[str, float] = {
    "large_company": 4.0, "university": 3.5, "research_lab": 3.5, "company": 1.2,
    "sme": 1.0, "startup": 1.2, "training_centre": 0.8, "public_agency": 1.0,
    "association": 0.7, "funder": 0.0,
}
_SIZE_WEIGHTS = ((2, 4), (3, 12), (4, 20), (5, 22), (6, 18), (7, 13), (8, 11))
_START_WEIGHTS = ((2011, 16), (2012, 30), (2013, 32), (2014, 22))
_CROSS_PAIRS = ((("mnc", "mmc"), 4), (("ce3m", "mmc"), 4), (("mnc", "ce3m"), 2),
                (("mnc", "oceanopole"), 2), (("ce3m", "oceanopole"), 1),
                (("mmc", "oceanopole"), 1))
#: Members that also join a second cluster: (home cluster, second cluster, how many).
_DUAL = (("ce3m", "mmc", 2), ("mnc", "mmc", 1), ("mnc", "ce3m", 1), ("mnc", "oceanopole", 1))
_DUAL_KINDS = ("large_company", "university", "research_lab", "sme")
_FLOOR_SINCE = {"mnc": 2011, "ce3m": 2011, "mmc": 2011, "oceanopole": 2010}

_GENERATED_NOTE = "generated (synthetic) annual report figure"


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _pick(rng: random.Random, pairs: Sequence[tuple[object, float]]):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights)[0]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _round_to(value: float, step: int) -> int:
    return int(round(value / step)) * step


class _Names:
    """Unique invented names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, forms: Sequence[str], words: Sequence[str] = ("",), **extra) -> str:
        for _ in range(500):
            word = self.rng.choice(words)
            name = self.rng.choice(forms).format(
                p=self.rng.choice(_PREFIXES), w=word, lw=word.lower(), **extra)
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of name combinations")  # pragma: no cover


def _actor_name(names: _Names, plan: dict, kind: str) -> str:
    words = plan["words"]
    if kind in ("sme", "company"):
        return names.make(plan["company_forms"], words)
    if kind == "large_company":
        return names.make(plan["large_forms"], words)
    if kind == "startup":
        return names.make(plan["startup_forms"], words)
    if kind == "university":
        return names.make(_UNIVERSITY_FORMS)
    if kind == "research_lab":
        return names.make(["Laboratoire {p} " + t for t in plan["lab_topics"]])
    if kind == "training_centre":
        return names.make(_TRAINING_FORMS, d=plan["training"])
    if kind == "public_agency":
        return names.make(plan["agency_forms"])
    if kind == "funder":
        return names.make(_FUNDER_FORMS)
    return names.make(plan["association_forms"])


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def _make_actors(rng: random.Random) -> dict[str, list[dict]]:
    names = _Names(rng)
    by_cluster: dict[str, list[dict]] = {}
    for cid in CLUSTER_IDS:
        plan = _PLAN[cid]
        home_region = next(c["region_id"] for c in _CLUSTERS if c["id"] == cid)
        size = rng.randint(*plan["size"])
        kinds = list(plan["kinds"])
        counts = _apportion(size, [plan["kinds"][k] for k in kinds])
        counts = [max(1, n) for n in counts]
        pool = [k for k, n in zip(kinds, counts, strict=True) for _ in range(n)]
        rng.shuffle(pool)
        actors = []
        for number, kind in enumerate(pool, start=1):
            if rng.random() < 0.86:
                region = home_region
            else:
                region = rng.choice(plan["elsewhere"])
            cities = _CITIES[region]
            city = rng.choices(cities, weights=[3] + [1] * (len(cities) - 1))[0]
            actors.append({
                "id": f"{cid}-a{number:03d}",
                "name": _actor_name(names, plan, kind),
                "kind": kind,
                "home": cid,
                "country": "MA",
                "region_id": region,
                "city": city,
                "founded_year": rng.randint(*_FOUNDED[kind]),
                "fitness": _FITNESS[kind] * min(rng.paretovariate(2.0), 5.0),
            })
        by_cluster[cid] = actors
    return by_cluster


def _split_targets(rng: random.Random, sizes: dict[str, int]) -> dict[str, dict[str, int]]:
    split: dict[str, dict[str, int]] = {}
    for indicator in _INDICATORS:
        weights = [sizes[c] * rng.uniform(0.8, 1.2) for c in CLUSTER_IDS]
        parts = _apportion(JOINT_TARGETS[indicator], weights)
        split[indicator] = dict(zip(CLUSTER_IDS, parts, strict=True))
    return split


class _Projects:
    """Projects and their consortia, built with preferential choice of partners."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.projects: list[dict] = []
        self.members: dict[str, list[str]] = {}  # project id -> actor ids, coordinator first
        self.count: dict[str, int] = {}  # actor id -> number of projects
        self.used_titles: set[str] = set()
        self.used_acronyms: set[str] = set()
        # actor id -> {partner id: first year they shared a project}
        self.ties: dict[str, dict[str, int]] = {}
        self.start: dict[str, int] = {}  # project id -> start year

    def weight(self, actor: dict) -> float:
        return actor["fitness"] * (1 + 0.5 * self.count.get(actor["id"], 0))

    def prefer(self, candidates: list[dict], exclude: Sequence[str] = ()) -> dict:
        choices = [a for a in candidates if a["id"] not in exclude]
        return self.rng.choices(choices, weights=[self.weight(a) for a in choices])[0]

    def add(self, project_id: str, actor: dict) -> None:
        year = self.start[project_id]
        for other in self.members[project_id]:
            for a, b in ((actor["id"], other), (other, actor["id"])):
                known = self.ties.setdefault(a, {})
                known[b] = min(known.get(b, year), year)
        self.members[project_id].append(actor["id"])
        self.count[actor["id"]] = self.count.get(actor["id"], 0) + 1

    def prefer_closing(self, candidates: list[dict], project_id: str,
                       closure: float = 0.45) -> dict:
        """Like :meth:`prefer`, but often a partner of a partner (triadic closure): an actor
        already tied, in an earlier year, to a member of the project. Real collaboration
        networks close triangles this way; it is what missing-link scores pick up."""
        members = self.members[project_id]
        if members and self.rng.random() < closure:
            year = self.start[project_id]
            near: set[str] = set()
            for member in members:
                near.update(p for p, y in self.ties.get(member, {}).items() if y < year)
            pool = [a for a in candidates if a["id"] in near and a["id"] not in members]
            if pool:
                return self.prefer(pool)
        return self.prefer(candidates, exclude=members)

    def new_project(self, project_id: str, topic_plan: dict, app_plan: dict,
                    budget_scale: float) -> str:
        rng = self.rng
        for _ in range(500):
            short_t, topic = rng.choice(topic_plan["topics"])
            short_a, app = rng.choice(app_plan["apps"])
            title = f"{topic} {app}"
            if title not in self.used_titles:
                break
        else:  # pragma: no cover
            raise RuntimeError("ran out of project titles")
        self.used_titles.add(title)
        acronym = f"{short_t}-{short_a}"
        suffix = 2
        while acronym in self.used_acronyms:
            acronym = f"{short_t}-{short_a}{suffix}"
            suffix += 1
        self.used_acronyms.add(acronym)
        start = _pick(rng, _START_WEIGHTS)
        end = min(2016, start + _pick(rng, ((0, 1), (1, 4), (2, 4), (3, 2))))
        budget = _round_to(rng.lognormvariate(math.log(2_500_000), 0.6) * budget_scale, 10_000)
        budget = min(max(budget, 400_000), 25_000_000)
        self.projects.append({
            "id": project_id,
            "title": title,
            "acronym": acronym,
            "start_year": start,
            "end_year": end,
            "budget": budget,
            "currency": "MAD",
            "status": "closed" if end <= 2014 else "ongoing",
        })
        self.members[project_id] = []
        self.start[project_id] = start
        return project_id

    def build_cluster(self, cid: str, pool: list[dict], n_projects: int) -> None:
        """Intra-cluster projects; every actor of ``pool`` ends up in at least one."""
        rng = self.rng
        plan = _PLAN[cid]
        n_projects = max(n_projects, math.ceil(1.25 * len(pool) / 8))
        sizes = [_pick(rng, _SIZE_WEIGHTS) for _ in range(n_projects)]
        while sum(sizes) < 1.25 * len(pool):
            open_ = [i for i, s in enumerate(sizes) if s < 8]
            sizes[rng.choice(open_)] += 1
        ids = [self.new_project(f"{cid}-p{n:03d}", plan, plan, 1.0)
               for n in range(1, n_projects + 1)]
        room = dict(zip(ids, sizes, strict=True))
        for pid in ids:  # coordinators: preferential, so hubs coordinate more
            self.add(pid, self.prefer(pool))
            room[pid] -= 1
        uncovered = {a["id"] for a in pool if a["id"] not in self.count}
        by_id = {a["id"]: a for a in pool}

        def open_project() -> str:
            return rng.choices(ids, weights=[room[p] for p in ids])[0]

        while sum(room.values()) > len(uncovered):
            pid = open_project()
            actor = self.prefer_closing(pool, pid)
            self.add(pid, actor)
            room[pid] -= 1
            uncovered.discard(actor["id"])
        leftover = sorted(uncovered)
        rng.shuffle(leftover)
        for actor_id in leftover:
            pid = open_project()
            self.add(pid, by_id[actor_id])
            room[pid] -= 1

    def build_cross(self, pools: dict[str, list[dict]], n_projects: int) -> None:
        rng = self.rng
        for n in range(1, n_projects + 1):
            chosen = list(_pick(rng, _CROSS_PAIRS))
            if rng.random() < 0.2:
                chosen.append(rng.choice([c for c in CLUSTER_IDS if c not in chosen]))
            size = rng.randint(max(3, len(chosen)), 7)
            share = [1] * len(chosen)
            for _ in range(size - len(chosen)):
                share[rng.randrange(len(chosen))] += 1
            pid = self.new_project(f"x-p{n:03d}", _PLAN[chosen[0]], _PLAN[chosen[1]], 1.6)
            for cid, k in zip(chosen, share, strict=True):
                for _ in range(k):
                    self.add(pid, self.prefer(pools[cid], exclude=self.members[pid]))


def _contributions(rng: random.Random, budget: int, k: int) -> list[int]:
    weights = [2.0] + [rng.uniform(0.5, 1.5) for _ in range(k - 1)]
    whole = sum(weights)
    amounts = [_round_to(budget * w / whole, 1000) for w in weights[:-1]]
    amounts.append(budget - sum(amounts))
    return amounts


def _generate(seed: int) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    actors_by_cluster = _make_actors(rng)
    sizes = {c: len(actors_by_cluster[c]) for c in CLUSTER_IDS}
    split = _split_targets(rng, sizes)

    # Who takes no part in any project: funders, plus a few randomly chosen members.
    pools: dict[str, list[dict]] = {}
    for cid in CLUSTER_IDS:
        candidates = [a for a in actors_by_cluster[cid] if a["kind"] != "funder"]
        n_isolated = max(2, round(len(candidates) * rng.uniform(0.05, 0.1)))
        isolated = set(a["id"] for a in rng.sample(candidates, n_isolated))
        pools[cid] = [a for a in candidates if a["id"] not in isolated]

    # Pace of each cluster against its targets: two on track, two behind (order drawn).
    paces = [rng.uniform(1.0, 1.15), rng.uniform(0.9, 1.05), rng.uniform(0.6, 0.8),
             rng.uniform(0.5, 0.75)]
    rng.shuffle(paces)
    pace = dict(zip(CLUSTER_IDS, paces, strict=True))

    builder = _Projects(rng)
    for cid in CLUSTER_IDS:
        wanted = round(split["collaborative_projects"][cid] * pace[cid] * 1.15)
        builder.build_cluster(cid, pools[cid], wanted)
    n_intra = len(builder.projects)
    builder.build_cross(pools, max(2, round(n_intra * rng.uniform(0.08, 0.12))))
    projects = builder.projects
    project_start = {p["id"]: p["start_year"] for p in projects}

    # Earliest project of each actor: founding and joining years must not come after it.
    first_project: dict[str, int] = {}
    for pid, members in builder.members.items():
        for actor_id in members:
            first_project[actor_id] = min(first_project.get(actor_id, 9999),
                                          project_start[pid])

    actors: list[dict] = []
    memberships: list[dict] = []
    activities: list[dict] = []
    for cid in CLUSTER_IDS:
        plan = _PLAN[cid]
        for actor in actors_by_cluster[cid]:
            limit = first_project.get(actor["id"], 2014)
            actor["founded_year"] = min(actor["founded_year"], limit)
            actors.append(actor)
            floor = max(_FLOOR_SINCE[cid], actor["founded_year"])
            founding = rng.random() < 0.45
            since = floor if founding else rng.randint(floor, max(floor, 2014))
            since = max(floor, min(since, limit))
            role = "founding member" if founding and since == _FLOOR_SINCE[cid] else "member"
            memberships.append({"actor_id": actor["id"], "cluster_id": cid, "since": since,
                                "role": role})
            if actor["kind"] != "funder":
                niches = plan["niches"]
                for niche in sorted(rng.sample(niches, min(len(niches), rng.choice((1, 1, 2))))):
                    activities.append({"actor_id": actor["id"], "niche_id": niche})
        # One animation structure per cluster (an association or public agency).
        animators = [m for m in memberships if m["cluster_id"] == cid
                     and next(a for a in actors_by_cluster[cid]
                              if a["id"] == m["actor_id"])["kind"] in ("association",
                                                                        "public_agency")]
        rng.choice(animators)["role"] = "animation structure"

    # Dual members are picked among actors in exactly one project, so that they do not
    # inflate the projects "involving" their second cluster.
    for home, second, how_many in _DUAL:
        candidates = [a for a in pools[home]
                      if a["kind"] in _DUAL_KINDS and builder.count.get(a["id"]) == 1]
        already = {(m["actor_id"], m["cluster_id"]) for m in memberships}
        candidates = [a for a in candidates if (a["id"], second) not in already]
        for actor in rng.sample(candidates, how_many):
            floor = max(_FLOOR_SINCE[second], actor["founded_year"])
            memberships.append({"actor_id": actor["id"], "cluster_id": second,
                                "since": rng.randint(floor, max(floor, 2014)),
                                "role": "member"})

    participations: list[dict] = []
    fundings: list[dict] = []
    for project in projects:
        members = builder.members[project["id"]]
        amounts = _contributions(rng, project["budget"], len(members))
        for i, (actor_id, amount) in enumerate(zip(members, amounts, strict=True)):
            participations.append({"actor_id": actor_id, "project_id": project["id"],
                                   "role": "coordinator" if i == 0 else "partner",
                                   "contribution": amount, "currency": "MAD"})
        fundings.append({"project_id": project["id"], "programme_id": TATOUIR_ID,
                         "amount": _round_to(project["budget"] * rng.uniform(0.4, 0.6), 10_000),
                         "currency": "MAD", "year": project["start_year"]})

    outputs = _make_outputs(rng, projects, builder.members, memberships, split, pace)
    targets = _make_targets(split)

    return {
        "actors": actors,
        "memberships": memberships,
        "activities": activities,
        "projects": projects,
        "participations": participations,
        "fundings": fundings,
        "outputs": outputs,
        "targets": targets,
    }


def _make_outputs(rng: random.Random, projects: list[dict], members: dict[str, list[str]],
                  memberships: list[dict], split: dict[str, dict[str, int]],
                  pace: dict[str, float]) -> list[dict]:
    clusters_of: dict[str, set[str]] = {}
    for m in memberships:
        clusters_of.setdefault(m["actor_id"], set()).add(m["cluster_id"])
    involved: dict[str, list[dict]] = {c: [] for c in CLUSTER_IDS}
    for project in projects:
        touched = set()
        for actor_id in members[project["id"]]:
            touched |= clusters_of[actor_id]
        for cid in sorted(touched):
            involved[cid].append(project)

    outputs: list[dict] = []
    for cid in CLUSTER_IDS:
        for year in YEARS:
            started = sum(1 for p in involved[cid] if p["start_year"] == year)
            outputs.append({
                "id": f"{cid}-o-{year}-collaborative_projects", "cluster_id": cid,
                "indicator": "collaborative_projects", "year": year, "value": started,
                "note": "computed from the generated projects: projects started that year "
                        "with at least one member of the cluster",
            })
        for indicator, link_share in (("patents", 0.6), ("startups", 0.35), ("rd_jobs", 0.0)):
            three_years = round(split[indicator][cid] * pace[cid] * rng.uniform(0.85, 1.15))
            per_year = dict.fromkeys(YEARS, 0)
            for _ in range(three_years):
                per_year[_pick(rng, ((2011, 2), (2012, 3.5), (2013, 4.5)))] += 1
            per_year[2014] = round(three_years / 3 * rng.uniform(0.9, 1.4))
            for year in YEARS:
                linked: dict[str, int] = {}
                unlinked = 0
                candidates = [p["id"] for p in involved[cid] if p["start_year"] <= year]
                for _ in range(per_year[year]):
                    if candidates and rng.random() < link_share:
                        pid = rng.choice(candidates)
                        linked[pid] = linked.get(pid, 0) + 1
                    else:
                        unlinked += 1
                outputs.append({
                    "id": f"{cid}-o-{year}-{indicator}", "cluster_id": cid,
                    "indicator": indicator, "year": year, "value": unlinked,
                    "note": _GENERATED_NOTE + " (not tied to a project; the cluster's total "
                            "is the sum of its rows)",
                })
                for pid in sorted(linked):
                    outputs.append({
                        "id": f"{cid}-o-{year}-{indicator}-{pid}", "cluster_id": cid,
                        "project_id": pid, "indicator": indicator, "year": year,
                        "value": linked[pid], "note": _GENERATED_NOTE + " (from the project)",
                    })
    return outputs


def _make_targets(split: dict[str, dict[str, int]]) -> list[dict]:
    joint = ", ".join(f"{JOINT_TARGETS[i]} {i.replace('_', ' ')}" for i in _INDICATORS)
    targets = []
    for indicator in _INDICATORS:
        targets.append({
            "id": f"{FUND_ID}-t-{indicator}", "programme_id": FUND_ID,
            "indicator": indicator, "value": JOINT_TARGETS[indicator],
            "period_start": TARGET_PERIOD[0], "period_end": TARGET_PERIOD[1],
            "note": "joint commitment of the four clusters labelled in 2011 after three years "
                    f"({joint}). {FROM_ARTICLE}",
            "synthetic": False,
        })
        for cid in CLUSTER_IDS:
            targets.append({
                "id": f"{cid}-t-{indicator}", "cluster_id": cid, "indicator": indicator,
                "value": split[indicator][cid], "period_start": TARGET_PERIOD[0],
                "period_end": TARGET_PERIOD[1],
                "note": "split generated: this cluster's share of the joint commitment of the "
                        f"four clusters ({joint}); the article gives only the joint figures",
                "synthetic": True,
            })
    return targets


def _facts() -> dict[str, list[dict]]:
    regions = [{"id": rid, "name": name, "kind": kind, "country": "MA", "parent_id": parent,
                "synthetic": False} for rid, name, kind, parent in _REGIONS]
    niches = [{"id": nid, "name": name, "description": desc, "synthetic": False}
              for nid, _cid, name, desc in _NICHES]
    programmes = [dict(p, country="MA", synthetic=False) for p in _PROGRAMMES]
    clusters = [dict(c, synthetic=False) for c in _CLUSTERS]
    activities = [{"cluster_id": cid, "niche_id": nid, "synthetic": False}
                  for nid, cid, _name, _desc in _NICHES]
    return {"regions": regions, "niches": niches, "programmes": programmes,
            "clusters": clusters, "activities": activities}


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def demo_tables(seed: int = 2011) -> tuple[dict[str, list[dict]], dict, dict]:
    """``(tables, meta, summary)`` of the demo: the rows of every entity list (by
    :class:`~loaders.bundle_format.FileSpec` ``target``), ``bundle.json``'s keys and the
    summary :func:`write_demo_bundle` returns."""
    facts = _facts()
    generated = _generate(seed)

    tables: dict[str, list[dict]] = {name: list(rows) for name, rows in facts.items()}
    for name, rows in generated.items():
        for row in rows:
            row.setdefault("synthetic", True)
        tables.setdefault(name, []).extend(rows)

    meta = {
        "name": DEMO_NAME,
        "source": "Synergraph demo ecosystem (generated; facts from Les ECO, 14 Sept 2011)",
        "attribution": (
            "Clusters, fields, niches, programmes and the joint targets come from the article "
            "\u00abClusters, le nouveau pari de l'\u00e9mergence\u00bb, Les ECO, 14 September "
            "2011 (synthetic=false). Members, memberships, projects, participations, fundings, "
            "actor niches, outputs and the per-cluster split of the targets are generated "
            "(synthetic=true); their names are invented."
        ),
        "synthetic": True,
    }
    counts = {spec.file: len(tables.get(spec.target, [])) for spec in FILES}

    members: dict[str, int] = dict.fromkeys(CLUSTER_IDS, 0)
    for m in generated["memberships"]:
        members[m["cluster_id"]] += 1
    summary = {
        "seed": seed,
        "files": counts,
        "members_per_cluster": members,
        "projects": len(generated["projects"]),
        "cross_cluster_projects": sum(1 for p in generated["projects"]
                                      if p["id"].startswith("x-")),
    }
    return tables, meta, summary


def write_demo_bundle(folder: Path | str, *, seed: int = 2011) -> dict:
    """Write the demo bundle into ``folder`` (created if needed) and return a summary.

    Parameters
    ----------
    folder : path
        Where to write the bundle (every CSV file of :data:`loaders.bundle_format.FILES` and
        ``bundle.json``), through :func:`loaders.bundle_format.write_bundle`: files of the
        same names are overwritten; nothing else is touched.
    seed : int
        Seed of the generator; the same seed gives byte-identical files.

    Returns
    -------
    dict
        ``files`` (rows per CSV file), ``members_per_cluster``, ``projects``,
        ``cross_cluster_projects`` and ``seed``.
    """
    tables, meta, summary = demo_tables(seed)
    write_bundle(folder, bundle_files(tables, meta))
    return summary


def write_demo_workbook(path: Path | str, *, seed: int = 2011) -> dict:
    """Write the demo as an Excel workbook (:func:`loaders.workbook.workbook_bytes`: README
    sheet with every column's description, ``bundle`` sheet, one sheet per file) and return
    the summary of :func:`write_demo_bundle`. Parent folders are created."""
    from .workbook import workbook_bytes

    tables, meta, summary = demo_tables(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(tables, meta))
    return summary


if __name__ == "__main__":  # pragma: no cover
    import argparse

    parser = argparse.ArgumentParser(description="Write the Synergraph demo bundle.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=2011)
    args = parser.parse_args()
    print(json.dumps(write_demo_bundle(args.folder, seed=args.seed), indent=2))
