"""static/jobs.js, run by Node against a stub page: the polled job's message is shown in
the page's language through the block's data-phases (the server's JOB_PHASES)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent / "js" / "jobs_harness.js"
FRENCH = {"null model": "modèle nul", "paths": "chemins", "queued": "en attente de son tour"}

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")


def _shown(phases, message, progress=0.5):
    answer = {"job": {"state": "running", "message": message, "progress": progress}}
    out = subprocess.run(["node", str(HARNESS), str(ROOT / "web/static/jobs.js"),
                          json.dumps(phases, ensure_ascii=False), json.dumps(answer)],
                         capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


@pytest.mark.parametrize(("message", "shown"), [
    ("null model (20 runs)", "modèle nul"),   # details after the phase
    ("paths", "chemins"),                      # the phase itself
    ("pathsfinder", "pathsfinder"),            # not a phase: a word must end
    ("something else", "something else"),      # unknown: as it is
])
def test_the_polled_message_is_shown_in_the_pages_language(message, shown):
    got = _shown(FRENCH, message, 0.8)
    assert got == {"message": shown, "percent": "80 %"}


def test_the_longest_phase_wins():
    assert _shown({"null": "nul", "null model": "modèle nul"}, "null model (3 runs)") == \
        {"message": "modèle nul", "percent": "50 %"}
