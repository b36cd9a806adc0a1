"""Issue 18 on the real farm: evidence per cause, no retry of a confirmed cause, a new cause
retried, and a learned timeout that a slow-but-healthy page does not trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from smoke.output.evidence import SERVER_ARTIFACT, has_page_evidence
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
        "--variant",
        "plain",
        "--variant",
        "hidenondamaging",
        "--variant",
        "damaging=*",  # six checks of ruwiki's cause, five of frwiki's
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
    with_evidence = [c for c in crashed if has_page_evidence(c)]
    assert len(with_evidence) == 3
    for c in with_evidence:
        assert (out.run_dir / c["artifacts"]["screenshot"]).exists()
    without = [c for c in crashed if not has_page_evidence(c)]
    # What the server logged is kept for every check (a few lines, not page evidence).
    assert all(set(c["artifacts"]) <= {SERVER_ARTIFACT} for c in without)
    assert all(c["cause"] and c["findings"] for c in without)
    assert all(c["attempts"][-1]["evidence_held_by"] for c in without)
    summary = (out.run_dir / "summary.md").read_text()
    assert f"evidence for 3 of {len(crashed)} checks" in summary
    # Retries: the first two checks of a cause are retried; once two ended with it, no more.
    assert sorted(len(c["attempts"]) for c in crashed) == [1] * (len(crashed) - 2) + [2, 2]
    # A new cause in the same run is still retried (frwiki's JavaScript error), then likewise.
    assert sorted(len(c["attempts"]) for c in scripted) == [1] * (len(scripted) - 2) + [2, 2]


def _history(reports: Path, wiki: str, page: str, load_ms: float, samples: int = 6) -> None:
    """An earlier run of the target in which the page always loaded in ``load_ms``."""
    run_dir = reports / "20261201-000000"
    run_dir.mkdir(parents=True)
    checks = [
        {
            "id": f"{wiki}/{page}/earlier{i}",
            "target": "local",
            "wiki": wiki,
            "page": page,
            "variant": f"earlier{i}",
            "url": "http://127.0.0.1/",
            "outcome": "passed",
            "timings": {"load_ms": load_ms},
        }
        for i in range(samples)
    ]
    body = {"run": {"run_id": run_dir.name, "target": "local", "started_at": "2026-12-01"}}
    (run_dir / "results.json").write_text(json.dumps({**body, "checks": checks}), "utf-8")


def test_a_learned_timeout_does_not_make_a_slow_but_healthy_page_could_not_check(
    farm_state: FarmState, fault: Callable[..., None], tmp_path: Path
) -> None:
    _history(tmp_path, "frwiki", "contributions", 1000.0)  # learned limit: 10 s (the floor)
    fault("frwiki", "slow", delay=12)  # slower than ever before, well within the 30 s timeout
    # One check: each one of the page waits out the whole delay, and one shows the rule.
    out = smoke_run(
        farm_state, tmp_path, "--wiki", "frwiki", "--page", "contributions", "--variant", "plain"
    )
    assert out.code == 0, out.stdout + out.stderr
    checks = [c for c in out.results["checks"] if c["outcome"] != "skipped"]
    assert len(checks) == 1 and checks[0]["outcome"] == "passed"  # not broken, not flaky
    assert all(len(c["attempts"]) == 1 for c in checks)
    summary = (out.run_dir / "summary.md").read_text()
    assert "slower than usual: frwiki/contributions" in summary
