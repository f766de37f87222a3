"""What a question is about, parsed once: the group, the group filter and the view options.

The same parameter names are used in URLs (``?years=2011-2013&kinds=sme,university``) and in
CLI flags (``--years 2011-2013 --kinds sme,university``); both go through
:meth:`GroupFilter.parse`. Every invalid value raises :class:`~service.errors.BadParameter`
naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graph_schema.model import ACTOR_KINDS, GROUP_KINDS
from service.errors import BadParameter

__all__ = [
    "COLOR_MODES",
    "GROUP_KINDS",
    "GroupFilter",
    "GroupRef",
    "NetworkView",
    "SIZE_METRICS",
    "VIEW_MODES",
    "YEAR_RANGE",
    "arg_bool",
    "arg_choice",
    "arg_int",
    "arg_list",
    "arg_str",
]

YEAR_RANGE = (1900, 2100)
COLOR_MODES = ("kind", "cluster", "community")
SIZE_METRICS = ("betweenness", "degree", "pagerank", "eigenvector")
VIEW_MODES = ("auto", "full", "top", "aggregate")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


# ----------------------------------------------------------------------------------------
# Reading one parameter from a mapping (request.args, a dict built from CLI flags)
# ----------------------------------------------------------------------------------------
def arg_str(args: Mapping, name: str) -> str | None:
    """The last non-blank value of ``name``, stripped, or None."""
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else args.get(name)
    if isinstance(values, list | tuple):
        values = values[-1] if values else None
    if values is None or str(values).strip() == "":
        return None
    return str(values).strip()


def arg_list(args: Mapping, name: str) -> list[str]:
    """Every value of ``name``, repeated or comma-separated, in order, without duplicates."""
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else args.get(name)
    if values is None:
        values = []
    elif isinstance(values, str) or not isinstance(values, list | tuple):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in str(value).split(",") if v.strip())
    return list(dict.fromkeys(out))


def arg_int(args: Mapping, name: str, default: int | None, low: int, high: int) -> int | None:
    """A whole number in ``[low, high]``.

    >>> arg_int({"top": "5"}, "top", 10, 1, 200)
    5
    >>> arg_int({"top": "abc"}, "top", 10, 1, 200)
    Traceback (most recent call last):
    ...
    service.errors.BadParameter: top: must be a whole number, got 'abc'
    """
    raw = arg_str(args, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"must be between {low} and {high}, got {value}")
    return value


def arg_bool(args: Mapping, name: str, default: bool) -> bool:
    raw = arg_str(args, name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise BadParameter(name, f"must be true or false, got {raw!r}")


def arg_choice(args: Mapping, name: str, choices: tuple[str, ...], default: str) -> str:
    raw = arg_str(args, name)
    if raw is None:
        return default
    if raw not in choices:
        raise BadParameter(name, f"must be one of {', '.join(choices)}, got {raw!r}")
    return raw


# ----------------------------------------------------------------------------------------
# The group and its filter
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupRef:
    """A cluster, several clusters (ids joined by commas, sorted) or a country (upper case)."""

    kind: str  # a graph_schema.model.GroupKind
    id: str

    def __post_init__(self):
        if self.kind not in GROUP_KINDS:
            raise ValueError(f"group kind must be one of {GROUP_KINDS}, got {self.kind!r}")

    @classmethod
    def cluster(cls, cluster_id: str) -> GroupRef:
        return cls("cluster", cluster_id)

    @classmethod
    def country(cls, code: str) -> GroupRef:
        return cls("country", code.upper())

    @classmethod
    def clusters(cls, ids) -> GroupRef:
        """One cluster, or the union of several.

        >>> GroupRef.clusters(["b", "a", "b"])
        GroupRef(kind='clusters', id='a,b')
        """
        ids = sorted(set(ids))
        return cls("cluster", ids[0]) if len(ids) == 1 else cls("clusters", ",".join(ids))

    @classmethod
    def from_path(cls, plural: str, group_id: str) -> GroupRef:
        """From a URL's ``clusters/<id>`` or ``countries/<code>``."""
        return cls.cluster(group_id) if plural == "clusters" else cls.country(group_id)

    @property
    def cluster_ids(self) -> list[str]:
        return self.id.split(",") if self.kind in ("cluster", "clusters") else []

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id}


