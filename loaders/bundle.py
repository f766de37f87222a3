"""Reading a canonical CSV bundle: a folder of CSV files describing one ecosystem.

The format itself — files, columns, types, ``bundle.json`` — is defined once, in
:mod:`loaders.bundle_format` (which also writes bundles); ``loaders/README.md`` documents
every file and column, generated from it (``python -m loaders.bundle``), and a test keeps
the two in step.

:func:`read_bundle` reads and validates the whole folder (or an ``.xlsx`` workbook, through
:mod:`loaders.workbook`) and returns a :class:`graph_schema.model.Dataset`, or raises
:class:`loaders.errors.ValidationFailed` with every problem found. The checks themselves are
:func:`validate_tables`, the one validator of bundles, fed with the rows of the CSV files or
of the workbook's sheets. References to ids that are not in the bundle may be resolved against
the graph by passing ``known_ids`` (ids already stored, per entity list).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from graph_schema.model import NODE_LABELS, Dataset

from .bundle_format import FILES, METADATA_FILE, FileSpec, bundle_doc, format_cell
from .bundle_format import SPEC_BY_FILE as _SPEC_BY_FILE
from .bundle_format import target_file as _target_file
from .csvio import CsvTable, read_csv
from .csvsafe import restore
from .errors import Problem, ValidationFailed
from .limits import INDEXED_PROPERTIES, shorten, too_long

# FILES, FileSpec, METADATA_FILE, bundle_doc and format_cell are re-exported for the
# modules that read the format's names from here.
__all__ = ["FILES", "FileSpec", "read_bundle", "validate_tables", "bundle_doc", "format_cell",
           "METADATA_FILE"]

#: The node label each entity list is stored under (``actors`` → ``Actor``).
_LABEL_OF_TARGET = {label.lower() + "s": label for label in NODE_LABELS}


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
    """Read and validate a canonical bundle: a folder of CSV files, or an Excel workbook.

    Parameters
    ----------
    folder : path
        Folder holding ``actors.csv`` and any of the other files of :data:`FILES`, and
        optionally ``bundle.json`` (``name``, ``source``, ``attribution``, ``synthetic``);
        or an ``.xlsx`` workbook with one sheet per file (:mod:`loaders.workbook`).
    known_ids : callable, optional
        ``known_ids(target, ids)`` returns which of ``ids`` already exist in the graph for
        the entity list ``target``; used for references to ids that are not in the bundle.

    Raises
    ------
    ValidationFailed
        With every problem found, when anything is wrong.
    """
    folder = Path(folder)
    if folder.suffix.lower() == ".xlsx" and not folder.is_dir():
        from .workbook import read_workbook

        return read_workbook(folder, known_ids=known_ids)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ValidationFailed([Problem(str(folder), None, None, None,
                                        "not a folder (nor an .xlsx workbook)")])

    meta: dict = {}
    meta_path = folder / METADATA_FILE
    if meta_path.exists():
        try:
            loaded = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError("not a JSON object")
            meta.update(loaded)
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem(METADATA_FILE, None, None, None, f"invalid JSON: {exc}"))

    present = {p.name for p in folder.iterdir() if p.is_file()}
    unknown = sorted(n for n in present if n.endswith(".csv") and n not in _SPEC_BY_FILE)
    for name in unknown:
        problems.append(
            Problem(name, None, None, None,
                    "unknown file in the bundle (expected: "
                    + ", ".join(s.file for s in FILES) + ")")
        )
    tables: dict[str, CsvTable] = {}
    for spec in FILES:
        if spec.file not in present:
            continue
        table, form_problems = read_csv(
            folder / spec.file,
            required=tuple(c.name for c in spec.columns if c.required),
        )
        problems.extend(form_problems)
        tables[spec.file] = table
    csv_paths = [folder / name for name in present if name.endswith(".csv")]
    if meta_path.exists():
        csv_paths.append(meta_path)
    return validate_tables(tables, meta, problems, default_name=folder.name,
                           digest=_content_hash(csv_paths), known_ids=known_ids)


def validate_tables(
    tables: Mapping[str, CsvTable],
    meta: Mapping,
    problems: list[Problem],
    *,
    default_name: str,
    digest: str,
    known_ids: Callable[[str, set[str]], set[str]] | None = None,
    places: Mapping[str, str] | None = None,
    meta_place: str = METADATA_FILE,
    noun: str = "file",
) -> Dataset:
    """The checks every bundle gets, whatever it was read from (CSV files or a workbook).

    Parameters
    ----------
    tables : mapping
        ``{file name of the spec (e.g. "actors.csv"): CsvTable}`` of the files present; a
        table that could not be read has ``readable`` false (its problems are already in
        ``problems``).
    meta : mapping
        The bundle's metadata (``bundle.json``'s keys), possibly empty.
    problems : list
        Problems the reader found already; more are added, then all are raised.
    default_name : str
        The bundle's name when ``meta`` gives none (the folder's or the workbook's name).
    digest : str
        A hash of the input, the second half of the load id.
    places : mapping, optional
        ``{file name of the spec: name used in problems}`` (default: the file name); a
        workbook names its sheets here.
    meta_place, noun : str
        Where the metadata was read from, and what a table is called ("file", "sheet"),
        in problems.
    """
    places = places or {}

    def place(file: str) -> str:
        return places.get(file, file)

    meta = {"name": default_name, "source": f"bundle:{default_name}", "attribution": "",
            "synthetic": False, **meta}
    if not isinstance(meta["synthetic"], bool):
        problems.append(Problem(meta_place, None, "synthetic", str(meta["synthetic"]),
                                "must be true or false"))
    # The load's name (in its id) and source are indexed properties of its Load node.
    for key, stored in (("name", f"{meta.get('name')}-{'0' * 16}"),
                        ("source", meta.get("source"))):
        reason = too_long(stored) if isinstance(meta.get(key), str) else None
        if reason:
            problems.append(Problem(meta_place, None, key, shorten(meta[key]), reason))
    for spec in FILES:
        if spec.required_file and spec.file not in tables:
            problems.append(Problem(place(spec.file), None, None, None,
                                    f"required {noun} is missing"))

    records: dict[str, list[dict]] = {spec.target: [] for spec in FILES}
    lines: dict[str, list[int]] = {spec.target: [] for spec in FILES}
    # Ids of rows rejected for another reason: references to them are not reported again.
    rejected_ids: dict[str, set[str]] = {spec.target: set() for spec in FILES}
    # Files that could not be read at all: references into them are not checked.
    unreadable: set[str] = set()
    default_synthetic = meta["synthetic"] if isinstance(meta["synthetic"], bool) else False
    for spec in FILES:
        if spec.file not in tables:
            continue
        table = tables[spec.file]
        where = place(spec.file)
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
            problems.append(Problem(where, 1, name, name,
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
                        problems.append(Problem(where, line, column.name, text,
                                                "required value is empty"))
                        ok = False
                    record[column.name] = None
                    continue
                try:
                    record[column.name] = column.parse(text)
                except ValueError as exc:
                    problems.append(Problem(where, line, column.name, shorten(text, 200),
                                            str(exc)))
                    ok = False
                    continue
                # An id, own or referenced, is always an index key.
                reason = (too_long(record[column.name])
                          if column.name in indexed or column.type_name == "id" else None)
                if reason:
                    problems.append(Problem(where, line, column.name, shorten(text), reason))
                    ok = False
            for first, second in spec.one_of:
                if (record.get(first) is None) == (record.get(second) is None):
                    problems.append(Problem(where, line, first, None,
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
                problems.append(Problem(where, line, spec.key[0], label,
                                        f"duplicate: the same {' + '.join(spec.key)} is on "
                                        f"{'row' if noun == 'sheet' else 'line'} "
                                        f"{seen_keys[key]}"))
                continue
            seen_keys[key] = line
            records[spec.target].append(record)
            lines[spec.target].append(line)
        _check_row_rules(spec, records[spec.target], lines[spec.target], problems, where)

    _check_references(records, lines, known_ids, problems, rejected_ids, unreadable, place)
    if problems:
        raise ValidationFailed(problems)

    return Dataset(
        source=str(meta.get("source") or f"bundle:{default_name}"),
        load_id=f"{meta.get('name') or default_name}-{digest}",
        attribution=str(meta.get("attribution") or ""),
        **records,
    )


def _check_row_rules(spec: FileSpec, rows: list[dict], lines: list[int],
                     problems: list[Problem], where: str) -> None:
    """Rules that span several columns of one row."""
    for record, line in zip(rows, lines, strict=True):
        if spec.target == "projects":
            start, end = record.get("start_year"), record.get("end_year")
            if start is not None and end is not None and end < start:
                problems.append(Problem(where, line, "end_year", str(end),
                                        f"end_year is before start_year {start}"))
        if spec.target == "targets":
            if record["period_end"] < record["period_start"]:
                problems.append(Problem(where, line, "period_end", str(record["period_end"]),
                                        f"period_end is before period_start "
                                        f"{record['period_start']}"))
        for column in ("value", "budget", "amount", "contribution"):
            value = record.get(column)
            if isinstance(value, float) and value < 0:
                problems.append(Problem(where, line, column, str(value),
                                        "must not be negative"))
        if spec.target == "regions" and record.get("parent_id") == record.get("id"):
            problems.append(Problem(where, line, "parent_id", record["parent_id"],
                                    "a region cannot be part of itself"))


def _check_references(records, lines, known_ids, problems: list[Problem],
                      rejected_ids: dict[str, set[str]], unreadable: set[str],
                      place: Callable[[str], str]) -> None:
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
                        (place(spec.file), line, column.name))
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
                                    f"({place(_target_file(target))} or the graph)"))


if __name__ == "__main__":  # pragma: no cover
    print(bundle_doc())
