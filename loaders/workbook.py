"""Excel workbooks as canonical bundles: one sheet per bundle file (read and written).

A workbook holds the same data as a bundle folder (:mod:`loaders.bundle_format`):

- one sheet per CSV file, named like the file without ``.csv`` (``actors``,
  ``memberships``...), row 1 holding the file's column names, each further row a record;
  only ``actors`` is required, and an optional sheet with no rows counts as absent;
- an optional ``bundle`` sheet (columns ``key`` and ``value``) with ``bundle.json``'s keys
  (``name``, ``source``, ``attribution``, ``synthetic``);
- an optional first sheet named ``README``, ignored by the reader (the writer puts the
  description of every sheet and column there, from the format's own specs).

Any other sheet is an error, as an unknown file in a bundle folder is: a sheet whose name is
mistyped would otherwise be skipped without a word.

:func:`read_workbook` turns every sheet into the rows the CSV reader would give (cell values
as the text a CSV file would hold) and hands them to
:func:`loaders.bundle.validate_tables`, the one validator of bundles; problems name the
workbook and sheet, the row, the column, the value and the reason. Cells: text as is, whole
numbers as integers (``2012``, not ``2012.0``), other numbers as Python writes them, booleans
``true``/``false``, dates and times in ISO 8601 (``2012-03-01``), empty cells missing. A
formula counts as the value the spreadsheet last computed (the file's cached value, read
with openpyxl's ``data_only``); a formula without one (a file written by a program that does
not compute formulas) and an error value (``#N/A``) are problems naming the cell.

The workbook is checked before openpyxl parses it (:func:`archive_problems`): an xlsx file
is a zip, so its size, the number of its parts, their unpacked sizes (a zip bomb) and XML
document type declarations (entity expansion) are limited; the number of sheets, rows and
columns too (:data:`LIMITS`).

:func:`workbook_bytes` writes a workbook from typed rows (the demo, the template): every
value is written as the text the CSV writer would write (:func:`format_cell`) read back
the same way, so a workbook loads to the same records as the CSV bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph_schema.model import Dataset

from .bundle import validate_tables
from .bundle_format import FILES, META_KEYS, column_type, format_cell
from .csvio import CsvTable, header_problems
from .errors import Problem, ValidationFailed

__all__ = [
    "LIMITS",
    "META_SHEET",
    "README_SHEET",
    "SHEET_OF_FILE",
    "SheetProblem",
    "archive_problems",
    "read_workbook",
    "template_bytes",
    "workbook_bytes",
]

README_SHEET = "README"
META_SHEET = "bundle"
#: The sheet of each bundle file (``"actors.csv"`` -> ``"actors"``).
SHEET_OF_FILE: dict[str, str] = {spec.file: spec.file.removesuffix(".csv") for spec in FILES}
_FILE_OF_SHEET = {sheet: file for file, sheet in SHEET_OF_FILE.items()}


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold; beyond, it is refused before or while it is read."""

    #: The workbook file itself (compressed).
    file_bytes: int = 256 * 1024**2
    #: All its parts unpacked (sheets are XML: ten times their zipped size is usual).
    unpacked_bytes: int = 1024**3
    #: One part other than a worksheet: shared strings, styles and the workbook are read
    #: whole into memory.
    part_bytes: int = 128 * 1024**2
    #: Parts in the zip (a workbook of 15 sheets has about 25).
    parts: int = 1000
    sheets: int = 32
    #: Rows of a sheet, header included (Excel's own maximum).
    rows: int = 1_048_576
    #: Columns of a header row (the widest bundle file has 9).
    columns: int = 64


LIMITS = Limits()

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