@dataclass(frozen=True)
class GroupFilter:
    """Which part of the data a group's graph is built from.

    ``years``: keep projects starting in this inclusive range (projects without a start
    year are left out when a range is given); ``kinds``: keep actors of these kinds;
    ``programme``: keep projects funded by this programme; ``min_weight``: keep ties of at
    least this many shared projects (actors stay, possibly isolated).
    """

    years: tuple[int, int] | None = None
    kinds: tuple[str, ...] = ()
    programme: str | None = None
    min_weight: int = 1

    @property
    def active(self) -> bool:
        return self != GroupFilter()

    def key(self) -> tuple:
        return (self.years, self.kinds, self.programme, self.min_weight)

    def as_dict(self) -> dict:
        return {"years": list(self.years) if self.years else None, "kinds": list(self.kinds),
                "programme": self.programme, "min_weight": self.min_weight}

    def as_args(self) -> dict:
        """The URL parameters that give this filter back (empty ones left out).

        >>> GroupFilter((2011, 2013), ("sme",)).as_args()
        {'years': '2011-2013', 'kinds': 'sme'}
        """
        out = {}
        if self.years:
            out["years"] = f"{self.years[0]}-{self.years[1]}"
        if self.kinds:
            out["kinds"] = ",".join(self.kinds)
        if self.programme:
            out["programme"] = self.programme
        if self.min_weight > 1:
            out["min_weight"] = str(self.min_weight)
        return out

    @classmethod
    def parse(cls, args: Mapping) -> GroupFilter:
        """From ``years``, ``kinds``, ``programme`` and ``min_weight`` (URL or CLI text).

        >>> GroupFilter.parse({"years": "2011-2013", "kinds": "university,sme",
        ...                    "min_weight": "2"})
        GroupFilter(years=(2011, 2013), kinds=('sme', 'university'), programme=None, min_weight=2)
        >>> GroupFilter.parse({"years": "2014-2012"})
        Traceback (most recent call last):
        ...
        service.errors.BadParameter: years: the range ends (2012) before it starts (2014)
        """
        span = None
        raw = arg_str(args, "years")
        if raw:
            parts = raw.replace("..", "-").split("-")
            if len(parts) == 1:
                parts = parts * 2
            if len(parts) != 2:
                raise BadParameter("years", f"must look like 2011-2013, got {raw!r}")
            try:
                start, end = int(parts[0]), int(parts[1])
            except ValueError:
                raise BadParameter("years", f"must look like 2011-2013, got {raw!r}") from None
            low, high = YEAR_RANGE
            for year in (start, end):
                if not low <= year <= high:
                    raise BadParameter("years", f"years must be between {low} and {high}, "
                                                f"got {year}")
            if end < start:
                raise BadParameter("years", f"the range ends ({end}) before it starts "
                                            f"({start})")
            span = (start, end)
        kinds = arg_list(args, "kinds")
        unknown = [k for k in kinds if k not in ACTOR_KINDS]
        if unknown:
            raise BadParameter("kinds", f"unknown kind {unknown[0]!r}; kinds are "
                                        + ", ".join(ACTOR_KINDS))
        ordered = tuple(sorted(set(kinds), key=lambda k: str(k)))
        weight = arg_int(args, "min_weight", 1, 1, 10_000)
        return cls(span, ordered, arg_str(args, "programme"), weight)


@dataclass(frozen=True)
class NetworkView:
    """How a network is drawn (not what it is about): colour, size, reduction, overlay."""

    color: str = "kind"
    size: str = "betweenness"
    view: str = "auto"
    suggest: bool = False

    def key(self) -> tuple:
        return (self.color, self.size, self.view, self.suggest)

    @classmethod
    def parse(cls, args: Mapping) -> NetworkView:
        """``color`` (kind|cluster|community), ``size`` (betweenness|degree|pagerank|
        eigenvector), ``view`` (auto|full|top|aggregate), ``suggest`` (1 to overlay suggested
        ties).

        >>> NetworkView.parse({"color": "community", "suggest": "1"})
        NetworkView(color='community', size='betweenness', view='auto', suggest=True)
        """
        return cls(color=arg_choice(args, "color", COLOR_MODES, "kind"),
                   size=arg_choice(args, "size", SIZE_METRICS, "betweenness"),
                   view=arg_choice(args, "view", VIEW_MODES, "auto"),
                   suggest=arg_bool(args, "suggest", False))
