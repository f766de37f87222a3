"""Typed columns: each parses a raw CSV string or says why it cannot.

A parser returns the typed value (``None`` for an empty optional cell) or raises
:class:`ValueError` whose message becomes the problem's reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Column",
    "parse_text",
    "parse_int",
    "parse_year",
    "parse_number",
    "parse_bool",
    "parse_enum",
    "parse_country",
]

Parser = Callable[[str], object]


@dataclass(frozen=True)
class Column:
    """A column of a canonical CSV file.

    ``ref`` names the entity list an id must exist in (``"actors"``, ``"clusters"``, ...).
    """

    name: str
    parse: Parser
    required: bool = False
    ref: str | None = None
    help: str = ""
    example: str = ""
    type_name: str = "text"


def parse_text(raw: str) -> str:
    return raw.strip()


def parse_int(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError("not a whole number")
    return int(text)


def parse_year(raw: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError("not a year (four digits, e.g. 2012)")
    year = int(text)
    if not 1800 <= year <= 2100:
        raise ValueError("year out of range 1800-2100")
    return year


def parse_number(raw: str) -> float:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError("not a number (use a dot as decimal separator, no thousands separator)")
    return float(text)


_TRUE = {"true", "1", "yes", "y", "oui", "vrai"}
_FALSE = {"false", "0", "no", "n", "non", "faux"}


def parse_bool(raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a boolean (true or false)")


def parse_enum(choices: tuple[str, ...]) -> Parser:
    def parse(raw: str) -> str:
        text = raw.strip()
        if text not in choices:
            raise ValueError("not one of: " + ", ".join(choices))
        return text

    parse.choices = choices  # type: ignore[attr-defined]
    return parse


def parse_country(raw: str) -> str:
    text = raw.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise ValueError("not a two-letter country code (ISO 3166-1 alpha-2, e.g. MA)")
    return text
