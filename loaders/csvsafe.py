"""CSV cells a spreadsheet will not run as formulas (CSV injection, OWASP).

A spreadsheet application opening a CSV file runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``+1-1``), and a leading tab
or carriage return can hide such a start. OWASP's recommendation for spreadsheet
applications is to prefix those cells with a single quote, which spreadsheets read as "this
is text", and to quote every field that needs it (the :mod:`csv` module does that part).
The full-width forms ``＝ ＋ － ＠`` are included: some spreadsheet locales accept them too.

:func:`neutralise` is the one rule, applied to every CSV that leaves the service: page table
downloads, the console's CSV, ``synergraph metrics --format csv`` and the canonical bundle.
Plain numbers such as ``-3.5`` or ``+1`` are left alone, so they stay numbers.

The bundle is also read back by the loader, so it must round-trip exactly.
:func:`restore` undoes :func:`neutralise` exactly: the rule also prefixes a value that
already starts with quotes followed by a formula character (``'=x`` is written ``''=x``), so
a cell starting with a quote and then (more quotes and) a formula character always
carries exactly one added quote. Other values that start with a quote
(``'s-Hertogenbosch``) are never touched, on either side.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_STARTS", "neutralise", "restore"]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = "=+-@\t\r＝＋－＠"

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ESCAPED = re.compile("'+[" + re.escape(FORMULA_STARTS) + "]")


def _is_formula_like(text: str) -> bool:
    stripped = text.lstrip("'")
    if not stripped or stripped[0] not in FORMULA_STARTS:
        return False
    return text.startswith("'") or not _NUMBER.fullmatch(text)


def neutralise(value):
    """``value`` made safe to open in a spreadsheet (non-strings are returned as they are).

    >>> [neutralise(v) for v in ("=HYPERLINK(\\"http://x\\")", "@SUM(A1)", "+1-1", "-2+3")]
    ['\\'=HYPERLINK("http://x")', "'@SUM(A1)", "'+1-1", "'-2+3"]
    >>> [neutralise(v) for v in ("\\t=1", "\\r=1", "-3.5", "+1", "1e-5", -3.5, None, "a-b")]
    ["'\\t=1", "'\\r=1", '-3.5', '+1', '1e-5', -3.5, None, 'a-b']
    >>> neutralise("'=x"), neutralise("'s-Hertogenbosch")
    ("''=x", "'s-Hertogenbosch")
    """
    if not isinstance(value, str) or not _is_formula_like(value):
        return value
    return "'" + value


def restore(text: str) -> str:
    """The value :func:`neutralise` turned into ``text`` (the inverse of it on strings).

    >>> restore("'=SUM(A1)"), restore("''=x"), restore("'s-Hertogenbosch"), restore("-3.5")
    ('=SUM(A1)', "'=x", "'s-Hertogenbosch", '-3.5')
    """
    if text.startswith("'") and _ESCAPED.match(text):
        return text[1:]
    return text
