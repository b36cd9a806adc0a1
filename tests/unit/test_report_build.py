"""`smoke report` builds without node (smoke.finished.report.build, smoke.cli.report_command): the
output, failures, run names, finding Allure. The fake Allure is tests/unit/report_fakes.py; the
real one is exercised by tests/integration/test_allure_report.py."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from smoke.cli import report_command as commands_report
from smoke.finished.report.build import INSTALL_HINT, ReportError, find_allure
from smoke.finished.report.history import HISTORY_FILE, RUN_KEY
from tests.unit.report_fakes import build, history_runs, make_run, report_data, write_fake_allure


@pytest.fixture
def fake_allure(tmp_path: Path) -> Path:
    return write_fake_allure(tmp_path)


def test_build_writes_report_history_and_environment(tmp_path: Path, fake_allure: Path) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    (reports / "latest").symlink_to("r1")

    built = build(reports, "latest", fake_allure)

    assert built.run_id == "r1"  # `latest` is followed: history is keyed by the real run
    assert built.output == (reports / "r1" / "allure-report").absolute()
    html = built.index.read_text("utf-8")
    assert "googletagmanager" not in html and "dataLayer" not in html
    data = report_data(built.index)
    assert data["name"] == "smoke r1 — local"
    assert data["history"] == []
    assert "MediaWiki=1.39.4 (enwiki, asked at report time)\n" in data["environment"]
    assert "smoke=9.9\n" in data["environment"]
    lines = (reports / HISTORY_FILE).read_text("utf-8").splitlines()
    assert len(lines) == 1
    stored = json.loads(lines[0])
    assert stored[RUN_KEY] == "r1"
    assert stored["timestamp"] == 1_000_000  # the run's start, not the build time
    assert built.history_runs == 1
    assert not (reports / "r1" / "allure-results" / "environment.properties").exists()
    assert oct(built.output.stat().st_mode & 0o777) != oct(0o700)  # not mkdtemp's mode


def test_single_file_and_custom_output_replace_an_earlier_report(
    tmp_path: Path, fake_allure: Path
) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_text("old report")
    (output / "stale.js").write_text("from the old report")

    built = build(reports, "r1", fake_allure, output=output, single_file=True)

    assert built.index == output.absolute() / "index.html"
    assert report_data(built.index)["single"] is True
    assert not (output / "stale.js").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


def test_output_that_is_not_a_report_is_refused(tmp_path: Path, fake_allure: Path) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")

    with pytest.raises(ReportError) as caught:
        build(reports, "r1", fake_allure, output=precious)
    assert caught.value.code == 4
    assert (precious / "thesis.tex").exists()


def test_allure_failure_keeps_the_old_report_and_history(
    tmp_path: Path, fake_allure: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    first = build(reports, "r1", fake_allure)
    history_before = (reports / HISTORY_FILE).read_text("utf-8")
    monkeypatch.setenv("FAKE_ALLURE_FAIL", "1")

    with pytest.raises(ReportError) as caught:
        build(reports, "r1", fake_allure)

    assert caught.value.code == 5
    assert "something broke" in str(caught.value)
    assert first.index.exists()
    assert (reports / HISTORY_FILE).read_text("utf-8") == history_before
    assert [p.name for p in (reports / "r1").iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("run", ["nope", "no/such/run", ""])
def test_unknown_run_is_a_usage_error(tmp_path: Path, fake_allure: Path, run: str) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    with pytest.raises(ReportError) as caught:
        build(reports, run, fake_allure)
    assert caught.value.code == 4


def test_run_given_as_a_path_keeps_history_beside_it(tmp_path: Path, fake_allure: Path) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    built = build(tmp_path / "elsewhere", str(reports / "r1"), fake_allure)
    assert built.run_id == "r1"
    assert history_runs(reports) == ["r1"]
    assert not (tmp_path / "elsewhere").exists()


def test_run_without_allure_results_is_a_usage_error(tmp_path: Path, fake_allure: Path) -> None:
    (tmp_path / "reports" / "r1").mkdir(parents=True)
    with pytest.raises(ReportError, match="no allure-results"):
        build(tmp_path / "reports", "r1", fake_allure)


def test_find_allure_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        find_allure([tmp_path])
    assert str(caught.value) == INSTALL_HINT
    assert caught.value.code == 4
    binary = tmp_path / "tools/allure/node_modules/.bin/allure"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert find_allure([tmp_path / "elsewhere", tmp_path]) == binary


# --- the command ---------------------------------------------------------------------------------


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="smoke")
    commands_report.add_parser(parser.add_subparsers())
    args = parser.parse_args(["report", *argv])
    code: int = args.handler(args)
    return code


def test_command_without_allure_installed_exits_4_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000)
    monkeypatch.setattr("smoke.finished.report.build.PACKAGE_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)

    code = run_command("--reports-dir", str(reports))  # no `latest` link yet: usage error

    assert code == 4
    (reports / "latest").symlink_to("r1")
    code = run_command("--reports-dir", str(reports))
    err = capsys.readouterr().err
    assert code == 4
    assert "Allure is not installed: run `npm ci --prefix tools/allure`" in err


def test_command_builds_and_says_where(
    tmp_path: Path,
    fake_allure: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reports = tmp_path / "reports"
    make_run(reports, "r1", 1_000_000, environment={"MediaWiki": "1.39.4"})
    binary = tmp_path / "tools/allure/node_modules/.bin/allure"
    binary.parent.mkdir(parents=True)
    os.symlink(fake_allure, binary)
    monkeypatch.setattr("smoke.finished.report.build.PACKAGE_ROOT", tmp_path)

    code = run_command("r1", "--reports-dir", str(reports), "--single-file")

    out = capsys.readouterr().out
    assert code == 0
    index = (reports / "r1" / "allure-report" / "index.html").absolute()
    assert out.startswith(f"report of r1: {index} (1 run in history, built in ")
    assert "http.server" not in out  # a single file opens directly
    assert "MediaWiki=1.39.4\n" in report_data(index)["environment"]
