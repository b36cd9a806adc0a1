"""The main job on a healthy farm, and the 2017 incident replayed on two wikis beside today's
silent degradation on a third."""

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


def test_the_2017_crash_on_two_wikis_and_a_silent_loss_on_a_third_in_one_sweep(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    """The 2017 incident (ruwiki and frwiki throw) and today's degradation (enwiki loses its
    filters silently) at once: each wiki fails through its own detector only, and the wiki
    without ORES passes."""
    fault("ruwiki", "null-threshold-crash")
    fault("frwiki", "null-threshold-crash")
    fault("enwiki", "null-threshold-silent")
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
    ran = {c["id"] for c in out.results["checks"] if c["outcome"] != "skipped"}
    crashed = {c for c in ran if c.split("/")[0] in ("ruwiki", "frwiki")}
    assert {c.split("/")[1] for c in crashed} == {"recentchanges", "watchlist", "contributions"}
    for check_id in crashed:
        check = out.check(check_id)
        first = check["findings"][0]
        assert first["detector"] == "server-error", check_id
        assert "RuntimeException" in first["message"]
        assert check["request_id"] and check["request_id"] in first["message"]
    # Silent: the page loads (HTTP 200) and the ORES filters are gone: not a vacuous pass.
    silent = {f"enwiki/{page}/{v}" for page in ("recentchanges", "watchlist") for v in
              ("plain", "hidenondamaging", "damaging=likelybad")}  # fmt: skip
    for check_id in silent:
        check = out.check(check_id)
        assert check["status"] == 200, check_id
        assert {f["detector"] for f in check["findings"]} == {"ores-present"}, check_id
        messages = [f["message"] for f in check["findings"]]
        assert any("ORES filters missing (silent degradation)" in m for m in messages)
    assert out.by_outcome("failed") == crashed | silent
    # No earlier run in this reports dir: Contributions keeps its checkbox and the page alone
    # cannot tell lost scores from unscored edits (test_contributions_drift has the drift side).
    contributions = out.check("enwiki/contributions/plain")
    assert contributions["outcome"] == "passed", contributions
    assert contributions["ores_scored"] is False
    noores = {c for c in ran if c.startswith("nooreswiki/")}
    assert noores and noores <= out.by_outcome("passed")
    assert out.check("nooreswiki/recentchanges/damaging=likelybad")["outcome"] == "skipped"
    summary = (out.run_dir / "summary.md").read_text()
    assert "**ruwiki**" in summary and "**frwiki**" in summary and "RuntimeException" in summary
    # Root causes, which the summary opens with: the crash of two wikis is one cause; the silent
    # loss is its own (one per page: the groups left differ), never merged with the crash.
    assert summary.splitlines()[4] == "=== 3 causes ===", summary[:2000]
    causes = root_causes(summary)
    [crash] = [c for c in causes if "RuntimeException" in c]
    assert "frwiki, ruwiki · contributions, recentchanges, watchlist" in crash
    assert "enwiki" not in crash
    assert len({out.check(c)["cause"] for c in crashed}) == 1
    lost = [c for c in causes if "silent degradation" in c]
    assert len(lost) == 2 and all("enwiki ·" in c for c in lost), causes


def root_causes(summary: str) -> list[str]:
    """The cause lines of summary.md's "=== N causes ===" section."""
    lines = summary.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("=== ") and "cause" in line)
    causes = []
    for line in lines[start + 1 :]:
        if line.startswith("=== "):
            break
        if line.startswith("* **"):
            causes.append(line)
    return causes
