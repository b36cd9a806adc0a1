"""Issue 18 on the real farm: evidence per cause, no retry of a confirmed cause, a new cause
retried, and a learned timeout that a slow-but-healthy page does not trip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run


def test_a_broken_deploy_keeps_evidence_of_three_checks_and_retries_only_new_causes(
    farm_state: FarmState, fault: Callable[..., None], tmp_path: Path
) -> None:
    fault("ruwiki", "null-threshold-crash")
    fault("frwiki", "js-error")
    # One worker: no two checks of a cause run at once, so the counts below are exact.
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "ruwiki",
        "--wiki",
        "frwiki",
        "--page",
        "recentchanges",
        "-n",
        "1",
    )
    assert out.code == 1, out.stderr
    checks = [c for c in out.results["checks"] if c["outcome"] == "failed"]
    crashed = [c for c in checks if c["wiki"] == "ruwiki"]
    scripted = [c for c in checks if c["wiki"] == "frwiki"]
    assert len(crashed) > 3 and len(scripted) > 2
    assert len({c["cause"] for c in crashed}) == 1  # one cause, as summary.md groups it
    # Evidence: three checks of the cause keep it, the rest keep their record and cause id.
    with_evidence = [c for c in crashed if c["artifacts"]]
    assert len(with_evidence) == 3
    for c in with_evidence:
        assert (out.run_dir / c["artifacts"]["screenshot"]).exists()
    without = [c for c in crashed if not c["artifacts"]]
    assert all(c["cause"] and c["findings"] for c in without)
    assert all(c["attempts"][-1]["evidence_held_by"] for c in without)
    summary = (out.run_dir / "summary.md").read_text()
    assert f"evidence for 3 of {len(crashed)} checks" in summary
    # Retries: the first two checks of a cause are retried; once two ended with it, no more.
    assert sorted(len(c["attempts"]) for c in crashed) == [1] * (len(crashed) - 2) + [2, 2]
    # A new cause in the same run is still retried (frwiki's JavaScript error), then likewise.
    assert sorted(len(c["attempts"]) for c in scripted) == [1] * (len(scripted) - 2) + [2, 2]