class SheetProblem(Problem):
    """A problem in a sheet: ``file`` names the workbook and sheet, ``line`` is the row."""

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f", row {self.line}"
        if self.column:
            text += f", column {self.column!r}"
        text += f": {self.reason}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f" (value {shown!r})"
        return text


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def archive_problems(path: Path, display: str, limits: Limits = LIMITS) -> list[Problem]:
    """Why ``path`` is not a workbook Synergraph will open (empty when it may be opened).

    The sizes are the ones the zip declares: Python's :mod:`zipfile` never unpacks more than
    a part declares (and fails on a part that lies), so the declared sizes bound the work.
    """
    size = path.stat().st_size
    if size > limits.file_bytes:
        return [Problem(display, None, None, None,
                        f"the workbook is {size:,} bytes, more than {limits.file_bytes:,} "
                        "allowed")]
    if not zipfile.is_zipfile(path):
        return [Problem(display, None, None, None,
                        "not an Excel workbook (.xlsx is a zip file; save the file as "
                        "'Excel Workbook (.xlsx)')")]
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > limits.parts:
                return [Problem(display, None, None, None,
                                f"{len(infos):,} parts in the workbook, more than "
                                f"{limits.parts:,} allowed")]
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.unpacked_bytes:
                return [Problem(display, None, None, None,
                                f"the workbook unpacks to {unpacked:,} bytes, more than "
                                f"{limits.unpacked_bytes:,} allowed")]
            for info in infos:
                worksheet = info.filename.startswith("xl/worksheets/")
                if not worksheet and info.file_size > limits.part_bytes:
                    problems.append(Problem(display, None, None, info.filename,
                                            f"a part of {info.file_size:,} bytes unpacked, "
                                            f"more than {limits.part_bytes:,} allowed"))
                    continue
                if info.filename.endswith((".xml", ".rels")):
                    # A document type declaration comes before the root element: no part
                    # of a workbook has one, and entities are how XML bombs expand.
                    with archive.open(info) as part:
                        head = part.read(4096)
                    if _DOCTYPE.search(head):
                        problems.append(Problem(display, None, None, info.filename,
                                                "an XML document type declaration: refused "
                                                "(workbooks have none)"))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        problems.append(Problem(display, None, None, None, f"not a readable zip file: {exc}"))
    return problems


