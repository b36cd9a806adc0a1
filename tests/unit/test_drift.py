"""Drift: earlier runs' ORES levels and scores reach this run's checks, one reporter per page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smoke.model.checks import Check, Expectation, Page
from smoke.plan.drift import Seen, last_seen, with_drift


def write_run(
    reports: Path,
    run_id: str,
    target: str,
    started: str,
    offered: dict[str, list[str]],
    scored: bool | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> None:
    run = reports / run_id
    run.mkdir(parents=True)
    checks = [
        {
            "id": "enwiki/recentchanges/plain",
            "wiki": "enwiki",
            "page": "recentchanges",
            "outcome": "passed",
            "ores_offered": offered,
        },
        {
            "id": "enwiki/contributions/plain",
            "wiki": "enwiki",
            "page": "contributions",
            "outcome": "failed" if findings else "passed",
            "ores_offered": None,
            "ores_scored": scored,
            "findings": findings or [],
        },
    ]
    body = {"run": {"run_id": run_id, "target": target, "started_at": started}, "checks": checks}
    (run / "results.json").write_text(json.dumps(body))


def check(page: Page, variant: str, requested: dict[str, tuple[str, ...]]) -> Check:
    return Check(
        id=f"enwiki/{page.value}/{variant}",
        target="local",
        wiki="enwiki",
        page=page,
        variant=variant,
        url="http://x/",
        expectation=Expectation(page=page, requested_filters=requested),
    )


def test_the_newest_earlier_run_of_the_same_target_is_used(tmp_path: Path) -> None:
    write_run(tmp_path, "old", "local", "2026-11-27T00:00:00+00:00", {"damaging": ["likelybad"]})
    write_run(
        tmp_path,
        "new",
        "local",
        "2026-11-28T00:00:00+00:00",
        {"damaging": ["likelygood", "maybebad"], "goodfaith": ["likelygood"]},
    )
    write_run(tmp_path, "other", "beta", "2026-11-29T00:00:00+00:00", {"damaging": []})
    run_id, seen = last_seen(tmp_path, "local")
    assert run_id == "new"
    assert seen.levels == {
        ("enwiki", "recentchanges"): {
            "damaging": frozenset({"likelygood", "maybebad"}),
            "goodfaith": frozenset({"likelygood"}),
        }
    }
    assert seen.scored == {}  # runs from before smoke recorded scores: no evidence
    assert last_seen(tmp_path, "staging") == ("", Seen())
    assert last_seen(tmp_path / "missing", "local") == ("", Seen())


def test_one_drift_reporter_per_page_and_none_on_contributions() -> None:
    seen = Seen(
        levels={
            ("enwiki", "recentchanges"): {"damaging": frozenset({"maybebad"})},
            ("enwiki", "contributions"): {"damaging": frozenset({"maybebad"})},
        }
    )
    checks = [
        check(Page.RECENTCHANGES, "damaging=maybebad", {"damaging": ("maybebad",)}),
        check(Page.RECENTCHANGES, "plain", {}),
        check(Page.RECENTCHANGES, "enhanced", {}),
        check(Page.CONTRIBUTIONS, "plain", {}),
    ]
    out = with_drift(checks, "run-1", seen)
    assert [c.expectation.reports_drift for c in out] == [False, True, False, False]
    assert [c.expectation.last_seen_run for c in out] == ["run-1", "run-1", "run-1", ""]
    assert not any(c.expectation.last_seen_scored for c in out)
    assert with_drift(checks, "", Seen()) == checks


GONE = [{"detector": "ores-present", "message": "ORES scores gone since run a: the page ..."}]


def scored_seen(tmp_path: Path, *runs: tuple[str, bool | None, bool]) -> dict[Any, str]:
    """Runs (id, contributions scored, flagged as scores gone), oldest first; → Seen.scored."""
    for day, (run_id, scored, flagged) in enumerate(runs, start=1):
        started = f"2026-11-{day:02d}T00:00:00+00:00"
        write_run(tmp_path, run_id, "local", started, {}, scored, GONE if flagged else None)
    return dict(last_seen(tmp_path, "local")[1].scored)


CONTRIB = ("enwiki", "contributions")


def test_scores_seen_by_the_newest_run_that_loaded_the_page(tmp_path: Path) -> None:
    assert scored_seen(tmp_path, ("a", True, False), ("b", None, False)) == {CONTRIB: "a"}


def test_unscored_without_a_finding_is_the_page_s_normal_state(tmp_path: Path) -> None:
    # The user's edits aged out of scoring and that run accepted it: no evidence any more.
    assert scored_seen(tmp_path, ("a", True, False), ("b", False, False)) == {}


def test_an_outage_over_several_runs_keeps_naming_the_last_run_with_scores(
    tmp_path: Path,
) -> None:
    runs = (("a", True, False), ("b", False, True), ("c", False, True))
    assert scored_seen(tmp_path, *runs) == {CONTRIB: "a"}


def test_scores_reach_contributions_checks_only_with_evidence() -> None:
    checks = [check(Page.CONTRIBUTIONS, "plain", {}), check(Page.CONTRIBUTIONS, "hide", {})]
    out = with_drift(checks, "", Seen(scored={CONTRIB: "run-1"}))
    assert [c.expectation.last_seen_scored for c in out] == [True, True]
    assert [c.expectation.last_seen_run for c in out] == ["run-1", "run-1"]
    rc = [check(Page.RECENTCHANGES, "plain", {})]
    other = Seen(scored={("frwiki", "contributions"): "run-1"})
    assert with_drift(checks + rc, "", other) == checks + rc
