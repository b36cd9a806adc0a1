"""Contributions losing ORES scores (service down): caught by comparison with an earlier run.

With the scoring service answering HTTP 500, Special:Contributions stays HTTP 200 and keeps
``#ores-hide-nondamaging`` (which then filters nothing); only the scores are gone. The page alone
cannot tell that from a user whose edits were never scored, so the first run's evidence decides.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run

SELECTION = ("--wiki", "ruwiki", "--page", "contributions")


def test_service_500_fails_contributions_naming_the_healthy_run(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    healthy = smoke_run(farm_state, tmp_path, *SELECTION, run_id="healthy")
    assert healthy.code == 0, healthy.stderr[-2000:]
    checks = healthy.results["checks"]
    assert checks and all(c["outcome"] == "passed" for c in checks)
    assert any(c["ores_scored"] is True for c in checks), checks  # the evidence drift needs

    fault("ruwiki", "service-500")
    broken = smoke_run(farm_state, tmp_path, *SELECTION, run_id="broken")
    assert broken.code == 1, broken.stderr[-2000:]
    listing = [c for c in broken.results["checks"] if c["outcome"] != "skipped"]
    assert listing
    for check in listing:
        assert check["outcome"] == "failed", check
        assert check["ores_scored"] is False
        [finding] = check["findings"]
        assert finding["detector"] == "ores-present"
        assert finding["message"].startswith("ORES scores gone since run healthy: "), finding

    # The outage goes on: the next run still fails, still naming the last run that saw scores.
    again = smoke_run(farm_state, tmp_path, *SELECTION, run_id="again")
    assert again.code == 1
    assert all(
        c["findings"][0]["message"].startswith("ORES scores gone since run healthy")
        for c in again.results["checks"]
        if c["outcome"] != "skipped"
    )


def test_without_an_earlier_run_contributions_without_scores_pass(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    # The page alone cannot tell lost scores from edits that were never scored: no false alarm.
    fault("ruwiki", "service-500")
    out = smoke_run(farm_state, tmp_path, *SELECTION, run_id="alone")
    assert out.code == 0, out.stderr[-2000:]
    checks = [c for c in out.results["checks"] if c["outcome"] != "skipped"]
    assert checks and all(c["outcome"] == "passed" and c["ores_scored"] is False for c in checks)
