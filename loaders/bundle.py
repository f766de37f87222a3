"""The canonical CSV bundle: a folder of CSV files describing one ecosystem.

``loaders/README.md`` documents every file and column; it is generated from :data:`FILES`
below (``python -m loaders.bundle --doc``) and a test keeps the two in step.

:func:`read_bundle` reads and validates the whole folder and returns a
:class:`graph_schema.model.Dataset`, or raises :class:`loaders.errors.ValidationFailed` with
every problem found. References to ids that are not in the bundle may be resolved against
the graph by passing ``known_ids`` (ids already stored, per entity list).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from graph_schema.model import (
    ACTOR_KINDS,
    INDICATORS,
    NODE_LABELS,
    PARTICIPATION_ROLES,
    REGION_KINDS,
    Dataset,
)

from .csvio import read_csv
from .csvsafe import neutralise, restore
from .errors import Problem, ValidationFailed
from .fields import (
    Column,
    parse_bool,
    parse_country,
    parse_enum,
    parse_int,
    parse_number,
    parse_text,
    parse_year,
)
from .limits import INDEXED_PROPERTIES, shorten, too_long

__all__ = ["FILES", "FileSpec", "read_bundle", "bundle_doc", "format_cell", "METADATA_FILE"]

METADATA_FILE = "bundle.json"


def _id(name: str, help: str, example: str, ref: str | None = None, required=True) -> Column:
    return Column(name, parse_text, required, ref, help, example, "id")


def _text(name: str, help: str, example: str, required=False) -> Column:
    return Column(name, parse_text, required, None, help, example, "text")


def _year(name: str, help: str, example: str, required=False) -> Column:
    return Column(name, parse_year, required, None, help, example, "year")


def _number(name: str, help: str, example: str, required=False) -> Column:
    return Column(name, parse_number, required, None, help, example, "number")


def _int(name: str, help: str, example: str, required=False) -> Column:
    return Column(name, parse_int, required, None, help, example, "integer")


def _enum(name: str, choices: tuple[str, ...], help: str, example: str, required=False):
    return Column(name, parse_enum(choices), required, None, help, example, "one of")


_SYNTHETIC = Column(
    "synthetic",
    parse_bool,
    False,
    None,
    "true when the row is generated, not observed (defaults to the bundle's `synthetic`)",
    "false",
    "boolean",
)


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of the bundle: its name, the Dataset list it fills, and its columns."""

    file: str
    target: str
    columns: tuple[Column, ...]
    help: str
    key: tuple[str, ...] = ("id",)
    required_file: bool = False
    #: pairs of columns of which exactly one must be filled
    one_of: tuple[tuple[str, str], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "regions.csv",
        "regions",
        (
            _id("id", "unique region id", "ma-guelmim-es-semara"),
            _text("name", "display name", "Guelmim-Es Semara", required=True),
            _enum("kind", REGION_KINDS, "what sort of place", "region", required=True),
            Column(
                "country",
                parse_country,
                False,
                None,
                "ISO 3166-1 alpha-2 code",
                "MA",
                "country code",
            ),
            _id("parent_id", "region it is part of (PART_OF)", "MA", ref="regions", required=False),
            _SYNTHETIC,
        ),
        "Countries, regions and cities (the territorial anchoring of actors and clusters).",
    ),
    FileSpec(
        "niches.csv",
        "niches",
        (
            _id("id", "unique niche id", "mnc-mobile-services"),
            _text("name", "display name", "Mobile services", required=True),
            _text("description", "what the niche covers", "Mobile apps and payment"),
            _SYNTHETIC,
        ),
        "Thematic fields (strategic niches) that clusters and actors are active in.",
    ),
    FileSpec(
        "programmes.csv",
        "programmes",
        (
            _id("id", "unique programme id", "tatouir"),
            _text("name", "display name", "Tatouir", required=True),
            _text("funder", "who runs or funds it", "Centre marocain de l'innovation"),
            Column("country", parse_country, False, None, "ISO code", "MA", "country code"),
            _text("description", "what it funds", "Collaborative R&D projects of clusters"),
            _SYNTHETIC,
        ),
        "Funding schemes (Tatouir, the cluster support fund, H2020, ...).",
    ),
    FileSpec(
        "clusters.csv",
        "clusters",
        (
            _id("id", "unique cluster id", "mnc"),
            _text("name", "display name", "Maroc Numeric Cluster", required=True),
            _text("field", "sector or technology field", "ICT"),
            _id("region_id", "region it is anchored in (LOCATED_IN)", "ma-casablanca",
                ref="regions", required=False),
            _year("founded_year", "year founded or labelled", "2011"),
            _text("description", "short description", "Mixed public/private governance"),
            _text("website", "URL", "https://example.org"),
            _SYNTHETIC,
        ),
        "Clusters (a network organised around a shared project).",
    ),
    FileSpec(
        "actors.csv",
        "actors",
        (
            _id("id", "unique actor id", "mnc-a001"),
            _text("name", "display name", "Atlas Mobile SARL", required=True),
            _enum("kind", ACTOR_KINDS, "kind of actor", "sme", required=True),
            Column("country", parse_country, False, None, "ISO code", "MA", "country code"),
            _id("region_id", "region it is located in (LOCATED_IN)", "ma-casablanca",
                ref="regions", required=False),
            _text("city", "city", "Casablanca"),
            _year("founded_year", "year founded", "2006"),
            _text("website", "URL", "https://example.org"),
            _SYNTHETIC,
        ),
        "Companies, SMEs, start-ups, universities, research labs, training centres, public "
        "agencies, funders, associations. The only file every bundle must have.",
        required_file=True,
    ),
    FileSpec(
        "projects.csv",
        "projects",
        (
            _id("id", "unique project id", "mnc-p01"),
            _text("title", "title", "Secure mobile payment platform", required=True),
            _text("acronym", "short name", "SECPAY"),
            _year("start_year", "first year", "2012"),
            _year("end_year", "last year (not before start_year)", "2014"),
            _number("budget", "total budget", "1500000"),
            _text("currency", "currency of budget (ISO 4217)", "MAD"),
            _text("status", "e.g. planned, ongoing, closed", "closed"),
            _SYNTHETIC,
        ),
        "Collaborative R&D projects.",
    ),
    FileSpec(
        "targets.csv",
        "targets",
        (
            _id("id", "unique target id", "mnc-t-patents"),
            _id("cluster_id", "cluster bound by the target (or programme_id)", "mnc",
                ref="clusters", required=False),
            _id("programme_id", "programme bound by the target (or cluster_id)", "",
                ref="programmes", required=False),
            _enum("indicator", INDICATORS, "what is counted", "patents", required=True),
            _number("value", "target value over the period", "7", required=True),
            _year("period_start", "first year of the contract-programme", "2011",
                  required=True),
            _year("period_end", "last year of the contract-programme", "2013", required=True),
            _text("note", "where the figure comes from", "contract-programme 2011"),
            _SYNTHETIC,
        ),
        "Contract-programme targets of a cluster or a programme.",
        one_of=(("cluster_id", "programme_id"),),
    ),
    FileSpec(
        "outputs.csv",
        "outputs",
        (
            _id("id", "unique output id", "mnc-o-2012-patents"),
            _id("cluster_id", "cluster reporting it (REPORTED)", "mnc", ref="clusters"),
            _id("project_id", "project it came from (FROM_PROJECT)", "mnc-p01",
                ref="projects", required=False),
            _enum("indicator", INDICATORS, "what is counted", "patents", required=True),
            _year("year", "year reported", "2012", required=True),
            _number("value", "amount reported", "2", required=True),
            _text("note", "where the figure comes from", "annual report 2012"),
            _SYNTHETIC,
        ),
        "Reported outputs (patents filed, start-ups created, R&D jobs, projects carried out).",
    ),
    FileSpec(
        "memberships.csv",
        "memberships",
        (
            _id("actor_id", "member actor", "mnc-a001", ref="actors"),
            _id("cluster_id", "cluster", "mnc", ref="clusters"),
            _year("since", "year the actor joined", "2011"),
            _text("role", "e.g. member, founding member, animator", "member"),
            _SYNTHETIC,
        ),
        "Which actor is a member of which cluster (MEMBER_OF).",
        key=("actor_id", "cluster_id"),
    ),
    FileSpec(
        "participations.csv",
        "participations",
        (
            _id("actor_id", "participating actor", "mnc-a001", ref="actors"),
            _id("project_id", "project", "mnc-p01", ref="projects"),
            _enum("role", PARTICIPATION_ROLES, "role in the project", "coordinator",
                  required=True),
            _number("contribution", "funding received or effort contributed", "250000"),
            _text("currency", "currency of contribution", "MAD"),
            _SYNTHETIC,
        ),
        "Who takes part in which project (PARTICIPATES_IN), one row per actor and project.",
        key=("actor_id", "project_id"),
    ),
    FileSpec(
        "fundings.csv",
        "fundings",
        (
            _id("project_id", "funded project", "mnc-p01", ref="projects"),
            _id("programme_id", "funding programme", "tatouir", ref="programmes"),
            _number("amount", "amount granted", "900000"),
            _text("currency", "currency of amount", "MAD"),
            _year("year", "year granted", "2012"),
            _SYNTHETIC,
        ),
        "Which programme funds which project (FUNDED_BY).",
        key=("project_id", "programme_id"),
    ),
    FileSpec(
        "activities.csv",
        "activities",
        (
            _id("actor_id", "actor active in the niche (or cluster_id)", "mnc-a001",
                ref="actors", required=False),
            _id("cluster_id", "cluster active in the niche (or actor_id)", "", ref="clusters",
                required=False),
            _id("niche_id", "niche", "mnc-mobile-services", ref="niches"),
            _SYNTHETIC,
        ),
        "Which actor or cluster is active in which niche (ACTIVE_IN).",
        key=("actor_id", "cluster_id", "niche_id"),
        one_of=(("actor_id", "cluster_id"),),
    ),
)

