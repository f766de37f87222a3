"""Validation problems and the error that carries them.

Every loader validates its whole input before anything is written. Each problem names the
file, line, column and value at fault and why, so a user can fix a spreadsheet without
guessing. The loader raises :class:`ValidationFailed` with all problems found, never just
the first one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Problem", "ValidationFailed", "LoaderError"]


class LoaderError(Exception):
    """Base class of the errors a loader raises."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``line`` is the 1-based physical line where the record starts (the header is line 1);
    ``column`` is the CSV column name, or ``None`` when the problem is the whole file or row.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" column {self.column!r}"
        text = f"{where}: {self.reason}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f" (value {shown!r})"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


class ValidationFailed(LoaderError):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {count - 50} more" if count > 50 else ""
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was written:\n{head}{more}"
        )
