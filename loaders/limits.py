"""Sizes Neo4j cannot index, checked before anything is written.

Every property that ``synergraph db migrate`` puts in an index or a uniqueness constraint
(:data:`graph_schema.queries.CONSTRAINTS` and :data:`~graph_schema.queries.INDEXES`) is
stored as a key of a RANGE index. Neo4j 5 refuses a key longer than
:data:`MAX_INDEXED_BYTES` bytes of UTF-8 ("Property value is too large to index") in the
middle of the write transaction. The loaders check those properties up front, so a load
with such a value stops with exit 2 and a problem naming the file, line and column instead.

The limit was measured on the provisioned Neo4j 5.26 (``tests/integration/
test_load_safety.py`` keeps it honest): a string of 8,164 bytes is indexed, 8,165 is refused,
whatever the mix of one- to four-byte characters.
"""

from __future__ import annotations

import re

from graph_schema.queries import CONSTRAINTS, INDEXES

__all__ = ["MAX_INDEXED_BYTES", "ALWAYS_INDEXABLE_CHARS", "INDEXED_PROPERTIES",
           "indexed_properties", "too_long", "shorten"]

#: The longest string (in UTF-8 bytes) a RANGE index of Neo4j 5 accepts as a key.
MAX_INDEXED_BYTES = 8164
#: A string of at most this many characters fits whatever they are (a character is at most
#: 4 bytes in UTF-8): only longer ones need measuring.
ALWAYS_INDEXABLE_CHARS = MAX_INDEXED_BYTES // 4

_SCHEMA = re.compile(r"FOR \(n:(\w+)\) (?:REQUIRE|ON) \(?n\.(\w+)\)?")


def indexed_properties(statements=(*CONSTRAINTS, *INDEXES)) -> dict[str, frozenset[str]]:
    """``{label: properties}`` that the schema statements index.

    >>> found = indexed_properties([
    ...     "CREATE INDEX a IF NOT EXISTS FOR (n:Actor) ON (n.name)",
    ...     "CREATE CONSTRAINT b IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE"])
    >>> {label: sorted(props) for label, props in found.items()}
    {'Actor': ['id', 'name']}
    """
    found: dict[str, set[str]] = {}
    for statement in statements:
        match = _SCHEMA.search(statement)
        if match:
            found.setdefault(match.group(1), set()).add(match.group(2))
    return {label: frozenset(props) for label, props in found.items()}


#: Indexed properties per label, from the schema that ``db migrate`` creates.
INDEXED_PROPERTIES: dict[str, frozenset[str]] = indexed_properties()


def too_long(value: object) -> str | None:
    """The reason a value cannot be an index key, or ``None`` when it fits.

    >>> too_long("a" * 8164) is None
    True
    >>> too_long("é" * 4083)
    'too long for the database index: 8,166 bytes in UTF-8 (4,083 characters), at most 8,164'
    """
    if not isinstance(value, str) or len(value) <= ALWAYS_INDEXABLE_CHARS:
        return None  # the common case, cheaply
    size = len(value.encode("utf-8"))
    if size <= MAX_INDEXED_BYTES:
        return None
    return (f"too long for the database index: {size:,} bytes in UTF-8 ({len(value):,} "
            f"characters), at most {MAX_INDEXED_BYTES:,}")


def shorten(value: str, keep: int = 40) -> str:
    """A long value cut for a report (the reason says its full size).

    >>> shorten("x" * 100, keep=5)
    'xxxxx…'
    """
    return value if len(value) <= keep else value[:keep] + "…"
