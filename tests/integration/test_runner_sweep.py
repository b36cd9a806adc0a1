"""The main job on a healthy farm, and the 2017 incident replayed on two wikis."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run

ORES_WIKIS = ("enwiki", "ruwiki", "frwiki")


def test_healthy_farm_full_sweep_passes(farm_state: FarmState, tmp_path: Path) -> None:
    out = smoke_run(farm_state, tmp_path)
    assert out.code == 0, out.stdout[-3000:] + out.stderr[-2000:]
    results = out.results
    checks = results["checks"]
    ran = [c for c in checks if c["outcome"] != "skipped"]
    assert len(ran) >= 40
    assert {c["wiki"] for c in ran} >= set(ORES_WIKIS)
    assert {c["page"] for c in ran} == {"recentchanges", "watchlist", "contributions"}
    assert all(c["outcome"] == "passed" for c in ran)
    # The wiki without ORES: plain checks ran and passed; ORES variants are skipped, not passed.
    noores = {c["id"]: c for c in checks if c["wiki"] == "nooreswiki"}
    assert noores["nooreswiki/recentchanges/plain"]["outcome"] == "passed"
    assert noores["nooreswiki/recentchanges/damaging=likelybad"]["outcome"] == "skipped"
    assert "ORES" in noores["nooreswiki/recentchanges/damaging=likelybad"]["skip_reason"]
    # One record per check, with the fields a release engineer needs.
    assert len({c["id"] for c in checks}) == len(checks)
    sample = out.check("ruwiki/watchlist/damaging=likelybad")
    assert sample["request_id"] and sample["timings"]["ready_ms"] is not None
    assert sample["final_url"].startswith("http://127.0.0.1:")
    # JUnit parses and agrees; summary exists; `latest` points at this run.
    junit = out.junit()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert suite is not None
    assert int(suite.get("tests", 0)) == len(checks)
    assert int(suite.get("failures", 0)) == 0 and int(suite.get("errors", 0)) == 0
    assert (out.run_dir / "summary.md").read_text().startswith("== smoke run")
    assert (tmp_path / "latest").resolve() == out.run_dir.resolve()
    assert any((out.run_dir / "allure-results").glob("*-result.json"))
    assert not (out.run_dir / ".auth").exists()  # login sessions are deleted at the end


def test_null_threshold_crash_on_two_wikis(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault("ruwiki", "null-threshold-crash")
    fault("frwiki", "null-threshold-crash")
    out = smoke_run(
        farm_state,
        tmp_path,
        "--variant",
        "plain",
        "--variant",
        "hidenondamaging",
        "--variant",
        "damaging=likelybad",
    )
    assert out.code == 1, out.stderr[-2000:]
    failed = out.by_outcome("failed")
    expected = {
        c["id"]
        for c in out.results["checks"]
        if c["wiki"] in ("ruwiki", "frwiki") and c["outcome"] != "skipped"
    }
    assert failed == expected
    assert {c.split("/")[1] for c in failed} == {"recentchanges", "watchlist", "contributions"}
    for check_id in failed:
        check = out.check(check_id)
        first = check["findings"][0]
        assert first["detector"] == "server-error"
        assert "RuntimeException" in first["message"]
        assert check["request_id"] and check["request_id"] in first["message"]
    others = {
        c["id"]
        for c in out.results["checks"]
        if c["wiki"] in ("enwiki", "nooreswiki") and c["outcome"] != "skipped"
    }
    assert others and others <= out.by_outcome("passed")
    summary = (out.run_dir / "summary.md").read_text()
    assert "**ruwiki**" in summary and "**frwiki**" in summary and "RuntimeException" in summary


def test_null_threshold_silent_is_not_a_vacuous_pass(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault("ruwiki", "null-threshold-silent")
    out = smoke_run(
        farm_state,
        tmp_path,
        "--wiki",
        "ruwiki",
        "--wiki",
        "nooreswiki",
        "--variant",
        "plain",
        "--variant",
        "damaging=likelybad",
    )
    assert out.code == 1
    for page in ("recentchanges", "watchlist"):
        for variant in ("plain", "damaging=likelybad"):
            check = out.check(f"ruwiki/{page}/{variant}")
            assert check["outcome"] == "failed", check
            messages = [f["message"] for f in check["findings"]]
            assert any("ORES filters missing (silent degradation)" in m for m in messages)
    # No earlier run in this reports dir: Contributions keeps its checkbox and the page alone
    # cannot tell lost scores from unscored edits (test_contributions_drift has the drift side).
    contributions = out.check("ruwiki/contributions/plain")
    assert contributions["outcome"] == "passed", contributions
    assert contributions["ores_scored"] is False
    assert out.check("nooreswiki/recentchanges/plain")["outcome"] == "passed"
    assert out.check("nooreswiki/recentchanges/damaging=likelybad")["outcome"] == "skipped"