def _has_formulas(path: Path) -> bool:
    """Whether a worksheet part of the workbook holds a formula (``<f>``), read as a stream."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            tail = b""
            with archive.open(info) as part:
                while chunk := part.read(1 << 20):
                    if _FORMULA.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _cell_text(value) -> str:
    """A cell's value as the text a CSV file would hold.

    >>> [_cell_text(v) for v in (None, True, 2012, 2012.0, 2.5, "x", dt.date(2012, 3, 1))]
    ['', 'true', '2012', '2012', '2.5', 'x', '2012-03-01']
    >>> _cell_text(dt.datetime(2012, 3, 1)), _cell_text(dt.datetime(2012, 3, 1, 9, 30))
    ('2012-03-01', '2012-03-01 09:30:00')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_cell(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


class _SheetReader:
    """The rows of one sheet, with the problems of its form."""

    def __init__(self, ws, place: str, formulas: set[tuple[int, int]], limits: Limits):
        self.ws = ws
        self.place = place
        self.formulas = formulas
        self.limits = limits
        self.problems: list[Problem] = []
        self.header: list[str] = []
        #: True when the sheet was refused part way (too many rows, too wide).
        self.truncated = False

    def rows(self):
        """``(row number, cells)`` of every row, empty ones included, within the limits."""
        self.ws.reset_dimensions()  # never trust the size a sheet declares
        number = 0
        for cells in self.ws.iter_rows():
            number += 1
            if number > self.limits.rows:
                self.problems.append(Problem(self.place, number, None, None,
                                             f"more than {self.limits.rows:,} rows"))
                self.truncated = True
                return
            if cells and len(cells) > self.limits.columns * 4:
                # far to the right of any bundle column: refuse the sheet here, before
                # wide rows cost time
                self.problems.append(Problem(self.place, number, None,
                                             _column_letter(len(cells)),
                                             f"a cell in column {_column_letter(len(cells))}, "
                                             "far to the right: a sheet of a bundle has at "
                                             f"most {self.limits.columns} columns"))
                self.truncated = True
                return
            yield number, cells

    def text(self, row: int, column: int, cell) -> str | None:
        """The cell's text, or ``None`` (and a problem) when it holds no usable value."""
        value = cell.value
        if getattr(cell, "data_type", None) == "e":
            self.problems.append(Problem(
                self.place, row, self._name(column), str(value),
                f"cell {_column_letter(column)}{row} holds an error value, not data"))
            return None
        if value is None and (row, column) in self.formulas and cell.data_type == "n":
            # (a formula computed to an empty text is saved with t="str" and an empty value;
            # one never computed has no type and no value)
            self.problems.append(Problem(
                self.place, row, self._name(column), None,
                f"cell {_column_letter(column)}{row} holds a formula that was never "
                "computed (the file was not saved by a spreadsheet application): open and "
                "save it in one, or paste the values instead of the formula"))
            return None
        return _cell_text(value)

    def _name(self, column: int) -> str | None:
        return self.header[column - 1] if column <= len(self.header) else None


def _formula_cells(path: Path, limits: Limits) -> dict[str, set[tuple[int, int]]]:
    """``{sheet title: {(row, column)}}`` of every formula cell (none read when no worksheet
    holds a formula: the common case costs one scan of the zip, not a second parse). Rows
    beyond the limits are not looked at (the main pass refuses them)."""
    if not _has_formulas(path):
        return {}
    from openpyxl import load_workbook

    found: dict[str, set[tuple[int, int]]] = {}
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        for ws in book.worksheets:
            ws.reset_dimensions()
            cells = found.setdefault(ws.title, set())
            for number, row in enumerate(ws.iter_rows(), start=1):
                if number > limits.rows or len(row) > limits.columns * 4:
                    break
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        cells.add((cell.row, cell.column))
    finally:
        book.close()
    return found


def read_workbook(
    path: Path | str,
    *,
    known_ids: Callable[[str, set[str]], set[str]] | None = None,
    display: str | None = None,
    limits: Limits = LIMITS,
) -> Dataset:
    """Read and validate a bundle workbook (``.xlsx``); see the module's docstring.

    Parameters
    ----------
    path : path
        The workbook.
    known_ids : callable, optional
        As for :func:`loaders.bundle.read_bundle`.
    display : str, optional
        The workbook's name in problems (default: the file name).

    Raises
    ------
    ValidationFailed
        With every problem found (as :class:`SheetProblem`), when anything is wrong.
    """
    path = Path(path)
    display = display or path.name
    if not path.is_file():
        raise ValidationFailed([Problem(display, None, None, None, "no such file")])
    problems = archive_problems(path, display, limits)
    if problems:
        raise ValidationFailed(problems)
    from openpyxl import load_workbook

    digest = hashlib.sha256()
    tables: dict[str, CsvTable] = {}
    places: dict[str, str] = {spec.file: f"{display}, sheet {sheet}"
                              for spec, sheet in ((s, SHEET_OF_FILE[s.file]) for s in FILES)}
    meta: dict = {}
    meta_place = f"{display}, sheet {META_SHEET}"
    # openpyxl warns about features it does not read (data validation, conditional
    # formats...): they do not matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            formulas = _formula_cells(path, limits)
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a problem
            raise ValidationFailed([Problem(display, None, None, None,
                                            f"not a readable Excel workbook: {exc}")]) from None
        try:
            names = book.sheetnames
            if len(names) > limits.sheets:
                raise ValidationFailed([Problem(display, None, None, None,
                                                f"{len(names)} sheets, more than "
                                                f"{limits.sheets} allowed")])
            for index, name in enumerate(names):
                if index == 0 and name.strip().lower() == README_SHEET.lower():
                    continue
                place = f"{display}, sheet {name}"
                ws = book[name]
                if not hasattr(ws, "iter_rows") or (
                        name != META_SHEET and name not in _FILE_OF_SHEET):
                    problems.append(Problem(
                        place, None, None, None,
                        "unknown sheet (expected: " + ", ".join(SHEET_OF_FILE.values())
                        + f", and {META_SHEET}; a first sheet named {README_SHEET} is "
                        "ignored)"))
                    continue
                reader = _SheetReader(ws, place, formulas.get(name, set()), limits)
                table = _read_sheet(reader, name, digest)
                problems.extend(reader.problems)
                if name == META_SHEET:
                    meta = _read_meta(table, meta_place, problems)
                    continue
                file = _FILE_OF_SHEET[name]
                spec = next(s for s in FILES if s.file == file)
                if table.readable and not table.rows and not table.bad_lines:
                    if not spec.required_file:
                        continue  # an empty optional sheet: as if absent
                    problems.append(Problem(place, None, None, None,
                                            "empty sheet: no rows under the header"))
                    table.readable = False
                if table.readable:
                    form = header_problems(
                        place, table.header,
                        tuple(c.name for c in spec.columns if c.required))
                    if form:
                        problems.extend(form)
                        table.readable = False
                tables[file] = table
        finally:
            book.close()
    try:
        return validate_tables(tables, meta, problems, default_name=path.stem,
                               digest=digest.hexdigest()[:16], known_ids=known_ids,
                               places=places, meta_place=meta_place, noun="sheet")
    except ValidationFailed as exc:
        raise ValidationFailed([SheetProblem(p.file, p.line, p.column, p.value, p.reason)
                                if p.file.startswith(f"{display}, sheet ") else p
                                for p in exc.problems]) from None


def _read_sheet(reader: _SheetReader, name: str, digest) -> CsvTable:
    """The sheet as the CSV reader gives a file: header, ``(row, {column: text})`` rows."""
    table = CsvTable(file=reader.place)
    header_seen = False
    width = 0
    for number, cells in reader.rows():
        if not header_seen:
            header_seen = True
            texts = [_cell_text(c.value).strip() for c in cells] if number == 1 else []
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                reader.problems.append(Problem(reader.place, 1, None, None,
                                               "row 1 must hold the column names"))
                return table
            if len(texts) > reader.limits.columns:
                reader.problems.append(Problem(reader.place, 1, None, None,
                                               f"{len(texts)} columns, more than "
                                               f"{reader.limits.columns} allowed"))
                return table
            for index, text in enumerate(texts, start=1):
                if not text:
                    reader.problems.append(Problem(
                        reader.place, 1, None, None,
                        f"cell {_column_letter(index)}1 is empty: every column needs a name "
                        "in row 1 (or delete the column)"))
            table.header = texts
            reader.header = texts
            width = len(texts)
            digest.update(json.dumps([name, texts]).encode())
            continue
        values: dict[str, str] = {}
        bad = beyond = filled = False
        for position, cell in enumerate(cells, start=1):
            value = cell.value
            if value is None and (number, position) not in reader.formulas:
                continue
            if type(value) is str and cell.data_type == "s":
                text = value  # the common case, first
            else:
                text = reader.text(number, position, cell)
            if text is None:
                bad = True
                continue
            if not text.strip():
                continue
            filled = True
            if position > width:
                if not beyond:  # one problem per row is enough
                    reader.problems.append(Problem(
                        reader.place, number, None, text[:200],
                        f"a value in column {_column_letter(position)}, which has no name "
                        "in row 1"))
                beyond = True
                continue
            values[table.header[position - 1]] = text
        if bad:
            table.bad_lines.append(number)
            continue
        if not filled:
            continue  # an empty row
        digest.update(repr((number, values)).encode())
        table.rows.append((number, values))
    table.readable = not reader.truncated
    return table


_TRUE = {"true", "1", "yes", "oui", "vrai"}
_FALSE = {"false", "0", "no", "non", "faux"}


def _read_meta(table: CsvTable, place: str, problems: list[Problem]) -> dict:
    """``bundle.json``'s keys from the ``bundle`` sheet (columns ``key`` and ``value``)."""
    meta: dict = {}
    if not table.readable or not table.header:
        return meta
    form = header_problems(place, table.header, ("key", "value"))
    for name in table.header:
        if name not in ("key", "value"):
            form.append(Problem(place, 1, name, name, "unknown column (expected: key, value)"))
    if form:
        problems.extend(form)
        return meta
    seen: dict[str, int] = {}
    for line, row in table.rows:
        key = row.get("key", "").strip()
        value = row.get("value", "")
        if key not in META_KEYS:
            problems.append(Problem(place, line, "key", key,
                                    "unknown key (expected: " + ", ".join(META_KEYS) + ")"))
            continue
        if key in seen:
            problems.append(Problem(place, line, "key", key,
                                    f"the same key is on row {seen[key]}"))
            continue
        seen[key] = line
        if not value.strip():
            continue
        if key == "synthetic":
            lowered = value.strip().lower()
            meta[key] = True if lowered in _TRUE else False if lowered in _FALSE else value
        else:
            meta[key] = value
    return meta


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------
_INTRO = (
    "A Synergraph bundle as one workbook: one sheet per file of the canonical bundle, named "
    "like the file without .csv (actors, memberships, ...). Row 1 of a sheet holds its "
    "column names (keep them as they are), each further row one record. Only the actors "
    "sheet is required: leave a sheet empty when you have nothing for it.",
    "The bundle sheet gives the data's name, source, attribution and whether it is "
    "synthetic (the default of every row's synthetic column).",
    "This first sheet (README) is ignored when the workbook is loaded; any other sheet not "
    "listed here is refused, so delete sheets of your own before loading.",
    "Cells: text, numbers (a dot or the spreadsheet's own decimal separator), true/false; "
    "dates are read as YYYY-MM-DD; a formula counts as its last computed value. A text "
    "starting with = + - or @ is stored with a leading ' that the reader removes.",
    "Load it with: synergraph load bundle FILE.xlsx, or upload it on the data page "
    "(administrators). Every problem is listed with its sheet, row, column and value, and "
    "nothing is written until there is none.",
)


def _readme_rows(meta: Mapping) -> list[list]:
    rows: list[list] = [["Synergraph bundle workbook"], []]
    if meta.get("synthetic"):
        rows.append(["SYNTHETIC DATA: rows marked synthetic=true are generated, not "
                     "observed."])
    for key in ("name", "source", "attribution"):
        if meta.get(key):
            rows.append([f"{key}: {meta[key]}"])
    if len(rows) > 2:
        rows.append([])
    rows.extend([text] for text in _INTRO)
    rows.append([])
    for spec in FILES:
        sheet = SHEET_OF_FILE[spec.file]
        notes = [spec.help]
        if spec.key != ("id",):
            notes.append("One row per " + " + ".join(spec.key) + ".")
        notes.extend(f"Exactly one of {a} and {b} per row." for a, b in spec.one_of)
        rows.append([f"Sheet {sheet}", "required" if spec.required_file else "optional",
                     " ".join(notes)])
        rows.append(["column", "type", "required", "meaning", "example"])
        for column in spec.columns:
            rows.append([column.name, column_type(column, markdown=False),
                         "yes" if column.required else "no", column.help, column.example])
        rows.append([])
    rows.append([f"Sheet {META_SHEET}", "optional",
                 "key and value columns: " + ", ".join(META_KEYS) + " (bundle.json)."])
    return rows


def _sorted_lines(spec, rows: Sequence[Mapping]) -> list[list]:
    """The rows' cells as the CSV writer orders them (by key, then by line)."""
    lines = [[row.get(c) for c in spec.column_names] for row in rows]
    key_index = [spec.column_names.index(k) for k in spec.key]

    def order(line):
        text = [format_cell(v) for v in line]
        return ([text[i] for i in key_index], text)

    return sorted(lines, key=order)


def _cell_value(value):
    """A typed value as a cell: numbers and booleans as such, everything else as the CSV
    writer's text (a text a spreadsheet would run as a formula gets its leading quote)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return format_cell(value)


def workbook_bytes(tables: Mapping[str, Sequence[Mapping]], meta: Mapping) -> bytes:
    """An ``.xlsx`` workbook of a bundle: README, ``bundle``, then one sheet per file.

    ``tables`` maps a :class:`~loaders.bundle_format.FileSpec` ``target`` to its rows, as
    :func:`loaders.bundle_format.bundle_files` takes them; every file gets its sheet, with
    its header even when it has no rows (a template). Written in openpyxl's write-only
    mode (rows streamed, not kept).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook(write_only=True)

    def row_of(ws, values: Sequence, *, header: bool = False) -> list:
        row = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if header:
                cell.font = bold
            row.append(cell)
        return row

    readme = book.create_sheet(README_SHEET)
    for letter, width in (("A", 24), ("B", 28), ("D", 48)):
        readme.column_dimensions[letter].width = width
    for values in _readme_rows(meta):
        header = bool(values) and (str(values[0]).startswith(("Sheet ", "Synergraph"))
                                   or values[0] == "column")
        readme.append(row_of(readme, values, header=header))

    info = book.create_sheet(META_SHEET)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80
    info.freeze_panes = "A2"
    info.append(row_of(info, ["key", "value"], header=True))
    for key in META_KEYS:
        info.append(row_of(info, [key, meta.get(key)]))

    for spec in FILES:
        ws = book.create_sheet(SHEET_OF_FILE[spec.file])
        for index, name in enumerate(spec.column_names, start=1):
            ws.column_dimensions[_column_letter(index)].width = max(10, len(name) + 4)
        ws.freeze_panes = "A2"
        ws.append(row_of(ws, spec.column_names, header=True))
        for line in _sorted_lines(spec, tables.get(spec.target) or []):
            ws.append(row_of(ws, [_cell_value(v) for v in line]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes() -> bytes:
    """An empty bundle workbook: README, the ``bundle`` sheet's keys, every sheet's header."""
    return workbook_bytes({}, {})
