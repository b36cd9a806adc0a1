"""Run history on the real farm: diff between runs, --baseline exit codes, shards and merge."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT, smoke_run

SELECTION = (
    "--wiki",
    "enwiki",
    "--wiki",
    "ruwiki",
    "--page",
    "recentchanges",
    "--page",
    "contributions",
    "--variant",
    "plain",
    "--variant",
    "hidenondamaging",
    "--variant",
    "damaging=likelybad",
)


def smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smoke.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# Six checks, one browser: enwiki stays healthy while ruwiki breaks.
DIFF_SELECTION = (*SELECTION[:8], "--variant", "plain", "--variant", "damaging=likelybad")


def test_diff_and_baseline_see_exactly_the_new_fault(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    before = smoke_run(farm_state, tmp_path, *DIFF_SELECTION, run_id="before")
    assert before.code == 0

    fault("ruwiki", "null-threshold-silent")
    after = smoke_run(farm_state, tmp_path, *DIFF_SELECTION, "--baseline", "before", run_id="after")
    assert after.code == 1  # new product defects against the baseline
    expected = {
        "ruwiki/recentchanges/plain",
        "ruwiki/recentchanges/damaging=likelybad",
        "ruwiki/contributions/plain",
    }
    assert after.by_outcome("failed") == expected
    assert after.by_outcome("passed") == {c.replace("ruwiki", "enwiki") for c in expected}
    # Contributions keep their checkbox; the scores "before" saw are what is missing (drift).
    [finding] = after.check("ruwiki/contributions/plain")["findings"]
    assert finding["message"].startswith("ORES scores gone since run before: "), finding

    diff = smoke("diff", "before", "after", "--reports-dir", str(tmp_path), "--json")
    assert diff.returncode == 1, diff.stderr
    body = json.loads(diff.stdout)
    assert {c["id"] for c in body["new_failures"]} == expected
    assert body["fixed"] == [] and body["still_failing"] == []
    text = smoke("diff", "--reports-dir", str(tmp_path))  # default: previous vs latest
    assert "3 new failures" in text.stdout

    # The deploy is rolled back: against the faulty run nothing is new (only fixes): exit 0.
    fault_off = smoke(
        "testbed",
        "--state-dir",
        farm_state.state_dir,
        "fault",
        "ruwiki",
        "null-threshold-silent",
        "off",
    )
    assert fault_off.returncode == 0
    fixed = smoke_run(farm_state, tmp_path, *DIFF_SELECTION, "--baseline", "after", run_id="fixed")
    assert fixed.code == 0
    assert "3 fixed" in fixed.stderr


def test_shards_cover_every_check_once_and_merge_equals_unsharded(
    farm_state: FarmState, tmp_path: Path
) -> None:
    selection = ("--wiki", "enwiki", *SELECTION[4:])  # five checks make three shards
    whole = smoke_run(farm_state, tmp_path, *selection, run_id="whole")
    assert whole.code == 0
    expected = {c["id"]: c["outcome"] for c in whole.results["checks"]}
    shards = []
    for k in (1, 2, 3):
        out = smoke_run(farm_state, tmp_path, *selection, "--shard", f"{k}/3", run_id=f"s{k}")
        assert out.code == 0, out.stderr[-2000:]
        shards.append({c["id"] for c in out.results["checks"]})
        assert out.results["run"]["shard"]["k"] == k
    assert all(shards)  # durations from `whole` balance the shards: none is empty
    assert sum(len(s) for s in shards) == len(expected)
    assert set().union(*shards) == set(expected)

    merged = smoke("merge", "s1", "s2", "s3", "--reports-dir", str(tmp_path), "--out", "merged")
    assert merged.returncode == 0, merged.stderr
    body = json.loads((tmp_path / "merged" / "results.json").read_text())
    assert {c["id"]: c["outcome"] for c in body["checks"]} == expected
    assert (tmp_path / "merged" / "junit.xml").exists()
    assert (tmp_path / "latest").resolve() == (tmp_path / "merged").resolve()
