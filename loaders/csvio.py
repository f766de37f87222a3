"""Reading CSV files strictly: encoding, delimiter, header and row shape are checked.

:func:`read_csv` returns the header and the rows with the physical line where each record
starts, plus every problem found in the file's form. Typed checks of values live in
:mod:`loaders.fields`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem

__all__ = ["CsvTable", "header_problems", "read_csv"]

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class CsvTable:
    file: str
    header: list[str] = field(default_factory=list)
    #: ``(line, {column: raw string})`` for each record, header excluded.
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delimiter: str = ","
    #: False when the file could not be read at all (encoding, delimiter, header): ``rows``
    #: is then empty. A file with only some bad rows stays readable: its other rows are in
    #: ``rows`` and can still be checked, so every problem is listed at once.
    readable: bool = False
    #: Lines of records that could not be split into the header's columns.
    bad_lines: list[int] = field(default_factory=list)


def _decode(path: Path, display: str, problems: list[Problem]) -> str | None:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.end].hex(" ")
        problems.append(
            Problem(
                display,
                line,
                None,
                bad,
                f"bad encoding: bytes at character {exc.start - line_start + 1} of the line are "
                "not UTF-8 (save the file as 'CSV UTF-8')",
            )
        )
        return None


def header_problems(display: str, header: list[str],
                    required: tuple[str, ...]) -> list[Problem]:
    """Duplicate and missing columns of a header row (a CSV file's or a sheet's).

    >>> [p.reason for p in header_problems("f.csv", ["id", "id"], ("id", "name"))]
    ['duplicate column in the header', "missing column 'name' in the header"]
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(display, 1, name, name, "duplicate column in the header"))
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.append(
                Problem(display, 1, name, None, f"missing column {name!r} in the header")
            )
    return problems


def read_csv(
    path: Path,
    *,
    required: tuple[str, ...] = (),
    delimiters: tuple[str, ...] = (",",),
    display: str | None = None,
) -> tuple[CsvTable, list[Problem]]:
    """Read ``path`` and check its form.

    Parameters
    ----------
    path : Path
        The CSV file.
    required : tuple of str
        Columns the header must contain.
    delimiters : tuple of str
        Accepted delimiters; the first one found in the header line is used. A header that
        holds none of them but holds another usual delimiter is reported as a wrong delimiter.
    display : str, optional
        Name of the file in problems (default: the file name).
    """
    display = display or path.name
    problems: list[Problem] = []
    table = CsvTable(file=display)
    text = _decode(path, display, problems)
    if text is None:
        return table, problems
    if not text.strip():
        problems.append(Problem(display, None, None, None, "empty file: no header and no rows"))
        return table, problems

    first_line = text.split("\n", 1)[0]
    candidates = [d for d in delimiters if d in first_line]
    if candidates:
        delimiter = max(candidates, key=first_line.count)
    else:
        delimiter = delimiters[0]
        others = [d for d in (",", ";", "\t", "|") if d not in delimiters and d in first_line]
        if others and len(required) > 1:
            expected = " or ".join(repr(d) for d in delimiters)
            problems.append(
                Problem(
                    display,
                    1,
                    None,
                    first_line[:80],
                    f"wrong delimiter: the header is separated by {others[0]!r}, expected "
                    f"{expected}",
                )
            )
            return table, problems
    table.delimiter = delimiter

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.append(Problem(display, 1, None, None, f"unreadable header: {exc}"))
        return table, problems
    header = [h.strip() for h in header]
    table.header = header

    problems.extend(header_problems(display, header, required))
    if problems:
        return table, problems

    table.readable = True
    width = len(header)
    next_line = 2
    while True:
        start = next_line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader resumes on the next physical line: keep listing later problems.
            problems.append(Problem(display, start, None, None, f"malformed CSV: {exc}"))
            table.bad_lines.append(start)
            if reader.line_num + 1 <= next_line:
                break  # no progress (never seen; a guard against looping)
            next_line = reader.line_num + 1
            continue
        next_line = reader.line_num + 1
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        if len(record) != width:
            problems.append(
                Problem(
                    display,
                    start,
                    None,
                    None,
                    f"wrong number of fields: {len(record)} instead of {width} "
                    f"(check the delimiter {delimiter!r} and quoting)",
                )
            )
            table.bad_lines.append(start)
            continue
        table.rows.append((start, dict(zip(header, record, strict=True))))
    if not table.rows and not problems:
        problems.append(Problem(display, None, None, None, "empty file: a header but no rows"))
    return table, problems