_SPEC_BY_FILE = {spec.file: spec for spec in FILES}
#: The node label each entity list is stored under (``actors`` → ``Actor``).
_LABEL_OF_TARGET = {label.lower() + "s": label for label in NODE_LABELS}


def format_cell(value: object) -> str:
    """A typed value as the text of a bundle cell (what :func:`read_bundle` reads back).

    Every writer of bundles (the demo generator, the exports) uses this one function, so a
    value is always written the same way and an export round-trips byte for byte.

    >>> [format_cell(v) for v in (None, True, 3.0, 2.5, 7, "x", ["b", "a"])]
    ['', 'true', '3', '2.5', '7', 'x', '["b", "a"]']
    >>> [format_cell(v) for v in (-3.5, "=1+1")]
    ['-3.5', "'=1+1"]
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    # A text a spreadsheet would run as a formula gets a leading quote; the reader undoes it.
    return neutralise(str(value))


def _content_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_bundle(
    folder: Path | str,
    *,
    known_ids: Callable[[str, set[str]], set[str]] | None = None,
) -> Dataset:
    """Read and validate a canonical bundle folder.

    Parameters
    ----------
    folder : path
        Folder holding ``actors.csv`` and any of the other files of :data:`FILES`, and
        optionally ``bundle.json`` (``name``, ``source``, ``attribution``, ``synthetic``).
    known_ids : callable, optional
        ``known_ids(target, ids)`` returns which of ``ids`` already exist in the graph for
        the entity list ``target``; used for references to ids that are not in the bundle.

    Raises
    ------
    ValidationFailed
        With every problem found, when anything is wrong.
    """
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ValidationFailed([Problem(str(folder), None, None, None, "not a folder")])

    meta = {"name": folder.name, "source": f"bundle:{folder.name}", "attribution": "",
            "synthetic": False}
    meta_path = folder / METADATA_FILE
    if meta_path.exists():
        try:
            loaded = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            meta.update(loaded)
            if not isinstance(meta["synthetic"], bool):
                problems.append(Problem(METADATA_FILE, None, "synthetic", str(meta["synthetic"]),
                                        "must be true or false"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem(METADATA_FILE, None, None, None, f"invalid JSON: {exc}"))
    # The load's name (in its id) and source are indexed properties of its Load node.
    for key, stored in (("name", f"{meta.get('name')}-{'0' * 16}"),
                        ("source", meta.get("source"))):
        reason = too_long(stored) if isinstance(meta.get(key), str) else None
        if reason:
            problems.append(Problem(METADATA_FILE, None, key, shorten(meta[key]), reason))

    present = {p.name for p in folder.iterdir() if p.is_file()}
    unknown = sorted(n for n in present if n.endswith(".csv") and n not in _SPEC_BY_FILE)
    for name in unknown:
        problems.append(
            Problem(name, None, None, None,
                    "unknown file in the bundle (expected: "
                    + ", ".join(s.file for s in FILES) + ")")
        )
    for spec in FILES:
        if spec.required_file and spec.file not in present:
            problems.append(Problem(spec.file, None, None, None, "required file is missing"))

    records: dict[str, list[dict]] = {spec.target: [] for spec in FILES}
    lines: dict[str, list[int]] = {spec.target: [] for spec in FILES}
    # Ids of rows rejected for another reason: references to them are not reported again.
    rejected_ids: dict[str, set[str]] = {spec.target: set() for spec in FILES}
    # Files that could not be read at all: references into them are not checked.
    unreadable: set[str] = set()
    default_synthetic = meta["synthetic"] if isinstance(meta["synthetic"], bool) else False
    for spec in FILES:
        if spec.file not in present:
            continue
        table, form_problems = read_csv(
            folder / spec.file,
            required=tuple(c.name for c in spec.columns if c.required),
        )
        problems.extend(form_problems)
        if not table.readable:
            unreadable.add(spec.target)
            continue
        if table.bad_lines:
            # Rows that could not be split hide their ids: references into this file are
            # not checked, but its other rows are, so every other problem is listed too.
            unreadable.add(spec.target)
        indexed = INDEXED_PROPERTIES.get(_LABEL_OF_TARGET.get(spec.target, ""), frozenset())
        extra = [h for h in table.header if h not in spec.column_names]
        for name in extra:
            problems.append(Problem(spec.file, 1, name, name,
                                    "unknown column (expected: "
                                    + ", ".join(spec.column_names) + ")"))
        seen_keys: dict[tuple, int] = {}
        for line, raw in table.rows:
            record: dict = {}
            ok = True
            for column in spec.columns:
                # Bundle writers neutralise cells a spreadsheet would run as formulas
                # (loaders.csvsafe); undo exactly that.
                text = restore(raw.get(column.name, ""))
                if not text.strip():
                    if column.required:
                        problems.append(Problem(spec.file, line, column.name, text,
                                                "required value is empty"))
                        ok = False
                    record[column.name] = None
                    continue
                try:
                    record[column.name] = column.parse(text)
                except ValueError as exc:
                    problems.append(Problem(spec.file, line, column.name, shorten(text, 200),
                                            str(exc)))
                    ok = False
                    continue
                # An id, own or referenced, is always an index key.
                reason = (too_long(record[column.name])
                          if column.name in indexed or column.type_name == "id" else None)
                if reason:
                    problems.append(Problem(spec.file, line, column.name, shorten(text), reason))
                    ok = False
            for first, second in spec.one_of:
                if (record.get(first) is None) == (record.get(second) is None):
                    problems.append(Problem(spec.file, line, first, None,
                                            f"give exactly one of {first!r} and {second!r}"))
                    ok = False
            if record.get("synthetic") is None:
                record["synthetic"] = default_synthetic
            if not ok:
                if record.get("id"):
                    rejected_ids[spec.target].add(record["id"])
                continue
            key = tuple(record.get(k) for k in spec.key)
            if key in seen_keys:
                label = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key, strict=True)
                                  if v is not None)
                problems.append(Problem(spec.file, line, spec.key[0], label,
                                        f"duplicate: the same {' + '.join(spec.key)} is on "
                                        f"line {seen_keys[key]}"))
                continue
            seen_keys[key] = line
            records[spec.target].append(record)
            lines[spec.target].append(line)
        _check_row_rules(spec, records[spec.target], lines[spec.target], problems)

    _check_references(records, lines, known_ids, problems, rejected_ids, unreadable)
    if problems:
        raise ValidationFailed(problems)

    csv_paths = [folder / name for name in present if name.endswith(".csv")]
    if meta_path.exists():
        csv_paths.append(meta_path)
    return Dataset(
        source=str(meta.get("source") or f"bundle:{folder.name}"),
        load_id=f"{meta.get('name') or folder.name}-{_content_hash(csv_paths)}",
        attribution=str(meta.get("attribution") or ""),
        **records,
    )


def _check_row_rules(spec: FileSpec, rows: list[dict], lines: list[int],
                     problems: list[Problem]) -> None:
    """Rules that span several columns of one row."""
    for record, line in zip(rows, lines, strict=True):
        if spec.target == "projects":
            start, end = record.get("start_year"), record.get("end_year")
            if start is not None and end is not None and end < start:
                problems.append(Problem(spec.file, line, "end_year", str(end),
                                        f"end_year is before start_year {start}"))
        if spec.target == "targets":
            if record["period_end"] < record["period_start"]:
                problems.append(Problem(spec.file, line, "period_end", str(record["period_end"]),
                                        f"period_end is before period_start "
                                        f"{record['period_start']}"))
        for column in ("value", "budget", "amount", "contribution"):
            value = record.get(column)
            if isinstance(value, float) and value < 0:
                problems.append(Problem(spec.file, line, column, str(value),
                                        "must not be negative"))
        if spec.target == "regions" and record.get("parent_id") == record.get("id"):
            problems.append(Problem(spec.file, line, "parent_id", record["parent_id"],
                                    "a region cannot be part of itself"))


def _check_references(records, lines, known_ids, problems: list[Problem],
                      rejected_ids: dict[str, set[str]], unreadable: set[str]) -> None:
    ids = {target: {r["id"] for r in rows if "id" in r} | rejected_ids[target]
           for target, rows in records.items()}
    missing: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
    for spec in FILES:
        for column in spec.columns:
            if not column.ref or column.ref in unreadable:
                continue
            for record, line in zip(records[spec.target], lines[spec.target], strict=True):
                value = record.get(column.name)
                if value is not None and value not in ids[column.ref]:
                    missing.setdefault((column.ref, value), []).append(
                        (spec.file, line, column.name))
    if not missing:
        return
    found: dict[str, set[str]] = {}
    if known_ids is not None:
        by_target: dict[str, set[str]] = {}
        for target, value in missing:
            by_target.setdefault(target, set()).add(value)
        for target, values in by_target.items():
            found[target] = known_ids(target, values)
    for (target, value), places in sorted(missing.items(), key=lambda kv: kv[1][0][:2]):
        if value in found.get(target, set()):
            continue
        for file, line, column in places:
            problems.append(Problem(file, line, column, value,
                                    f"unknown id: no such id in {target} "
                                    f"({_target_file(target)} or the graph)"))


def _target_file(target: str) -> str:
    return next(spec.file for spec in FILES if spec.target == target)


def bundle_doc() -> str:
    """The Markdown reference of every file and column (the body of loaders/README.md)."""
    out = []
    for spec in FILES:
        need = "required" if spec.required_file else "optional"
        out.append(f"### `{spec.file}` ({need})\n\n{spec.help}\n")
        if spec.key != ("id",):
            out.append(f"One row per {' + '.join(f'`{k}`' for k in spec.key)}.")
        if spec.one_of:
            out.append(" ".join(f"Exactly one of `{a}` and `{b}` per row." for a, b in spec.one_of))
        out.append("\n| column | type | required | meaning |\n|---|---|---|---|")
        for column in spec.columns:
            type_name = column.type_name
            choices = getattr(column.parse, "choices", None)
            if choices:
                type_name = "one of " + ", ".join(f"`{c}`" for c in choices)
            if column.ref:
                type_name = f"id of a row in `{_target_file(column.ref)}`"
            out.append(f"| `{column.name}` | {type_name} | {'yes' if column.required else 'no'}"
                       f" | {column.help} |")
        example_header = ",".join(spec.column_names)
        example_row = ",".join(_csv_cell(c.example) for c in spec.columns)
        out.append(f"\nExample:\n\n```csv\n{example_header}\n{example_row}\n```\n")
    return "\n".join(out)


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


if __name__ == "__main__":  # pragma: no cover
    print(bundle_doc())
