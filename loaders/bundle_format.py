"""The canonical CSV bundle format: its files, columns, types and ``bundle.json``.

This is the one definition of the bundle. :data:`FILES` names every CSV file, the
:class:`graph_schema.model.Dataset` list it fills, its columns (each with its parser, so
the reader types a cell with it) and its key; :data:`METADATA_FILE` and
:data:`META_KEYS` define ``bundle.json``. Both sides use it:

- reading: :func:`loaders.bundle.read_bundle` validates a folder against :data:`FILES`
  (``loaders/README.md`` is generated from it by :func:`bundle_doc`, ``python -m
  loaders.bundle``, and a test keeps the two in step);
- writing: :func:`bundle_files` turns rows into the exact bytes of every file (cells by
  :func:`format_cell`, rows sorted by key, ``bundle.json`` by :func:`meta_bytes`), and
  :func:`write_bundle` / :func:`bundle_zip` put them in a folder or a deterministic zip.
  The demo generator (:mod:`loaders.demo`) and the exports (:mod:`service.exports`) write
  through these functions only, so a bundle is always written the same way and an export
  read back and exported again is byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph_schema.model import (
    ACTOR_KINDS,
    INDICATORS,
    PARTICIPATION_ROLES,
    REGION_KINDS,
)

from .csvsafe import neutralise
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

__all__ = [
    "FILES",
    "FileSpec",
    "METADATA_FILE",
    "META_KEYS",
    "SPEC_BY_FILE",
    "bundle_doc",
    "bundle_files",
    "bundle_zip",
    "column_type",
    "csv_bytes",
    "format_cell",
    "meta_bytes",
    "target_file",
    "write_bundle",
]

METADATA_FILE = "bundle.json"
#: The keys of ``bundle.json``, in the order they are written. ``synthetic`` (a boolean) is
#: the default of every row's ``synthetic`` column.
META_KEYS: tuple[str, ...] = ("name", "source", "attribution", "synthetic")


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

SPEC_BY_FILE: dict[str, FileSpec] = {spec.file: spec for spec in FILES}


def format_cell(value: object) -> str:
    """A typed value as the text of a bundle cell (what the reader parses back).

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


def target_file(target: str) -> str:
    """The file of the entity list ``target`` (``"actors"`` -> ``"actors.csv"``)."""
    return next(spec.file for spec in FILES if spec.target == target)


def column_type(column: Column, *, markdown: bool = True) -> str:
    """What a column holds, as the reference says it (Markdown, or plain text for a sheet).

    >>> spec = SPEC_BY_FILE["memberships.csv"]
    >>> column_type(spec.columns[0]), column_type(spec.columns[0], markdown=False)
    ('id of a row in `actors.csv`', 'id of a row in the actors sheet')
    >>> column_type(spec.columns[2])
    'year'
    """
    choices = getattr(column.parse, "choices", None)
    if column.ref:
        if markdown:
            return f"id of a row in `{target_file(column.ref)}`"
        return f"id of a row in the {column.ref} sheet"
    if choices:
        return "one of " + ", ".join(f"`{c}`" if markdown else c for c in choices)
    return column.type_name


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
            out.append(f"| `{column.name}` | {column_type(column)} | "
                       f"{'yes' if column.required else 'no'} | {column.help} |")
        example_header = ",".join(spec.column_names)
        example_row = ",".join(_csv_cell(c.example) for c in spec.columns)
        out.append(f"\nExample:\n\n```csv\n{example_header}\n{example_row}\n```\n")
    return "\n".join(out)


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def csv_bytes(spec: FileSpec, rows: Sequence[Mapping]) -> bytes:
    """One CSV file: the header of ``spec``, then every row's cells sorted by the key.

    Missing values are empty cells; keys a row has beyond the columns are ignored. Rows are
    sorted by their key cells, then by the whole line, so the order of ``rows`` never shows.

    >>> spec = SPEC_BY_FILE["memberships.csv"]
    >>> print(csv_bytes(spec, [{"actor_id": "b", "cluster_id": "x", "since": 2012},
    ...                        {"actor_id": "a", "cluster_id": "x", "role": "a, b"}]).decode())
    actor_id,cluster_id,since,role,synthetic
    a,x,,"a, b",
    b,x,2012,,
    <BLANKLINE>
    """
    lines = [[format_cell(row.get(column)) for column in spec.column_names] for row in rows]
    key_index = [spec.column_names.index(k) for k in spec.key]
    lines.sort(key=lambda line: ([line[i] for i in key_index], line))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.column_names)
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def meta_bytes(meta: Mapping) -> bytes:
    """``bundle.json``: the :data:`META_KEYS` present in ``meta``, in that order, indented by
    two spaces, non-ASCII characters kept, one final newline. Other keys are left out.

    >>> print(meta_bytes({"synthetic": True, "name": "démo", "other": 1}).decode())
    {
      "name": "démo",
      "synthetic": true
    }
    <BLANKLINE>
    """
    out = {key: meta[key] for key in META_KEYS if key in meta}
    return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def bundle_files(tables: Mapping[str, Sequence[Mapping]], meta: Mapping) -> dict[str, bytes]:
    """``{file name: bytes}`` of a whole bundle, in :data:`FILES` order, ``bundle.json`` last.

    ``tables`` maps a :class:`FileSpec` ``target`` (``"actors"``, ``"memberships"``...) to its
    rows (a :class:`graph_schema.model.Dataset` gives them by attribute: pass
    ``{spec.target: getattr(dataset, spec.target) for spec in FILES}``). A file with no rows
    is left out (the reader refuses an empty file), except the required ``actors.csv``.
    """
    files: dict[str, bytes] = {}
    for spec in FILES:
        rows = tables.get(spec.target) or []
        if rows or spec.required_file:
            files[spec.file] = csv_bytes(spec, rows)
    files[METADATA_FILE] = meta_bytes(meta)
    return files


def write_bundle(folder: Path | str, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (from :func:`bundle_files`) into ``folder``, created if needed.

    A bundle file of the format that ``files`` lacks but the folder holds (left by an
    earlier bundle) is removed, since the reader would read it with these; no other file
    is touched. Returns the paths written, in the order of ``files``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (*SPEC_BY_FILE, METADATA_FILE):
        if name not in files and (folder / name).is_file():
            (folder / name).unlink()
    written = []
    for name, content in files.items():
        (folder / name).write_bytes(content)
        written.append(folder / name)
    return written


def bundle_zip(files: Mapping[str, bytes], folder: str) -> bytes:
    """A deterministic zip (fixed dates and modes) holding ``folder/<file>`` for each file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
