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


def _store(settings: dict):
    from ..db import ensure_local_server, make_store

    ensure_local_server(settings, echo=_echo)
    store = make_store(settings)
    store.migrate()
    return store


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, set | tuple):
        return sorted(value)
    return str(value)


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
