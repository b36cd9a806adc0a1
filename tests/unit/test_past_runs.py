"""Finding past runs: what counts as a run, their order, RUN arguments, loading results."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from smoke.output.past_runs import (
    BadRun,
    RunNotFound,
    list_runs,
    load_results,
    load_run,
    resolve_run,
    run_time,
    to_check_result,
    top_level_runs,
)


def write_run(
    reports: Path,
    run_id: str,
    checks: list[dict[str, Any]] | None = None,
    mtime: float | None = None,
    **meta: Any,
) -> Path:
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    body = {
        "run": {"run_id": run_id, "target": "local", **meta},
        "counts": {},
        "checks": checks if checks is not None else [{"id": "a/rc/plain", "outcome": "passed"}],
    }
    (run_dir / "results.json").write_text(json.dumps(body), "utf-8")
    if mtime is not None:
        os.utime(run_dir, (mtime, mtime))
    return run_dir


def names(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_runs_are_directories_with_results_json(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_run(reports, "r1", mtime=1000)
    (reports / "running").mkdir()  # no results.json yet: not a run
    (reports / ".latest.123").mkdir()  # a temporary entry
    (reports / "notes.txt").write_text("x")
    (reports / "latest").symlink_to("r1")  # the same run again
    assert names(list_runs(reports)) == ["r1"]


def test_missing_reports_dir_has_no_runs(tmp_path: Path) -> None:
    assert list_runs(tmp_path / "nowhere") == []


def test_order_is_started_at_then_mtime_then_name(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    # started_at wins over mtime: "zzz" ran first although its directory was touched last.
    write_run(reports, "zzz", mtime=2_000_000_000, started_at="2020-01-01T00:00:00+00:00")
    write_run(reports, "old-no-start", mtime=1_600_000_000)  # 2020-09-13
    write_run(reports, "b", mtime=1_700_000_000)
    write_run(reports, "a", mtime=1_700_000_000)  # same mtime: by name
    write_run(reports, "naive", mtime=1, started_at="2021-01-01T00:00:00")  # naive = UTC
    assert names(list_runs(reports)) == ["zzz", "old-no-start", "naive", "a", "b"]


def test_bad_started_at_falls_back_to_mtime(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path, "r", mtime=1_700_000_000, started_at="yesterday")
    assert run_time(run_dir).timestamp() == 1_700_000_000


def test_unreadable_results_do_not_break_listing(tmp_path: Path) -> None:
    write_run(tmp_path, "good", mtime=100)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "results.json").write_text("{not json")
    os.utime(bad, (200, 200))
    assert names(list_runs(tmp_path)) == ["good", "bad"]


def test_resolve_by_id_path_latest_previous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    r1 = write_run(reports, "r1", mtime=100)
    r2 = write_run(reports, "r2", mtime=200)
    assert resolve_run("r1", reports) == r1
    assert resolve_run(str(r2), reports) == r2  # absolute path
    monkeypatch.chdir(tmp_path)
    assert resolve_run("reports/r1", reports) == Path("reports/r1")  # relative path
    assert resolve_run("latest", reports) == r2
    assert resolve_run("previous", reports) == r1


def test_run_outside_reports_dir_by_path(tmp_path: Path) -> None:
    elsewhere = write_run(tmp_path / "ci-artifacts", "shard-2")
    assert resolve_run(str(elsewhere), tmp_path / "reports") == elsewhere


def test_latest_and_previous_skip_runs_merged_into_another(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_run(reports, "full-1", mtime=100)
    write_run(reports, "shard-1", mtime=200)
    write_run(reports, "shard-2", mtime=300)
    write_run(reports, "merged", mtime=400, merged_from=["shard-1", "shard-2"])
    assert names(top_level_runs(reports)) == ["full-1", "merged"]
    assert resolve_run("latest", reports).name == "merged"
    assert resolve_run("previous", reports).name == "full-1"
    # Named explicitly, a shard is still a run.
    assert resolve_run("shard-1", reports).name == "shard-1"


def test_unknown_run_names_the_choices(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_run(reports, "r1", mtime=100)
    write_run(reports, "r2", mtime=200)
    with pytest.raises(RunNotFound) as err:
        resolve_run("r3", reports)
    assert str(err.value) == f"no run 'r3' under {reports}/ (runs: r2, r1)"


def test_previous_needs_two_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "only")
    with pytest.raises(RunNotFound, match=r"no run 'previous' under .* \(runs: only\)"):
        resolve_run("previous", tmp_path)


def test_no_runs_at_all(tmp_path: Path) -> None:
    with pytest.raises(RunNotFound, match=r"no run 'latest' under .*reports/ \(runs: none\)"):
        resolve_run("latest", tmp_path / "reports")


def test_directory_without_results_says_why(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    with pytest.raises(RunNotFound, match=r"has no results\.json: still running"):
        resolve_run("half", tmp_path)


def test_long_run_lists_are_cut(tmp_path: Path) -> None:
    for i in range(12):
        write_run(tmp_path, f"r{i:02}", mtime=100 + i)
    with pytest.raises(RunNotFound) as err:
        resolve_run("nope", tmp_path)
    assert "r11, r10" in str(err.value)
    assert "(4 older)" in str(err.value)
    assert "r00" not in str(err.value)


def test_load_keeps_fields_it_does_not_know(tmp_path: Path) -> None:
    checks = [{"id": "a/rc/plain", "outcome": "flaky", "attempts": 2, "future": {"x": 1}}]
    run = load_run(write_run(tmp_path, "r", checks, interrupted=True))
    assert run.checks == checks
    assert run.run_id == "r"
    assert run.target == "local"
    assert run.meta["interrupted"] is True
    assert load_results(run.path) == checks


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops", "cannot read"),
        ("[]", "not a smoke results file"),
        ('{"checks": {}}', "not a smoke results file"),
        ('{"checks": [{"outcome": "passed"}]}', "check #0 has no 'id'"),
        ('{"checks": [{"id": "x"}]}', "check 'x' has no 'outcome'"),
    ],
)
def test_bad_results_files(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "results.json").write_text(text)
    with pytest.raises(BadRun, match=message):
        load_run(tmp_path)


def test_run_id_is_the_directory_name(tmp_path: Path) -> None:
    # A run directory copied under another name is named by what a RUN argument would say.
    run_dir = write_run(tmp_path / "ci", "20261128-080921").rename(tmp_path / "renamed")
    run = load_run(run_dir)
    assert run.run_id == "renamed"
    assert run.meta["run_id"] == "20261128-080921"
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "results.json").write_text('{"checks": []}')
    assert load_run(tmp_path / "bare").target is None


def test_to_check_result_tolerates_new_and_missing_fields() -> None:
    result = to_check_result(
        {
            "id": "a/rc/plain",
            "outcome": "failed",
            "attempts": 3,
            "findings": [{"detector": "javascript", "message": "boom"}],
        }
    )
    assert result.id == "a/rc/plain"
    assert result.wiki == ""
    assert result.first_problem == "[javascript] boom"


def test_to_check_result_keeps_attempt_records() -> None:
    attempts = [{"number": 1, "outcome": "broken", "first_problem": "timeout"}]
    assert to_check_result({"id": "x", "outcome": "flaky", "attempts": attempts}).attempts == (
        attempts
    )
    # A bare count (hand-made records) is dropped: render_summary reads the records.
    assert to_check_result({"id": "x", "outcome": "passed", "attempts": 3}).attempts == []
