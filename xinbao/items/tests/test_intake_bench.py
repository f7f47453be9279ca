"""A small run of bench/intake.py, so that the benchmark cannot rot (the big runs stay out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_it_runs_the_intake_bench_small(tmp_path: Path) -> None:
    out = tmp_path / "intake.json"
    # Its own SQLite database in a temporary folder, whatever database the tests run on.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "intake.py"),
            *("--singles", "8", "--clients", "2", "--workers", "2"),
            *("--batches", "2", "--batch-size", "10", "--out", str(out)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(done.stdout[-2000:] + done.stderr[-2000:])
    result = json.loads(out.read_text())
    assert result["single"]["items"] == 8
    assert result["single"]["failures"] == 0
    assert result["batch"]["items"] == 20
    assert result["segmenter"]["items"] == 20
    assert result["batch_vs_segmenter"] > 0
    assert set(result["met"]) == {"batch_items_per_s", "batch_vs_segmenter", "single_p95_ms"}
