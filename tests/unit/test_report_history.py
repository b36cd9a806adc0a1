"""The history file's rules (smoke.finished.report.history): cut at a run, filed in by time;
reporting runs out of order through builds with the fake Allure (tests/unit/report_fakes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smoke.finished.report.history import RUN_KEY, merge_history, split_history
from tests.unit.report_fakes import build, history_runs, make_run, report_data, write_fake_allure


@pytest.fixture
def fake_allure(tmp_path: Path) -> Path:
    return write_fake_allure(tmp_path)


def entry(run: str | None, timestamp: int) -> dict[str, Any]:
    point: dict[str, Any] = {"uuid": f"u-{run}-{timestamp}", "timestamp": timestamp}
    if run is not None:
        point[RUN_KEY] = run
    return point


def test_split_history_keeps_later_runs_out_and_drops_the_runs_old_entry() -> None:
    entries = [entry("c", 3000), entry("a", 1000), entry("b", 2000), entry(None, 1500)]
    before, after = split_history(entries, "b", 2000)
    assert [e["uuid"] for e in before] == ["u-a-1000", "u-None-1500"]
    assert [e.get(RUN_KEY) for e in after] == ["c"]


def test_merge_history_orders_by_time_and_keeps_the_newest() -> None:
    merged = merge_history([entry("a", 1000)], entry("b", 2000), [entry("c", 3000)], limit=2)
    assert [e[RUN_KEY] for e in merged] == ["b", "c"]


def test_reporting_runs_out_of_order_keeps_history_in_run_order(
    tmp_path: Path, fake_allure: Path
) -> None:
    reports = tmp_path / "reports"
    for n, run in enumerate(("a", "b", "c"), 1):
        make_run(reports, run, n * 1_000_000)

    build(reports, "a", fake_allure)
    built_c = build(reports, "c", fake_allure)
    assert report_data(built_c.index)["history"] == ["a"]
    built_b = build(reports, "b", fake_allure)  # an old run, reported late

    assert report_data(built_b.index)["history"] == ["a"]  # never the later run c
    assert built_b.history_runs == 2
    assert history_runs(reports) == ["a", "b", "c"]

    rebuilt = build(reports, "c", fake_allure)  # same run again: replaced, not duplicated
    assert report_data(rebuilt.index)["history"] == ["a", "b"]
    assert history_runs(reports) == ["a", "b", "c"]
