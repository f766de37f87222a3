"""Helpers shared by the command modules: output, progress, the store, JSON and CSV."""

from __future__ import annotations

import json  # noqa: F401  (re-exported for the command modules)
import sys
import time
from pathlib import Path


def _echo(*args) -> None:
    print(*args, flush=True)


def _err(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


class Progress:
    """One status line on a terminal, updated at most a few times per second."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.last = 0.0
        self.tty = stream.isatty()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        pct = 100.0 * done / total if total else 100.0
        text = f"  writing {step:<16} {done:>9,}/{total:,} rows ({pct:5.1f}%)"
        if self.tty:
            self.stream.write("\r" + text)
            if done >= total:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _store(settings: dict, store=None):
    """A store for ``settings`` (or ``store``, made earlier by ``make_store``), once the
    local server runs (started when configured so) and the schema is in place."""
    from ..db import ensure_local_server, make_store

    ensure_local_server(settings, echo=_echo)
    store = store or make_store(settings)
    store.migrate()
    return store


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, set | tuple):
        return sorted(value)
    return str(value)


_FLAT = (str, int, float, bool, type(None))


def _is_record(value) -> bool:
    """An object of scalars and lists of scalars: a row of a table."""
    return isinstance(value, dict) and all(
        isinstance(x, _FLAT) or (isinstance(x, list | tuple) and all(isinstance(y, _FLAT)
                                                                       for y in x))
        for x in value.values())


def _json_key(key) -> str:
    """A key as :func:`json.dumps` writes it (``None`` -> ``"null"``, ``1`` -> ``"1"``)."""
    if isinstance(key, str):
        return json.dumps(key)
    return json.dumps(json.dumps(key) if isinstance(key, bool | type(None) | float)
                      else str(key))


def json_document(value, *, default=_json_default) -> str:
    """JSON text laid out like ``json.dumps(value, indent=2)``, except that the rows of a
    table (a list of objects of scalars: the actors of ``metrics``) are one per line.

    The rows are written by :mod:`json`'s C encoder, which ``indent`` turns off: 36,000
    actors take 0.2 s instead of 3 s. The document parses to the same value.

    >>> print(json_document({"n": 2, "rows": [{"id": "a", "x": [1, 2]}, {"id": "b"}],
    ...                      "meta": {None: 1.5, "empty": []}}))
    {
      "n": 2,
      "rows": [
        {"id": "a", "x": [1, 2]},
        {"id": "b"}
      ],
      "meta": {
        "null": 1.5,
        "empty": []
      }
    }
    """
    encode = json.JSONEncoder(default=default).encode

    def render(item, level: int) -> str:
        inner, outer = "  " * (level + 1), "  " * level
        if isinstance(item, dict) and item:
            body = ",\n".join(f"{inner}{_json_key(k)}: {render(v, level + 1)}"
                              for k, v in item.items())
            return "{\n" + body + "\n" + outer + "}"
        if isinstance(item, list | tuple) and item:
            if all(_is_record(x) for x in item):
                body = ",\n".join(inner + encode(x) for x in item)
            else:
                body = ",\n".join(inner + render(x, level + 1) for x in item)
            return "[\n" + body + "\n" + outer + "]"
        return encode(item)

    return render(value, 0)


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        _err(f"written to {out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    import csv
    import io

    from loaders.csvsafe import neutralise  # no formula cells (CSV injection)

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writerow({c: neutralise(c) for c in columns})
    for row in rows:
        writer.writerow({k: neutralise(";".join(v) if isinstance(v, list) else v)
                         for k, v in row.items()})
    return buffer.getvalue()
