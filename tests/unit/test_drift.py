"""Drift: the last earlier run's ORES levels reach this run's checks, one reporter per page."""

from __future__ import annotations

import json
from pathlib import Path

from smoke.model.checks import Check, Expectation, Page
from smoke.plan.drift import last_seen, with_drift


def write_run(
    reports: Path, run_id: str, target: str, started: str, offered: dict[str, list[str]]
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
            "outcome": "passed",
            "ores_offered": None,
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
    assert seen == {
        ("enwiki", "recentchanges"): {
            "damaging": frozenset({"likelygood", "maybebad"}),
            "goodfaith": frozenset({"likelygood"}),
        }
    }
    assert last_seen(tmp_path, "staging") == ("", {})
    assert last_seen(tmp_path / "missing", "local") == ("", {})


def test_one_drift_reporter_per_page_and_none_on_contributions() -> None:
    seen = {
        ("enwiki", "recentchanges"): {"damaging": frozenset({"maybebad"})},
        ("enwiki", "contributions"): {"damaging": frozenset({"maybebad"})},
    }
    checks = [
        check(Page.RECENTCHANGES, "damaging=maybebad", {"damaging": ("maybebad",)}),
        check(Page.RECENTCHANGES, "plain", {}),
        check(Page.RECENTCHANGES, "enhanced", {}),
        check(Page.CONTRIBUTIONS, "plain", {}),
    ]
    out = with_drift(checks, "run-1", seen)
    assert [c.expectation.reports_drift for c in out] == [False, True, False, False]
    assert [c.expectation.last_seen_run for c in out] == ["run-1", "run-1", "run-1", ""]
    assert with_drift(checks, "", {}) == checks
