"""Cluster scorecards following the 2011 evaluation grid (see docs/scorecard.md).

:func:`scorecard_lines` is a pure function: it takes the cluster's records as plain data
(members, participations, consortia, targets, outputs, and a few network figures) and returns
one line per grid item. Every line says which data it comes from, and shows ``no data``
instead of a guess when the graph does not hold what it needs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from graph_schema.model import Indicator
from service.analytics.synergy import COMPANY_KINDS, RESEARCH_KINDS, TRAINING_KINDS

__all__ = ["COMPANY_KINDS", "RESEARCH_KINDS", "TRAINING_KINDS", "progress_status",
           "scorecard_lines", "INDICATOR_LABELS"]

#: Label of every contract-programme indicator (total over
#: :class:`~graph_schema.model.Indicator`; the web pages translate them).
INDICATOR_LABELS: dict[Indicator, str] = {
    Indicator.COLLABORATIVE_PROJECTS: "Collaborative R&D projects",
    Indicator.PATENTS: "Patents filed",
    Indicator.STARTUPS: "Start-ups created",
    Indicator.RD_JOBS: "R&D jobs",
}


def progress_status(value: float, target: float, period: tuple[int, int],
                    as_of: int | None) -> dict:
    """Progress of ``value`` against ``target`` over ``period`` as of year ``as_of``.

    The expected pace is linear: by the end of year ``as_of`` a share
    ``(as_of - start + 1) / (end - start + 1)`` of the target should be reached.

    >>> progress_status(20, 28, (2011, 2013), 2012)["status"]
    'on_track'
    >>> progress_status(5, 28, (2011, 2013), 2012)["status"]
    'behind'
    >>> progress_status(30, 28, (2011, 2013), 2012)["status"]
    'achieved'
    >>> round(progress_status(14, 28, (2011, 2013), 2012)["expected"], 2)
    18.67
    """
    start, end = period
    result = {"value": value, "target": target, "progress": value / target if target else None,
              "period": [start, end], "as_of": as_of}
    if target and value >= target:
        result.update(status="achieved", expected=target)
        return result
    if as_of is None or as_of < start:
        result.update(status="not_started", expected=0.0)
        return result
    elapsed = (min(as_of, end) - start + 1) / (end - start + 1)
    expected = target * elapsed
    result["expected"] = expected
    if as_of >= end:
        result["status"] = "missed"
    else:
        result["status"] = "on_track" if value >= expected else "behind"
    return result


def _line(key: str, grid: int, label: str, value, *, source: str, unit: str = "",
          status: str = "info", detail=None, note: str = "") -> dict:
    return {"key": key, "grid_item": grid, "label": label, "value": value, "unit": unit,
            "status": status if value is not None else "no_data", "detail": detail,
            "source": source, "note": note}


def scorecard_lines(
    *,
    cluster: Mapping,
    members: Iterable[Mapping],
    participations: Iterable[Mapping],
    consortia: Mapping[str, list[Mapping]],
    targets: Iterable[Mapping],
    outputs: Iterable[Mapping],
    network: Mapping | None = None,
    as_of: int | None = None,
) -> dict:
    """Build the scorecard of one cluster.

    Parameters
    ----------
    cluster : mapping
        ``id``, ``name`` and optionally ``region_id`` and ``country`` (its home).
    members : iterable of mapping
        ``actor_id``, ``kind``, ``since``, ``region_id``, ``country`` of each member.
    participations : iterable of mapping
        ``actor_id``, ``project_id``, ``start_year`` of the members' participations.
    consortia : mapping
        ``project_id -> [participant mappings with actor_id, kind, country, clusters]`` for
        every project a member takes part in (partners outside the cluster included).
    targets, outputs : iterable of mapping
        The cluster's contract-programme targets and reported outputs.
    network : mapping, optional
        Figures from the network analytics: ``density``, ``density_z`` (or None),
        ``largest_share``, ``components``, ``ei_index``, ``ties_by_year``.
    as_of : int, optional
        The year progress is judged at; default: the latest year with data.

    Returns
    -------
    dict
        ``cluster``, ``as_of`` and ``lines`` (one dict per line: key, grid_item, label,
        value, unit, status, detail, source, note).
    """
    members = list(members)
    participations = list(participations)
    targets = list(targets)
    outputs = list(outputs)
    network = dict(network or {})
    member_ids = {m["actor_id"] for m in members}
    years = [p["start_year"] for p in participations if p.get("start_year")]
    years += [o["year"] for o in outputs if o.get("year")]
    if as_of is None and years:
        as_of = max(years)
    lines: list[dict] = []
    n = len(members)

    # 2. Critical mass.
    kinds = Counter(m.get("kind") or "other" for m in members)
    companies = sum(v for k, v in kinds.items() if k in COMPANY_KINDS)
    lines.append(_line("critical_mass", 2, "Companies among members", companies if n else None,
                       unit="companies", detail={"members": n, "by_kind": dict(sorted(
                           kinds.items()))},
                       source="MEMBER_OF relationships and Actor.kind"))

    # 3. Actors really involved.
    active = {p["actor_id"] for p in participations} & member_ids
    lines.append(_line("engagement", 3, "Members in at least one project",
                       len(active) / n if n else None, unit="share",
                       detail={"active": len(active), "members": n},
                       source="PARTICIPATES_IN of the members"))

    # Contract-programme indicators: reported outputs against targets.
    observed_collab = sorted(pid for pid, team in consortia.items() if len(team) >= 2)
    start_of = {p["project_id"]: p.get("start_year") for p in participations}
    by_indicator: dict[str, list[Mapping]] = defaultdict(list)
    for target in targets:
        by_indicator[target["indicator"]].append(target)
    for indicator, label in INDICATOR_LABELS.items():
        reported = [o for o in outputs if o["indicator"] == indicator]
        for target in by_indicator.get(indicator, [None]):
            key = f"target_{indicator}"
            if target is None:
                total = sum(o["value"] for o in reported) if reported else None
                lines.append(_line(key, 1, f"{label} (no target)", total,
                                   source="Output nodes reported by the cluster",
                                   note="no contract-programme target in the data"))
                continue
            period = (int(target["period_start"]), int(target["period_end"]))
            in_period = [o for o in reported if period[0] <= o["year"] <= period[1]]
            observed = None
            if indicator == "collaborative_projects":
                observed = sum(1 for pid in observed_collab
                               if start_of.get(pid) and period[0] <= start_of[pid] <= period[1])
            if not in_period and observed is None:
                lines.append(_line(key, 1, label, None, source="Output nodes vs Target",
                                   note="no output reported for the target's period"))
                continue
            value = sum(o["value"] for o in in_period) if in_period else observed
            progress = progress_status(value, float(target["value"]), period, as_of)
            source = ("Output nodes reported by the cluster vs its Target"
                      if in_period else "projects with two or more partners in the graph")
            detail = dict(progress)
            if observed is not None:
                detail["observed_in_graph"] = observed
            lines.append(_line(key, 1, label, value, unit=indicator, status=progress["status"],
                               detail=detail, source=source,
                               note="target synthetic (split generated)"
                               if target.get("synthetic") else ""))

    # 5. Enterprise-research-training synergies.
    collab = [team for team in consortia.values() if len(team) >= 2]
    if collab:
        def mix(team, *groups):
            kinds_in = {p.get("kind") for p in team}
            return all(kinds_in & g for g in groups)
        cr = sum(1 for t in collab if mix(t, COMPANY_KINDS, RESEARCH_KINDS))
        crt = sum(1 for t in collab if mix(t, COMPANY_KINDS, RESEARCH_KINDS, TRAINING_KINDS))
        lines.append(_line("synergy_company_research", 5,
                           "Projects mixing companies and research", cr / len(collab),
                           unit="share", detail={"projects": len(collab), "mixed": cr},
                           source="consortia of the members' projects (Actor.kind)"))
        lines.append(_line("synergy_triple", 5,
                           "Projects mixing companies, research and training",
                           crt / len(collab), unit="share",
                           detail={"projects": len(collab), "mixed": crt},
                           source="consortia of the members' projects (Actor.kind)"))
    else:
        lines.append(_line("synergy_company_research", 5,
                           "Projects mixing companies and research", None,
                           source="consortia of the members' projects",
                           note="no project with two or more partners"))

    # 9. Network effect: cohesion against the null model.
    if network.get("density") is not None and n > 1:
        lines.append(_line("cohesion_density", 9, "Partnership density", network["density"],
                           unit="share", detail={k: network.get(k) for k in (
                               "components", "largest_share", "average_clustering",
                               "clustering_z")},
                           source="co-participation graph of the members",
                           note="clustering compared with a degree-preserving null model"
                           if network.get("clustering_z") is not None else ""))
    if network.get("ei_index") is not None:
        lines.append(_line("openness_ei", 4, "E-I index of the cluster (ties outside vs inside)",
                           network["ei_index"], unit="index",
                           source="co-participation ties of members with non-members",
                           note="-1: all ties inside the cluster, +1: all outside"))

    # 4 and 7. International cooperation.
    home_country = cluster.get("country")
    known = [team for team in consortia.values() if any(p.get("country") for p in team)]
    if home_country and known:
        foreign = sum(1 for team in known
                      if any(p.get("country") and p["country"] != home_country for p in team))
        lines.append(_line("international", 7, "Projects with a foreign partner",
                           foreign / len(known), unit="share",
                           detail={"projects": len(known), "with_foreign": foreign,
                                   "home_country": home_country},
                           source="Actor.country of every project partner"))
    else:
        lines.append(_line("international", 7, "Projects with a foreign partner", None,
                           source="Actor.country of every project partner",
                           note="countries of partners or of the cluster unknown"))

    # 9. Territorial anchoring.
    home_region = cluster.get("region_id")
    located = [m for m in members if m.get("region_id")]
    if home_region and located:
        inside = sum(1 for m in located if m["region_id"] == home_region)
        lines.append(_line("anchoring", 9, "Members located in the cluster's region",
                           inside / len(located), unit="share",
                           detail={"in_region": inside, "located": len(located),
                                   "region_id": home_region},
                           source="LOCATED_IN of the cluster and of its members"))
    else:
        lines.append(_line("anchoring", 9, "Members located in the cluster's region", None,
                           source="LOCATED_IN of the cluster and of its members",
                           note="the cluster's or the members' locations are unknown"))

    # 10. Network growth.
    joined = Counter(m["since"] for m in members if m.get("since"))
    ties_by_year = network.get("ties_by_year") or {}
    if joined or ties_by_year:
        lines.append(_line("growth", 10, "Network growth (members joined, new ties per year)",
                           sum(ties_by_year.values()) if ties_by_year else None,
                           unit="ties", detail={"members_joined": dict(sorted(joined.items())),
                                                "new_ties": dict(sorted(ties_by_year.items()))},
                           source="MEMBER_OF.since and the first year each pair shared a "
                                  "project"))
    else:
        lines.append(_line("growth", 10, "Network growth", None,
                           source="MEMBER_OF.since and project years",
                           note="no years in the data"))
    return {"cluster": {"id": cluster["id"], "name": cluster.get("name")}, "as_of": as_of,
            "lines": lines}
