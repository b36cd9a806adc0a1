"""Run-to-run diff: classification, the baseline exit code, the report and `smoke diff`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from smoke.cli.diff_merge_commands import add_parsers
from smoke.finished.diff import RunDiff, baseline_exit_code, diff_runs, render_diff
from smoke.output.results import CheckResult


def check(check_id: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return {"id": check_id, "outcome": outcome, **extra}


def ids(changes: tuple[Any, ...]) -> list[str]:
    return [c.id for c in changes]


def finding(detector: str, message: str) -> dict[str, str]:
    return {"detector": detector, "message": message, "evidence": ""}


BASE = [
    check("ru/rc/passed-then-failed", "passed"),
    check("ru/rc/skipped-then-broken", "skipped", skip_reason="no login"),
    check("ru/rc/failed-then-passed", "failed"),
    check("ru/rc/broken-then-flaky", "broken"),
    check("ru/rc/failed-then-broken", "failed"),
    check("ru/rc/broken-then-broken", "broken"),
    check("ru/rc/passed-then-retried", "passed"),
    check("ru/rc/passed-then-skipped", "passed"),
    check("ru/rc/passed-gone", "passed"),
    check("ru/rc/failed-gone", "failed"),
    check("ru/rc/unchanged", "passed"),
]
HEAD = [
    check(
        "ru/rc/passed-then-failed",
        "failed",
        url="http://ru/rc",
        request_id="abc123",
        findings=[finding("server-error", "HTTP 500"), finding("javascript", "later")],
    ),
    check("ru/rc/skipped-then-broken", "broken", error={"kind": "timeout", "message": "30 s"}),
    check("ru/rc/failed-then-passed", "passed"),
    check("ru/rc/broken-then-flaky", "flaky", attempts=2),
    check("ru/rc/failed-then-broken", "broken", error={"kind": "refused", "message": "down"}),
    check("ru/rc/broken-then-broken", "broken"),
    check("ru/rc/passed-then-retried", "passed", attempts=3),
    check("ru/rc/passed-then-skipped", "skipped"),
    check("ru/rc/unchanged", "passed"),
    check("ru/rc/new-and-failing", "failed", findings=[finding("ores-present", "missing")]),
    check("ru/rc/new-and-passing", "passed"),
]


def test_classification() -> None:
    diff = diff_runs(BASE, HEAD)
    assert ids(diff.new_failures) == [
        "ru/rc/new-and-failing",
        "ru/rc/passed-then-failed",
        "ru/rc/skipped-then-broken",
    ]
    assert ids(diff.fixed) == ["ru/rc/broken-then-flaky", "ru/rc/failed-then-passed"]
    assert ids(diff.still_failing) == ["ru/rc/broken-then-broken", "ru/rc/failed-then-broken"]
    assert ids(diff.flaky) == ["ru/rc/broken-then-flaky", "ru/rc/passed-then-retried"]
    assert ids(diff.disappeared) == ["ru/rc/failed-gone", "ru/rc/passed-gone"]
    assert ids(diff.appeared) == ["ru/rc/new-and-failing", "ru/rc/new-and-passing"]


def test_change_carries_outcomes_and_first_finding() -> None:
    diff = diff_runs(BASE, HEAD)
    first = {c.id: c for c in diff.new_failures}["ru/rc/passed-then-failed"]
    assert (first.base, first.head) == ("passed", "failed")
    assert first.problem == "[server-error] HTTP 500"
    assert (first.url, first.request_id) == ("http://ru/rc", "abc123")
    new = {c.id: c for c in diff.new_failures}["ru/rc/new-and-failing"]
    assert (new.base, new.head) == (None, "failed")
    broken = {c.id: c for c in diff.new_failures}["ru/rc/skipped-then-broken"]
    assert broken.problem == "[timeout] 30 s"
    gone = diff.disappeared[0]
    assert (gone.base, gone.head) == ("failed", None)
    assert {c.id: c.attempts for c in diff.flaky}["ru/rc/passed-then-retried"] == 3


def test_diff_is_frozen_with_tuples() -> None:
    diff = diff_runs(BASE, HEAD)
    assert all(isinstance(getattr(diff, f.name), tuple) for f in dataclasses.fields(diff))
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.fixed = ()  # type: ignore[misc]


def test_order_of_input_does_not_matter() -> None:
    assert diff_runs(list(reversed(BASE)), list(reversed(HEAD))) == diff_runs(BASE, HEAD)


def test_identical_runs_change_nothing_but_keep_failing() -> None:
    diff = diff_runs(BASE, BASE)
    assert dataclasses.replace(diff, still_failing=(), still_causes=()) == RunDiff()
    assert len(diff.still_failing) == 5
    assert not diff.has_new_failures
    assert diff_runs([], []) == RunDiff()


def test_skipped_and_unknown_outcomes_are_neither_good_nor_bad() -> None:
    diff = diff_runs(
        [check("a", "failed"), check("b", "weird")],
        [check("a", "skipped"), check("b", "failed")],
    )
    assert ids(diff.fixed) == []  # failed → skipped is not a fix
    assert ids(diff.new_failures) == ["b"]


@pytest.mark.parametrize("attempts", [1, True, "3", None])
def test_attempts_that_are_not_a_retry_count(attempts: object) -> None:
    assert diff_runs([], [check("a", "passed", attempts=attempts)]).flaky == ()


def test_attempts_as_stored_by_smoke_run() -> None:
    """results.json keeps every attempt as a record; a retry that passed is flaky."""
    attempts = [
        {"number": 1, "outcome": "failed", "first_problem": "HTTP 500", "request_id": "r1"},
        {"number": 2, "outcome": "passed", "first_problem": "", "request_id": "r2"},
    ]
    diff = diff_runs(
        [check("a", "passed"), check("b", "passed")],
        [check("a", "flaky", attempts=attempts), check("b", "passed", attempts=attempts[1:])],
    )
    (flaky,) = diff.flaky
    assert (flaky.id, flaky.attempts) == ("a", 2)
    assert flaky.problem == "attempt 1 failed: HTTP 500"
    text = render_diff(diff, "x", "y")
    assert "* `a` flaky, 2 attempts\n  attempt 1 failed: HTTP 500" in text


def test_known_issues_are_neither_new_failures_nor_fixes() -> None:
    # "known": failed, but quarantined by a known issue; it does not fail a run.
    diff = diff_runs(
        [check("a", "passed"), check("b", "failed"), check("c", "known")],
        [check("a", "known"), check("b", "known"), check("c", "failed")],
    )
    assert ids(diff.new_failures) == ["c"]  # the quarantine no longer covers it
    assert diff.fixed == () and diff.still_failing == ()
    assert baseline_exit_code([check("a", "passed")], [check("a", "known")]) == 0


def test_accepts_check_results() -> None:
    def result(outcome: str) -> CheckResult:
        return CheckResult(
            id="ru/rc/plain", target="local", wiki="ru", page="rc", variant="plain",
            url="http://ru/rc", outcome=outcome,
        )  # fmt: skip

    diff = diff_runs([result("passed")], [result("failed")])
    assert ids(diff.new_failures) == ["ru/rc/plain"]
    assert diff.new_failures[0].url == "http://ru/rc"


@pytest.mark.parametrize(
    ("base", "head", "code"),
    [
        ([check("a", "passed")], [check("a", "passed")], 0),
        ([check("a", "passed")], [check("a", "failed")], 1),
        ([check("a", "passed")], [check("a", "broken")], 3),
        ([], [check("a", "failed"), check("b", "broken")], 1),  # defects beat "could not check"
        ([check("a", "failed")], [check("a", "failed")], 0),  # known failure: not new
        ([check("a", "broken")], [check("a", "failed")], 0),  # still failing, not new
        (
            [check("a", "failed"), check("b", "passed")],
            [check("a", "failed"), check("b", "broken")],
            3,
        ),
        ([check("a", "failed")], [check("a", "passed")], 0),
        ([check("a", "passed")], [check("a", "flaky")], 0),
    ],
)
def test_baseline_exit_code(
    base: list[dict[str, Any]], head: list[dict[str, Any]], code: int
) -> None:
    assert baseline_exit_code(base, head) == code


def test_report_is_paste_ready() -> None:
    text = render_diff(diff_runs(BASE, HEAD), "r1", "r2", ["HEAD r2 was interrupted."])
    assert text.startswith("== smoke diff r1 → r2 ==\n")
    assert "3 new failures, 2 fixed, 2 still failing, 2 flaky, 2 disappeared, 2 appeared." in text
    assert "=== New failures ===" in text
    assert "* `ru/rc/passed-then-failed` passed → failed http://ru/rc (request id abc123)\n" in text
    assert "  [server-error] HTTP 500\n" in text
    assert "later" not in text  # only the first finding
    assert "* `ru/rc/new-and-failing` absent → failed" in text
    assert "* `ru/rc/failed-then-broken` failed → broken\n  [refused] down" in text
    assert "* `ru/rc/passed-then-retried` passed, 3 attempts" in text
    assert "* `ru/rc/passed-gone` passed → absent" in text
    assert text.endswith("Note: HEAD r2 was interrupted.\n")
    # Sections come in a fixed order.
    order = ["New failures", "Fixed", "Still failing", "Flaky", "Disappeared", "Appeared"]
    positions = [text.index(f"=== {heading}") for heading in order]
    assert positions == sorted(positions)


def test_report_without_changes() -> None:
    text = render_diff(diff_runs(BASE, BASE), "a", "b")
    assert "No check changed outcome." in text
    assert "=== Still failing ===" in text  # still worth pasting
    assert "=== New failures ===" not in text


# --- smoke diff ---------------------------------------------------------------------------------


def write_run(
    reports: Path, run_id: str, checks: list[dict[str, Any]], mtime: float, **meta: Any
) -> None:
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    body = {"run": {"run_id": run_id, "target": "local", **meta}, "counts": {}, "checks": checks}
    (run_dir / "results.json").write_text(json.dumps(body), "utf-8")
    os.utime(run_dir, (mtime, mtime))


def smoke(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="smoke")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    write_run(reports, "r1", BASE, mtime=100)
    write_run(reports, "r2", HEAD, mtime=200)
    write_run(reports, "r3", HEAD, mtime=300)
    return reports


def test_cli_default_is_previous_against_latest(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = smoke(capsys, "diff", "--reports-dir", str(reports))
    assert code == 0  # r2 → r3: nothing new
    assert out.startswith("== smoke diff r2 → r3 ==")


def test_cli_new_failures_exit_1(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = smoke(capsys, "diff", "r1", "r2", "--reports-dir", str(reports))
    assert code == 1
    assert "[server-error] HTTP 500" in out


def test_cli_one_run_is_base_against_latest(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = smoke(capsys, "diff", "r1", "--reports-dir", str(reports))
    assert code == 1
    assert out.startswith("== smoke diff r1 → r3 ==")


def test_cli_fixed_only_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "x", [check("a", "failed"), check("b", "broken")], mtime=100)
    write_run(tmp_path, "y", [check("a", "passed"), check("b", "broken")], mtime=200)
    code, out, _ = smoke(capsys, "diff", "--reports-dir", str(tmp_path))
    assert code == 0  # still failing is not new
    assert "=== Fixed ===\n\n* `a` failed → passed" in out
    assert "=== Still failing ===\n\n* `b` broken → broken" in out


def test_cli_json(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = smoke(capsys, "diff", "r1", "latest", "--json", "--reports-dir", str(reports))
    body = json.loads(out)
    assert code == 1
    assert body["base"]["run_id"] == "r1"
    assert body["head"]["run_id"] == "r3"
    assert body["counts"]["new_failures"] == 3
    assert body["new_failures"][0]["id"] == "ru/rc/new-and-failing"
    assert body["new_failures"][0]["problem"] == "[ores-present] missing"


def test_cli_bad_run_exit_4(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = smoke(capsys, "diff", "nope", "--reports-dir", str(reports))
    assert code == 4
    assert out == ""
    assert err.strip() == f"smoke: no run 'nope' under {reports}/ (runs: r3, r2, r1)"


def test_cli_needs_two_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path, "only", BASE, mtime=100)
    code, _, err = smoke(capsys, "diff", "--reports-dir", str(tmp_path))
    assert code == 4
    assert "no run 'previous'" in err


def test_cli_unreadable_results_exit_4(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (reports / "r3" / "results.json").write_text("{")
    code, _, err = smoke(capsys, "diff", "--reports-dir", str(reports))
    assert code == 4
    assert "cannot read" in err


def test_cli_notes_target_change_and_interruption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "a", BASE, mtime=100)
    write_run(tmp_path, "b", BASE, mtime=200, target="beta", interrupted=True)
    code, out, _ = smoke(capsys, "diff", "--reports-dir", str(tmp_path))
    assert code == 0
    assert "Note: the runs are of different targets: local → beta." in out
    assert "Note: HEAD b was interrupted: its results are partial." in out


def test_causes_are_compared_as_well_as_checks() -> None:
    def crash(wiki: str, page: str) -> dict[str, Any]:
        return {
            "id": f"{wiki}/{page}/plain",
            "wiki": wiki,
            "page": page,
            "outcome": "failed",
            "findings": [
                {
                    "detector": "server-error",
                    "message": f'HTTP 500: Fatal exception of type "RuntimeException" '
                    f"(request id {wiki}{page}0123456789abcdef)",
                }
            ],
        }

    base = [
        {"id": f"{w}/{p}/plain", "wiki": w, "page": p, "outcome": "passed"}
        for w in ("ruwiki", "frwiki")
        for p in ("recentchanges", "watchlist")
    ]
    head = [crash(w, p) for w in ("ruwiki", "frwiki") for p in ("recentchanges", "watchlist")]
    diff = diff_runs(base, head)
    assert len(diff.new_failures) == 4
    assert len(diff.new_causes) == 1 and "4 checks" in diff.new_causes[0]
    assert "=== New causes ===" in render_diff(diff, "before", "after")
    back = diff_runs(head, base)
    assert len(back.gone_causes) == 1 and not back.new_causes
