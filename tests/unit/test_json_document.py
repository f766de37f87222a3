"""The CLI's JSON documents: one table row per line, the same value as json.dumps."""

from __future__ import annotations

import json

import numpy as np

from service.cli._common import _json_default, json_document


def test_the_document_parses_to_what_json_dumps_writes():
    value = {
        "meta": {"group": None, "methods": {"degree": {"exact": True, "sample": None}},
                 "approximate": [], 3: "int key", None: "none key", True: "bool key",
                 1.5: "float key"},
        "actors": [{"id": f"a{i}", "name": "Ünïcode \"quoted\"\n", "clusters": ["c1", "c2"],
                    "degree": i, "pagerank": 1 / (i + 3), "constraint": None,
                    "synthetic": bool(i % 2)} for i in range(50)],
        "cohesion": {"nodes": 50, "null_model": {"density": {"observed": 0.1,
                                                              "null": [0.2, 0.3]}}},
        "empty_rows": [], "empty_object": {},
        "odd": {"numpy": np.float64(0.25), "tags": {"b", "a"}, "pair": (1, 2)},
        "mixed": [{"nested": {"x": 1}}, 4, "s"],
    }
    text = json_document(value)
    assert json.loads(text) == json.loads(json.dumps(value, indent=2, default=_json_default))
    lines = text.splitlines()
    rows = [line for line in lines if line.lstrip().startswith('{"id": "a')]
    assert len(rows) == 50  # one actor per line
    assert json.loads(rows[7].strip().rstrip(","))["degree"] == 7
