"""Merging shard runs: one run directory as if one run had made it, nothing lost, refusals early."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from smoke.cli.diff_merge_commands import add_parsers
from smoke.finished.merge import MergeError, merge_junit, merge_runs
from smoke.output.past_runs import load_run, resolve_run, to_check_result
from smoke.output.results import write_check_result
from smoke.output.summary import render_summary


def record(check_id: str, outcome: str, **extra: Any) -> dict[str, Any]:
    wiki, page, variant = check_id.split("/")
    base = {
        "id": check_id,
        "target": "local",
        "wiki": wiki,
        "page": page,
        "variant": variant,
        "url": f"http://{wiki}/{page}?{variant}",
        "outcome": outcome,
        "duration_s": 1.5,
    }
    if outcome == "failed":
        base["findings"] = [{"detector": "server-error", "message": "HTTP 500", "evidence": ""}]
        base["artifacts"] = {"html": f"artifacts/{wiki}__{page}__{variant}/page.html"}
    if outcome == "broken":
        base["error"] = {"kind": "timeout", "message": "no answer in 30 s", "hint": ""}
    if outcome == "skipped":
        base["skip_reason"] = "no login configured"
    return {**base, **extra}


def junit_case(check: dict[str, Any]) -> str:
    child = {
        "failed": '<failure message="HTTP 500">HTTP 500</failure>',
        "broken": '<error message="timeout">timeout</error>',
        "skipped": '<skipped type="pytest.skip" message="no login">no login</skipped>',
    }.get(check["outcome"], "")
    attrs = f'classname="wikis.yaml" name="{check["id"]}" time="{check["duration_s"]}"'
    return f"<testcase {attrs}>{child}</testcase>"


def write_shard(
    reports: Path,
    run_id: str,
    checks: list[dict[str, Any]],
    mtime: float = 100,
    junit: str | None = "pytest",
    **meta: Any,
) -> Path:
    """A run directory as smoke + pytest + allure-pytest write it, built by hand."""
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    body = {
        "run": {"run_id": run_id, "target": "local", "smoke_version": "0.1.0", "interrupted": False,
                "notes": ["ruwiki: watchlist skipped (no login)"], **meta},
        "counts": {"bogus": 99},  # must be recomputed, never copied
        "checks": checks,
    }  # fmt: skip
    (run_dir / "results.json").write_text(json.dumps(body), "utf-8")
    (run_dir / "summary.md").write_text("shard summary\n")
    cases = "".join(junit_case(c) for c in checks)
    if junit == "pytest":
        (run_dir / "junit.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
            f'<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="{len(checks)}" '
            f'time="86.2" timestamp="2026-11-28T08:09:{len(run_id):02}+00:00" hostname="vm">'
            f"{cases}</testsuite></testsuites>"
        )
    elif junit == "bare":  # a lone <testsuite> root, as other tools write
        (run_dir / "junit.xml").write_text(f'<testsuite name="x" tests="9">{cases}</testsuite>')
    allure = run_dir / "allure-results"
    allure.mkdir()
    for check in checks:
        uuid = hashlib.md5(f"{run_id}{check['id']}".encode()).hexdigest()
        result = {"name": check["id"], "status": check["outcome"], "uuid": uuid}
        (allure / f"{uuid}-result.json").write_text(json.dumps(result))
        if check["outcome"] == "failed":
            (allure / f"{uuid}-attachment.html").write_text("<html>500</html>")
            evidence = run_dir / check["artifacts"]["html"]
            evidence.parent.mkdir(parents=True, exist_ok=True)
            evidence.write_text(f"page of {check['id']} in {run_id}")
    (allure / "environment.properties").write_text("target=local\n")
    for check in checks:
        write_check_result(run_dir, to_check_result(check))
    os.utime(run_dir, (mtime, mtime))
    return run_dir


SHARD1 = [record("enwiki/rc/plain", "passed"), record("ruwiki/rc/plain", "failed")]
SHARD2 = [
    record("frwiki/rc/plain", "broken"),
    record("ruwiki/wl/plain", "skipped"),
    record(
        "enwiki/wl/plain",
        "flaky",
        attempts=[
            {"number": 1, "outcome": "broken", "first_problem": "timeout", "artifacts": {}},
            {"number": 2, "outcome": "passed", "first_problem": "", "artifacts": {}},
        ],
    ),
]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    write_shard(reports, "shard-1", SHARD1, mtime=100)
    write_shard(reports, "shard-2", SHARD2, mtime=200)
    return reports


def runs(reports: Path, *names: str) -> list[Any]:
    return [load_run(reports / name) for name in names]


def test_merged_run_is_the_union(reports: Path) -> None:
    run_dir, plan = merge_runs(runs(reports, "shard-1", "shard-2"), reports)
    assert run_dir.parent == reports
    assert (reports / "latest").resolve() == run_dir.resolve()
    body = json.loads((run_dir / "results.json").read_text())
    union = {(c["id"], c["outcome"]) for c in SHARD1 + SHARD2}
    assert {(c["id"], c["outcome"]) for c in body["checks"]} == union
    assert [c["id"] for c in body["checks"]] == sorted(c["id"] for c in SHARD1 + SHARD2)
    by_id = {c["id"]: c for c in body["checks"]}
    copied = dict(by_id["enwiki/wl/plain"])
    copied.pop("cause", None)  # derived by write_results_json (smoke.output.causes), not copied
    assert copied == SHARD2[2]  # records are copied whole (attempts kept)
    assert body["counts"] == {
        "passed": 1, "failed": 1, "broken": 1, "skipped": 1, "flaky": 1, "known": 0,
    }  # fmt: skip
    meta = body["run"]
    assert meta["run_id"] == run_dir.name
    assert meta["target"] == "local"
    assert meta["merged_from"] == ["shard-1", "shard-2"]
    assert meta["interrupted"] is False
    assert meta["notes"] == [
        "ruwiki: watchlist skipped (no login)",  # once, although both shards said it
        "merged from 2 runs: shard-1, shard-2",
    ]
    assert plan.warnings == []


def test_summary_is_rendered_from_the_merged_checks(reports: Path) -> None:
    run_dir, _ = merge_runs(runs(reports, "shard-1", "shard-2"), reports, "merged")
    body = json.loads((run_dir / "results.json").read_text())
    summary = (run_dir / "summary.md").read_text()
    assert summary == render_summary([to_check_result(c) for c in body["checks"]], body["run"])
    assert "== smoke run merged — target `local` ==" in summary
    assert "`ruwiki/rc/plain`" in summary and "`frwiki/rc/plain`" in summary
    assert "Note: merged from 2 runs: shard-1, shard-2" in summary


def test_junit_holds_every_case_with_recomputed_counts(reports: Path) -> None:
    run_dir, _ = merge_runs(runs(reports, "shard-1", "shard-2"), reports)
    root = ET.parse(run_dir / "junit.xml").getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    names = sorted(case.get("name", "") for case in suite.iter("testcase"))
    assert names == sorted(c["id"] for c in SHARD1 + SHARD2)
    expected = {"tests": "5", "failures": "1", "errors": "1", "skipped": "1", "time": "7.500"}
    for element in (root, suite):
        assert {key: element.get(key) for key in expected} == expected
    assert suite.get("timestamp") == "2026-11-28T08:09:07+00:00"  # the earlier shard's
    assert suite.get("hostname") == "vm"
    assert (run_dir / "junit.xml").read_text().startswith("<?xml version='1.0' encoding='utf-8'?>")


def test_every_file_is_copied(reports: Path) -> None:
    run_dir, _ = merge_runs(runs(reports, "shard-1", "shard-2"), reports)
    for sub in ("allure-results", "checks", "artifacts"):
        expected = {
            p.relative_to(reports / shard / sub)
            for shard in ("shard-1", "shard-2")
            for p in (reports / shard / sub).rglob("*")
        }
        assert {p.relative_to(run_dir / sub) for p in (run_dir / sub).rglob("*")} == expected
    evidence = run_dir / "artifacts/ruwiki__rc__plain/page.html"
    assert evidence.read_text() == "page of ruwiki/rc/plain in shard-1"
    # checks/ is what `smoke run` reads back: it must describe the same checks.
    assert len(list((run_dir / "checks").glob("*.json"))) == 5


def test_merged_run_is_what_latest_means_and_shards_step_aside(reports: Path) -> None:
    write_shard(reports, "yesterday", SHARD1 + SHARD2, mtime=50)
    run_dir, _ = merge_runs(runs(reports, "shard-1", "shard-2"), reports)
    assert resolve_run("latest", reports) == reports / run_dir.name
    assert resolve_run("previous", reports) == reports / "yesterday"


def test_duplicate_check_is_refused_and_nothing_written(reports: Path) -> None:
    write_shard(reports, "shard-2-again", [record("ruwiki/rc/plain", "passed")], mtime=300)
    before = sorted(p.name for p in reports.iterdir())
    latest = os.readlink(reports / "latest") if (reports / "latest").exists() else None
    with pytest.raises(MergeError, match="'ruwiki/rc/plain' is in both shard-1 and shard-2-again"):
        merge_runs(runs(reports, "shard-1", "shard-2-again"), reports, "m")
    assert sorted(p.name for p in reports.iterdir()) == before
    assert (os.readlink(reports / "latest") if (reports / "latest").exists() else None) == latest


def test_allow_duplicates_later_run_wins_everywhere(reports: Path) -> None:
    rerun = [record("ruwiki/rc/plain", "passed", duration_s=2.0)]
    write_shard(reports, "rerun", rerun, mtime=300)
    run_dir, _ = merge_runs(
        runs(reports, "shard-1", "shard-2", "rerun"), reports, allow_duplicates=True
    )
    body = json.loads((run_dir / "results.json").read_text())
    outcomes = {c["id"]: c["outcome"] for c in body["checks"]}
    assert outcomes["ruwiki/rc/plain"] == "passed"
    assert len(outcomes) == 5
    assert body["counts"]["failed"] == 0
    suite = ET.parse(run_dir / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = [c for c in suite.iter("testcase") if c.get("name") == "ruwiki/rc/plain"]
    assert len(cases) == 1 and cases[0].find("failure") is None
    assert suite.get("failures") == "0" and suite.get("tests") == "5"
    digest = hashlib.sha1(b"ruwiki/rc/plain").hexdigest()[:16]
    assert json.loads((run_dir / "checks" / f"{digest}.json").read_text())["outcome"] == "passed"


def test_different_targets_are_refused(reports: Path) -> None:
    write_shard(reports, "beta", [record("x/rc/plain", "passed")], target="beta")
    with pytest.raises(MergeError, match=r"different targets .*shard-1: local, beta: beta"):
        merge_runs(runs(reports, "shard-1", "beta"), reports)


def test_same_run_twice_is_refused(reports: Path) -> None:
    with pytest.raises(MergeError, match="shard-1 is given twice"):
        merge_runs(runs(reports, "shard-1", "shard-1"), reports)


def test_nothing_to_merge(reports: Path) -> None:
    with pytest.raises(MergeError, match="at least one run"):
        merge_runs([], reports)


def test_existing_out_is_refused(reports: Path) -> None:
    with pytest.raises(MergeError, match="exists; runs are never overwritten"):
        merge_runs(runs(reports, "shard-1", "shard-2"), reports, "shard-1")


def test_other_run_fields_are_kept_where_all_runs_agree(tmp_path: Path) -> None:
    write_shard(tmp_path, "a", [record("x/rc/a", "passed")], retries=1, screenshots="always")
    write_shard(tmp_path, "b", [record("x/rc/b", "passed")], retries=1, screenshots="never")
    run_dir, _ = merge_runs(runs(tmp_path, "a", "b"), tmp_path)
    meta = json.loads((run_dir / "results.json").read_text())["run"]
    assert meta["retries"] == 1
    assert "screenshots" not in meta


def test_interrupted_if_any_shard_was(reports: Path) -> None:
    write_shard(reports, "cut", [record("x/rc/plain", "passed")], interrupted=True)
    run_dir, _ = merge_runs(runs(reports, "shard-1", "cut"), reports)
    body = json.loads((run_dir / "results.json").read_text())
    assert body["run"]["interrupted"] is True
    assert "Run interrupted" in (run_dir / "summary.md").read_text()


def test_started_at_is_the_earliest(reports: Path) -> None:
    write_shard(reports, "a", [record("x/rc/a", "passed")], started_at="2026-11-28T10:00:00+02:00")
    write_shard(reports, "b", [record("x/rc/b", "passed")], started_at="2026-11-28T09:00:00+00:00")
    run_dir, _ = merge_runs(runs(reports, "b", "a"), reports)
    assert json.loads((run_dir / "results.json").read_text())["run"]["started_at"] == (
        "2026-11-28T10:00:00+02:00"  # 08:00 UTC: earlier, although it sorts later as text
    )


def test_missing_junit_is_a_warning(reports: Path) -> None:
    write_shard(reports, "nojunit", [record("x/rc/plain", "passed")], junit=None)
    run_dir, plan = merge_runs(runs(reports, "shard-1", "nojunit"), reports)
    assert any("nojunit/junit.xml is missing" in w for w in plan.warnings)
    suite = ET.parse(run_dir / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2"


def test_no_junit_anywhere_writes_none(tmp_path: Path) -> None:
    write_shard(tmp_path, "a", [record("x/rc/a", "passed")], junit=None)
    run_dir, _ = merge_runs(runs(tmp_path, "a"), tmp_path)
    assert not (run_dir / "junit.xml").exists()
    assert (run_dir / "results.json").exists()


def test_garbled_junit_is_refused(reports: Path) -> None:
    (reports / "shard-2" / "junit.xml").write_text("<testsuites><testsuite>")
    with pytest.raises(MergeError, match=r"cannot read .*shard-2/junit\.xml"):
        merge_runs(runs(reports, "shard-1", "shard-2"), reports)


def test_clashing_allure_files_are_refused(reports: Path) -> None:
    clash = reports / "shard-2" / "allure-results" / "environment.properties"
    clash.write_text("target=beta\n")
    with pytest.raises(MergeError, match="same name but different content"):
        merge_runs(runs(reports, "shard-1", "shard-2"), reports)


def test_merge_junit_accepts_a_bare_testsuite_root(tmp_path: Path) -> None:
    write_shard(tmp_path, "bare", [record("x/rc/a", "failed")], junit="bare")
    write_shard(tmp_path, "full", [record("x/rc/b", "skipped")])
    roots = [ET.parse(tmp_path / name / "junit.xml").getroot() for name in ("bare", "full")]
    merged = merge_junit(roots)
    assert merged.get("tests") == "2"
    assert merged.get("failures") == "1" and merged.get("skipped") == "1"


def test_merge_junit_keeps_properties_and_case_details() -> None:
    root = ET.fromstring(
        '<testsuite><properties><property name="target" value="local"/></properties>'
        '<testcase name="a" time="x"><system-out>hello</system-out></testcase></testsuite>'
    )
    merged = merge_junit([root, ET.fromstring('<testsuite><testcase name="b"/></testsuite>')])
    suite = merged.find("testsuite")
    assert suite is not None
    assert [p.get("name") for p in suite.iter("property")] == ["target"]
    assert suite.findtext("testcase/system-out") == "hello"
    assert merged.get("time") == "0.000"  # unreadable times count as 0


def shard_runs(reports: Path, shards: dict[str, Any]) -> list[Any]:
    for run_id, shard in shards.items():
        write_shard(reports, run_id, [record(f"x/rc/{run_id}", "passed")], shard=shard)
    return runs(reports, *shards)


def test_complete_consistent_shards_merge_quietly(tmp_path: Path) -> None:
    meta = {"n": 2, "checks": 2, "digest": "d1"}
    merged = shard_runs(tmp_path, {"s1": {"k": 1, **meta}, "s2": {"k": 2, **meta}})
    _, plan = merge_runs(merged, tmp_path)
    assert plan.warnings == []


@pytest.mark.parametrize(
    ("shards", "problem"),
    [
        ({"s1": "1/3", "s2": "3/3"}, "shard 2/3 not merged: not every check of the sweep is here"),
        ({"s1": "1/2", "s2": "2/3"}, "shards of different splits merged: N = 2, 3"),
        (
            {"s1": {"k": 1, "n": 2, "digest": "a"}, "s2": {"k": 2, "n": 2, "digest": "b"}},
            "split from different check lists or durations",
        ),
        ({"s1": "1/1", "s2": None}, "s2: not a shard run, merged with shard runs"),
    ],
)
def test_shards_that_do_not_add_up_are_said(
    tmp_path: Path, shards: dict[str, Any], problem: str
) -> None:
    run_dir, plan = merge_runs(shard_runs(tmp_path, shards), tmp_path)
    assert any(problem in w for w in plan.warnings)
    assert problem in (run_dir / "summary.md").read_text()  # a Note: line people will read


# --- smoke merge ---------------------------------------------------------------------------------


def smoke(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="smoke")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_merge_exit_code_is_the_merged_verdict(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = smoke(
        capsys, "merge", "shard-1", "shard-2", "--out", "sweep", "--reports-dir", str(reports)
    )
    assert code == 1  # ruwiki/rc/plain failed
    assert out.strip() == (
        f"merged 2 runs into {reports / 'sweep'}/: 5 checks, 1 failed, 1 broken, 1 passed, "
        "1 skipped"
    )
    assert (reports / "sweep" / "results.json").exists()


def test_cli_merge_only_broken_exits_3(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = smoke(capsys, "merge", "shard-2", "--reports-dir", str(reports))
    assert code == 3


def test_cli_merge_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shard = write_shard(tmp_path / "downloaded", "s1", [record("x/rc/a", "passed")])
    code, _, _ = smoke(
        capsys, "merge", str(shard), "--out", "m", "--reports-dir", str(tmp_path / "reports")
    )
    assert code == 0
    assert (tmp_path / "reports" / "m" / "allure-results").is_dir()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["merge", "nope"], "no run 'nope' under"),
        (["merge", "shard-1", "shard-1"], "given twice"),
        (["merge", "shard-1", "--out", "a/b"], "--out must be a plain directory name"),
        (["merge", "shard-1", "--out", "latest"], "--out must be a plain directory name"),
        (["merge", "shard-1", "--out", "shard-2"], "exists; runs are never overwritten"),
    ],
)
def test_cli_merge_usage_errors_exit_4(
    reports: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = smoke(capsys, *argv, "--reports-dir", str(reports))
    assert code == 4
    assert message in err
    assert out == ""


def test_cli_merge_warnings_go_to_stderr(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_shard(reports, "nojunit", [record("x/rc/plain", "passed")], junit=None)
    code, _, err = smoke(capsys, "merge", "shard-1", "nojunit", "--reports-dir", str(reports))
    assert code == 1
    assert "smoke: warning:" in err and "junit.xml is missing" in err
