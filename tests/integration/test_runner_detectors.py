"""Each client-side fault of the farm is caught by its own detector, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run

# One client-side fault per wiki, all in one run (one browser start, not three): each wiki's
# checks fail with its own fault's detector, and the wiki without a fault passes.
CLIENT_SIDE_FAULTS = {
    "enwiki": ("js-error", "javascript", "SmokeFarm fault js-error"),
    "ruwiki": ("module-error", "resourceloader", "ext.smokefarm.moduleerror"),
    "frwiki": ("refetch-500", "subrequests", "action=render"),
}


def test_each_client_side_fault_is_caught_by_its_own_detector(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    for wiki, (fault_name, _, _) in CLIENT_SIDE_FAULTS.items():
        fault(wiki, fault_name)
    out = smoke_run(
        farm_state,
        tmp_path,
        "--page",
        "recentchanges",
        "--variant",
        "plain",
        "--variant",
        "damaging=likelybad",
    )
    assert out.code == 1, out.stderr[-2000:]
    assert out.by_outcome("failed") == {
        f"{wiki}/recentchanges/{variant}"
        for wiki in CLIENT_SIDE_FAULTS
        for variant in ("plain", "damaging=likelybad")
    }
    assert out.by_outcome("passed") == {"nooreswiki/recentchanges/plain"}
    for wiki, (fault_name, detector, text) in CLIENT_SIDE_FAULTS.items():
        findings = out.check(f"{wiki}/recentchanges/plain")["findings"]
        mine = [f for f in findings if f["detector"] == detector]
        assert mine, (fault_name, findings)
        assert any(text in f["message"] or text in str(f["evidence"]) for f in mine), mine
        # The other wikis' faults are not this wiki's: their detectors do not speak here.
        others = {d for w, (_, d, _) in CLIENT_SIDE_FAULTS.items() if w != wiki} - {detector}
        assert not [f for f in findings if f["detector"] in others], (fault_name, findings)
    # Evidence for a failed check: screenshot, HTML and console log on disk.
    artifacts = out.check("enwiki/recentchanges/plain")["artifacts"]
    assert {"screenshot", "html", "console"} <= set(artifacts)
    assert (out.run_dir / artifacts["screenshot"]).stat().st_size > 1000


def test_unreachable_and_slow_wikis_are_broken_not_failed(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault("frwiki", "down")
    fault("ruwiki", "slow", delay=6)
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "frwiki",
        "--wiki",
        "ruwiki",
        "--wiki",
        "enwiki",
        "--page",
        "recentchanges",
        "--page",
        "contributions",
        "--variant",
        "plain",
        "--navigation-timeout",
        "3",
    )
    assert out.code == 3, out.stdout[-3000:]
    broken = out.by_outcome("broken")
    assert broken == {
        "frwiki/recentchanges/plain",
        "frwiki/contributions/plain",
        "ruwiki/recentchanges/plain",
        "ruwiki/contributions/plain",
    }
    assert out.by_outcome("passed") == {"enwiki/recentchanges/plain", "enwiki/contributions/plain"}
    down = out.check("frwiki/recentchanges/plain")["error"]
    assert down["kind"] == "TargetUnreachable" and "ERR_CONNECTION_REFUSED" in down["message"]
    slow = out.check("ruwiki/recentchanges/plain")["error"]
    assert slow["kind"] == "NavigationTimeout" and "3 s" in slow["message"]
    junit = out.junit()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert suite is not None and int(suite.get("errors", 0)) == 4
    assert int(suite.get("failures", 0)) == 0
    summary = (out.run_dir / "summary.md").read_text()
    assert "Could not check" in summary and "Failed (product defects)" not in summary
