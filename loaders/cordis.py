"""Importer for the EU's CORDIS project data (``organization.csv`` and ``project.csv``).

CORDIS publishes one row per project × organisation × role in ``organization.csv`` and one
row per project in ``project.csv``, with its own column names, ``;`` (upstream) or ``,``
delimiters, every field quoted and decimal commas in some amounts. This module maps them to
the Synergraph model:

- each organisation (``organisationID``, the PIC) becomes an Actor ``cordis-org-<PIC>``;
  ``activityType`` gives its kind (PRC → ``sme`` when the SME flag says so, else
  ``company``; HES → ``university``; REC → ``research_lab``; PUB → ``public_agency``;
  OTH → ``other``). Where an organisation's rows disagree (name, SME flag), the row with the
  latest ``contentUpdateDate`` wins.
- each project becomes a Project ``cordis-project-<id>``, FUNDED_BY the framework programme.
- each country becomes a Region of kind ``country`` (id = the CORDIS code, e.g. ``FR``,
  ``EL``, ``UK``), and every actor is LOCATED_IN its country, so a country's ecosystem can
  be explored like a cluster.
- one PARTICIPATES_IN per organisation and project: when an organisation holds several roles
  in one project, ``role`` is the strongest, ``roles`` lists them all and the contributions
  are summed.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from graph_schema._gc import without_cyclic_gc
from graph_schema.model import PARTICIPATION_ROLES, ActorKind, Dataset, ParticipationRole

from .countries import country_name
from .csvio import read_csv
from .errors import Problem, ValidationFailed
from .limits import ALWAYS_INDEXABLE_CHARS, shorten, too_long

__all__ = ["read_cordis", "ATTRIBUTION", "KIND_OF_ACTIVITY", "ROLE_OF_CORDIS_ROLE", "TARGETS"]

ATTRIBUTION = (
    "CORDIS - EU research projects, © European Union; reuse under Commission Decision "
    "2011/833/EU and CC BY 4.0"
)

#: CORDIS ``activityType`` -> actor kind. PRC (private for-profit) is not here: it becomes
#: ``sme`` or ``company`` by the SME flag.
KIND_OF_ACTIVITY: dict[str, ActorKind] = {
    "HES": ActorKind.UNIVERSITY,
    "REC": ActorKind.RESEARCH_LAB,
    "PUB": ActorKind.PUBLIC_AGENCY,
    "OTH": ActorKind.OTHER,
}

#: CORDIS ``role`` (lower case, without ``_``) -> participation role.
ROLE_OF_CORDIS_ROLE: dict[str, ParticipationRole] = {
    "coordinator": ParticipationRole.COORDINATOR,
    "participant": ParticipationRole.PARTICIPANT,
    "partner": ParticipationRole.PARTNER,
    "thirdparty": ParticipationRole.THIRD_PARTY,
    "internationalpartner": ParticipationRole.INTERNATIONAL_PARTNER,
    "associatedpartner": ParticipationRole.ASSOCIATED_PARTNER,
}

#: The dataset lists that :func:`read_cordis` fills (what a CORDIS load writes).
TARGETS = ("regions", "programmes", "actors", "projects", "participations", "fundings")

ORG_REQUIRED = ("projectID", "organisationID", "name", "activityType", "country", "role")
PROJECT_REQUIRED = ("id", "acronym", "title")
_ROLE_RANK = {role: rank for rank, role in enumerate(PARTICIPATION_ROLES)}
_DELIMITERS = (";", ",")
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?")
_COUNTRY = re.compile(r"[A-Z]{2}")


def parse_amount(raw: str) -> float | None:
    """Parse a CORDIS amount: decimal comma or point, optional thousands separators.

    >>> parse_amount("771225,1"), parse_amount("2674336.55"), parse_amount("1.234.567,5")
    (771225.1, 2674336.55, 1234567.5)
    >>> parse_amount("") is None
    True
    >>> parse_amount(" 12.5 "), parse_amount("1 234,5"), parse_amount("1e3")
    (12.5, 1234.5, 1000.0)
    """
    commas = raw.count(",")
    if "_" not in raw and (commas == 0 or (commas == 1 and "." not in raw
                                           and " " not in raw and "\u00a0" not in raw)):
        # the common cases, a plain number ("2674336.55") or one with a decimal comma and
        # nothing else ("771225,1", as CORDIS writes them): float() reads it as the steps
        # below would (it strips the spaces around a plain number); anything else takes
        # those steps
        try:
            value = float(raw.replace(",", ".") if commas else raw)
        except ValueError:
            pass
        else:
            if not math.isfinite(value):
                raise ValueError("not an amount")
            return value
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError("not an amount")
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not an amount") from None
    # float() also reads "nan", "inf" and "1_000": none of them is an amount.
    if not math.isfinite(value) or "_" in text:
        raise ValueError("not an amount")
    return value


def _date_of(raw: str) -> datetime | None:
    """A CORDIS date or date and time (``2023-03-03`` or ``2023-03-03 18:10:00``).

    >>> _date_of("2023-03-03 18:10:00"), _date_of(" ")
    (datetime.datetime(2023, 3, 3, 18, 10), None)
    >>> _date_of("2023-02-30")
    Traceback (most recent call last):
    ValueError: not a date (YYYY-MM-DD, optionally followed by HH:MM:SS)
    """
    text = raw.strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        if not match:
            raise ValueError
        return datetime(*(int(g) for g in match.groups() if g is not None))
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD, optionally followed by HH:MM:SS)") from None


#: a load repeats the same few thousand dates hundreds of thousands of times
_cached_date_of = functools.lru_cache(maxsize=65_536)(_date_of)


def _year_of(raw: str) -> int | None:
    date = _cached_date_of(raw)
    return None if date is None else date.year


@functools.lru_cache(maxsize=65_536)
def _update_key(raw: str) -> str:
    """``contentUpdateDate`` as a sortable text (empty: older than any date); it is valid."""
    date = _cached_date_of(raw)
    return "" if date is None else date.isoformat(sep=" ")


def _check_size(problems: list[Problem], file: str, line: int, column: str, raw: str,
                stored: str) -> bool:
    """Report ``raw`` when ``stored`` (the indexed value made of it) is too long to index."""
    reason = too_long(stored)
    if reason:
        problems.append(Problem(file, line, column, shorten(raw), reason))
    return reason is None


def _bool_flag(raw: str) -> bool | None:
    text = raw.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


@without_cyclic_gc
def read_cordis(
    folder: Path | str,
    *,
    programme: str = "H2020",
) -> tuple[Dataset, list[str]]:
    """Read and validate CORDIS files from ``folder``.

    Parameters
    ----------
    folder : path
        Folder holding ``organization.csv`` and optionally ``project.csv``.
    programme : str
        Framework programme of projects that ``project.csv`` does not describe.

    Returns
    -------
    (Dataset, warnings)
        The records to write, and notes on what was repaired (blank names...).

    Raises
    ------
    ValidationFailed
        With every problem found.
    """
    folder = Path(folder)
    org_path = folder / "organization.csv"
    proj_path = folder / "project.csv"
    if not org_path.is_file():
        raise ValidationFailed([Problem("organization.csv", None, None, str(folder),
                                        "required file is missing from the folder")])
    problems: list[Problem] = []
    warnings: list[str] = []
    orgs, org_problems = read_csv(org_path, required=ORG_REQUIRED, delimiters=_DELIMITERS)
    problems.extend(org_problems)
    projects_table = None
    if proj_path.is_file():
        projects_table, proj_problems = read_csv(proj_path, required=PROJECT_REQUIRED,
                                                 delimiters=_DELIMITERS)
        problems.extend(proj_problems)
    # A file with some rows of the wrong shape is still checked row by row, so every
    # problem is listed at once; only a file that cannot be read at all stops here.
    if not orgs.readable or (projects_table is not None and not projects_table.readable):
        raise ValidationFailed(problems)

    file = orgs.file
    latest: dict[str, tuple[str, int, dict]] = {}
    pairs: dict[tuple[str, str], dict] = {}
    seen_rows: dict[tuple[str, str, str], int] = {}
    project_acronyms: dict[str, str] = {}
    for line, row in orgs.rows:
        bad = False
        project_id = row["projectID"].strip()
        org_id = row["organisationID"].strip()
        for column, value, prefix in (("projectID", project_id, "cordis-project-"),
                                      ("organisationID", org_id, "cordis-org-")):
            if not value:
                problems.append(Problem(file, line, column, value, "required value is empty"))
                bad = True
            elif not _DIGITS.fullmatch(value):
                problems.append(Problem(file, line, column, shorten(value),
                                        "not a CORDIS numeric id"))
                bad = True
            # (only an id or name that may be too long is measured: most rows skip the
            # call and the stored id's string)
            elif (len(prefix) + len(value) > ALWAYS_INDEXABLE_CHARS
                  and not _check_size(problems, file, line, column, value, prefix + value)):
                bad = True
        name_column = "name" if row["name"].strip() else "shortName"
        name = row.get(name_column, "")
        if len(name) > ALWAYS_INDEXABLE_CHARS and not _check_size(
                problems, file, line, name_column, name, name.strip()):
            bad = True
        try:
            _cached_date_of(row.get("contentUpdateDate", ""))
        except ValueError as exc:
            problems.append(Problem(file, line, "contentUpdateDate",
                                    shorten(row["contentUpdateDate"]), str(exc)))
            bad = True
        activity = row["activityType"].strip().upper()
        if activity and activity != "PRC" and activity not in KIND_OF_ACTIVITY:
            problems.append(Problem(file, line, "activityType", row["activityType"],
                                    "unknown activity type (expected PRC, HES, REC, PUB, OTH)"))
            bad = True
        country = row["country"].strip().upper()
        if country and not _COUNTRY.fullmatch(country):
            problems.append(Problem(file, line, "country", row["country"],
                                    "not a two-letter country code"))
            bad = True
        role_raw = row["role"].strip()
        role = ROLE_OF_CORDIS_ROLE.get(role_raw.lower().replace("_", ""))
        if role is None:
            problems.append(Problem(file, line, "role", role_raw, "unknown role (expected "
                                    "coordinator, participant, partner, thirdParty, "
                                    "internationalPartner, associatedPartner)"))
            bad = True
        amounts = {}
        for column in ("ecContribution", "netEcContribution", "totalCost"):
            if column in row:
                try:
                    amounts[column] = parse_amount(row[column])
                except ValueError as exc:
                    problems.append(Problem(file, line, column, row[column], str(exc)))
                    bad = True
        if bad:
            continue
        key = (project_id, org_id, role)
        if key in seen_rows:
            problems.append(Problem(file, line, "role", role_raw,
                                    f"duplicate row: the same project, organisation and role "
                                    f"are on line {seen_rows[key]}"))
            continue
        seen_rows[key] = line

        updated = _update_key(row.get("contentUpdateDate", ""))
        if org_id not in latest or updated >= latest[org_id][0]:
            latest[org_id] = (updated, line, row)
        if row.get("projectAcronym", "").strip():
            project_acronyms.setdefault(project_id, row["projectAcronym"].strip())
        pair = pairs.get((org_id, project_id))
        if pair is None:
            pair = pairs[(org_id, project_id)] = {
                "actor_id": f"cordis-org-{org_id}",
                "project_id": f"cordis-project-{project_id}",
                "roles": [],
                "contribution": None,
                "net_contribution": None,
                "total_cost": None,
                "currency": "EUR",
                "synthetic": False,
            }
        pair["roles"].append(role)
        for column, name in (("ecContribution", "contribution"),
                             ("netEcContribution", "net_contribution"),
                             ("totalCost", "total_cost")):
            value = amounts.get(column)
            if value is not None:
                pair[name] = round((pair[name] or 0.0) + value, 2)

    described: dict[str, dict] = {}
    if projects_table is not None:
        pfile = projects_table.file
        for line, row in projects_table.rows:
            project_id = row["id"].strip()
            if not _DIGITS.fullmatch(project_id):
                problems.append(Problem(pfile, line, "id", shorten(project_id),
                                        "not a CORDIS numeric id"))
                continue
            if not _check_size(problems, pfile, line, "id", project_id,
                               f"cordis-project-{project_id}"):
                continue
            fp_name = (row.get("frameworkProgramme", "").strip() or programme).lower()
            if not _check_size(problems, pfile, line, "frameworkProgramme",
                               row.get("frameworkProgramme", ""), f"cordis-{fp_name}"):
                continue
            record = {"acronym": row["acronym"].strip() or None,
                      "title": row["title"].strip() or None}
            dates_ok = True
            for column, name in (("startDate", "start_year"), ("endDate", "end_year"),
                                 ("contentUpdateDate", None)):
                try:
                    year = _year_of(row.get(column, ""))
                except ValueError as exc:
                    problems.append(Problem(pfile, line, column, shorten(row[column]),
                                            str(exc)))
                    dates_ok = False
                    continue
                if name:
                    record[name] = year
            if not dates_ok:
                continue
            try:
                record["budget"] = parse_amount(row.get("totalCost", ""))
                record["ec_max_contribution"] = parse_amount(row.get("ecMaxContribution", ""))
            except ValueError as exc:
                problems.append(Problem(pfile, line, "totalCost/ecMaxContribution",
                                        row.get("totalCost", ""), str(exc)))
                continue
            for column, name in (("status", "status"), ("fundingScheme", "funding_scheme"),
                                 ("topics", "topics"), ("legalBasis", "legal_basis"),
                                 ("frameworkProgramme", "framework_programme")):
                record[name] = row.get(column, "").strip() or None
            previous = described.get(project_id)
            # Several weekly extracts may describe one project: the latest update wins.
            updated = _update_key(row.get("contentUpdateDate", ""))
            if previous is None or updated >= previous["_updated"]:
                record["_updated"] = updated
                described[project_id] = record
    if problems:
        raise ValidationFailed(problems)

    actors, regions = [], {}
    for org_id in sorted(latest, key=int):
        _updated, line, row = latest[org_id]
        name = row["name"].strip() or row.get("shortName", "").strip()
        if not name:
            name = f"Organisation {org_id}"
            warnings.append(f"{file}:{line}: organisation {org_id} has a blank name; "
                            f"shown as {name!r}")
        activity = row["activityType"].strip().upper()
        if not activity:
            warnings.append(f"{file}:{line}: organisation {org_id} has no activityType; "
                            "kind set to 'other'")
        sme = _bool_flag(row.get("SME", ""))
        if activity == "PRC":
            kind = "sme" if sme else "company"
        else:
            kind = KIND_OF_ACTIVITY.get(activity, "other")
        country = row["country"].strip().upper() or None
        if country and country not in regions:
            regions[country] = {"id": country, "name": country_name(country), "kind": "country",
                                "country": country, "parent_id": None, "synthetic": False}
        actors.append({
            "id": f"cordis-org-{org_id}",
            "name": name,
            "kind": kind,
            "country": country,
            "region_id": country,
            "city": row.get("city", "").strip() or None,
            "website": row.get("organizationURL", "").strip() or None,
            "short_name": row.get("shortName", "").strip() or None,
            "pic": org_id,
            "activity_type": activity or None,
            "sme": sme,
            "synthetic": False,
        })

    participations = []
    for (_org, _project), pair in sorted(pairs.items()):
        roles = pair["roles"]
        if len(roles) > 1:
            roles = sorted(set(roles), key=_ROLE_RANK.__getitem__)
        pair["role"] = roles[0]
        pair["roles"] = roles
        participations.append(pair)

    programme_ids: dict[str, str] = {}

    def programme_of(name: str | None) -> str:
        name = (name or programme).strip() or programme
        return programme_ids.setdefault(name, f"cordis-{name.lower()}")

    contributions: dict[str, float] = defaultdict(float)
    for pair in participations:
        if pair["contribution"] is not None:
            contributions[pair["project_id"]] += pair["contribution"]
    projects, fundings = [], []
    project_ids = sorted(set(project_acronyms) | {p for _o, p in pairs} | set(described), key=int)
    for project_id in project_ids:
        info = described.get(project_id, {})
        node_id = f"cordis-project-{project_id}"
        acronym = info.get("acronym") or project_acronyms.get(project_id)
        projects.append({
            "id": node_id,
            "title": info.get("title"),
            "acronym": acronym,
            "start_year": info.get("start_year"),
            "end_year": info.get("end_year"),
            "budget": info.get("budget"),
            "currency": "EUR",
            "status": info.get("status"),
            "funding_scheme": info.get("funding_scheme"),
            "topics": info.get("topics"),
            "legal_basis": info.get("legal_basis"),
            "cordis_id": project_id,
            "described": bool(info),
            "synthetic": False,
        })
        amount = info.get("ec_max_contribution")
        if amount is None and node_id in contributions:
            amount = round(contributions[node_id], 2)
        fundings.append({
            "project_id": node_id,
            "programme_id": programme_of(info.get("framework_programme")),
            "amount": amount,
            "currency": "EUR",
            "year": info.get("start_year"),
            "synthetic": False,
        })
    programmes = [
        {"id": pid, "name": "Horizon 2020" if name == "H2020" else name,
         "funder": "European Commission", "country": None,
         "description": f"EU framework programme {name} (from CORDIS)", "synthetic": False}
        for name, pid in sorted(programme_ids.items())
    ]

    digest = hashlib.sha256()
    for path in (org_path, proj_path):
        if path.is_file():
            digest.update(path.read_bytes())
    dataset = Dataset(
        source="CORDIS " + " + ".join(p.name for p in (org_path, proj_path) if p.is_file()),
        load_id=f"cordis-{digest.hexdigest()[:16]}",
        attribution=ATTRIBUTION,
        regions=[regions[c] for c in sorted(regions)],
        programmes=programmes,
        actors=actors,
        projects=projects,
        participations=participations,
        fundings=fundings,
    )
    return dataset, warnings
