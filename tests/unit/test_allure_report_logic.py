"""`smoke report` without node: task links, environment, history order, output handling.

A small fake `allure` (a Python script) stands in for Allure 3 where a build is needed: it reads
the config smoke wrote, writes an index.html (with the analytics block the real one has) and
appends one history entry, as Allure does. The real Allure is exercised by
tests/integration/test_allure_report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from smoke.cli import report_command as commands_report
from smoke.runs import allure_report
from smoke.runs.allure_report import (
    CATEGORIES,
    HISTORY_FILE,
    INSTALL_HINT,
    RUN_KEY,
    ReportError,
    ReportRequest,
    api_url,
    build_report,
    config_module,
    environment_info,
    find_allure,
    merge_history,
    phabricator_url,
    properties_text,
    split_history,
    task_id,
)

FAKE_ALLURE = """\
#!{python}
import json, os, sys, time, uuid
from pathlib import Path
args = sys.argv[1:]
assert args[0] == "generate" and args[1] == "--config", args
text = Path(args[2]).read_text("utf-8")
config = json.loads(text.removeprefix("export default ").rstrip().removesuffix(";"))
if os.environ.get("FAKE_ALLURE_FAIL"):
    print("Error: something broke", file=sys.stderr)
    sys.exit(3)
history = Path(config["historyPath"])
seen = [json.loads(l) for l in history.read_text("utf-8").splitlines() if l.strip()]
env = ""
for results in args[3:]:
    p = Path(results) / "environment.properties"
    if p.exists():
        env = p.read_text("utf-8")
out = Path(config["output"])
out.mkdir(parents=True, exist_ok=True)
report = {{"name": config["name"], "history": [e.get("{run_key}") for e in seen],
          "environment": env, "single": config["plugins"]["awesome"]["options"]["singleFile"]}}
(out / "index.html").write_text(
    "<html><body>\\n"
    '    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>\\n'
    "    <script>\\n        window.dataLayer = window.dataLayer || [];\\n"
    "        gtag('config', 'G-X');\\n    </script>\\n"
    "<pre id='data'>" + json.dumps(report) + "</pre></body></html>", "utf-8")
entry = {{"uuid": str(uuid.uuid4()), "name": config["name"], "timestamp": int(time.time() * 1000),
         "knownTestCaseIds": [], "testResults": {{}}, "metrics": {{}}, "url": ""}}
with history.open("a", encoding="utf-8") as f:
    f.write(json.dumps(entry) + "\\n")
"""


@pytest.fixture
def fake_allure(tmp_path: Path) -> Path:
    path = tmp_path / "fake-allure"
    path.write_text(FAKE_ALLURE.format(python=sys.executable, run_key=RUN_KEY), "utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def make_run(
    reports: Path,
    run_id: str,
    start_ms: int,
    statuses: dict[str, str] | None = None,
    environment: dict[str, str] | None = None,
) -> Path:
    """A run directory as `smoke run` leaves it: results.json and allure-results/."""
    run_dir = reports / run_id
    (run_dir / "allure-results").mkdir(parents=True)
    statuses = statuses or {"enwiki/recentchanges/plain": "passed"}
    checks = []
    for n, (check_id, status) in enumerate(sorted(statuses.items())):
        wiki, page, variant = check_id.split("/")
        url = f"http://127.0.0.1:9/index.php?title=Special:RecentChanges&v={variant}"
        result = {
            "name": check_id,
            "status": status,
            "start": start_ms + n,
            "stop": start_ms + n + 100,
            "uuid": f"{run_id}-{n}",
            "labels": [
                {"name": "target", "value": "local"},
                {"name": "wiki", "value": wiki},
                {"name": "page", "value": page},
                {"name": "variant", "value": variant},
            ],
            "links": [{"type": "link", "url": url, "name": "checked URL"}],
        }
        (run_dir / "allure-results" / f"{run_id}-{n}-result.json").write_text(json.dumps(result))
        checks.append({"id": check_id, "wiki": wiki, "url": url, "outcome": status})
    meta: dict[str, Any] = {"run_id": run_id, "target": "local", "smoke_version": "9.9"}
    if environment is not None:
        meta["environment"] = environment
    (run_dir / "results.json").write_text(json.dumps({"run": meta, "checks": checks}))
    return run_dir


def build(reports: Path, run: str, allure: Path, **kwargs: Any) -> allure_report.BuiltReport:
    return build_report(
        ReportRequest(reports_dir=reports, run=run, **kwargs),
        allure=allure,
        version_of=lambda api: "1.39.4",
        commit=lambda: "abc1234",
    )


def report_data(index: Path) -> dict[str, Any]:
    html = index.read_text("utf-8")
    data: dict[str, Any] = json.loads(html.split("<pre id='data'>")[1].split("</pre>")[0])
    return data


def history_runs(reports: Path) -> list[str]:
    lines = (reports / HISTORY_FILE).read_text("utf-8").splitlines()
    return [json.loads(line)[RUN_KEY] for line in lines]


# --- known issues ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("T123", "T123"),
        (" T42 ", "T42"),
        ("phab:T987654", "T987654"),
        ("https://phabricator.wikimedia.org/T180000", "T180000"),
        ("see T5 and T6", "T5"),
        ("T0123", None),
        ("AT123", None),
        ("t123", None),
        ("", None),
    ],
)
def test_task_id_finds_the_phabricator_task(text: str, task: str | None) -> None:
    assert task_id(text) == task


def test_phabricator_url_only_for_a_bare_task_id() -> None:
    assert phabricator_url("T123") == "https://phabricator.wikimedia.org/T123"
    for bad in ("123", "T", "T12a", "phab:T12", "T0"):
        with pytest.raises(ValueError):
            phabricator_url(bad)


def test_categories_order_known_issue_first_then_flaky() -> None:
    # First match wins in Allure 3: the order is the meaning.
    assert [c["name"] for c in CATEGORIES] == [
        "Known issue",
        "Flaky",
        "Product defect",
        "Could not check",
    ]
    known = CATEGORIES[0]["matchers"]
    assert known["labels"] == {"known_issue": allure_report.TASK_PATTERN}
    # The plugin xfails a known issue (Allure: skipped); a passed check is just passed.
    assert set(known["statuses"]) == {"failed", "broken", "skipped"}
    # smoke's flaky (passed on a retry), never Allure's history guess about a failed check.
    assert CATEGORIES[1]["matchers"] == {"labels": {"smoke_outcome": "^flaky$"}}


def test_config_module_is_data_whatever_the_names() -> None:
    config = allure_report.allure_config(
        name='smoke "x" </script> ${evil}',
        output=Path("/o"),
        history=Path("/h.jsonl"),
        single_file=True,
    )
    text = config_module(config)
    assert text.startswith("export default {")
    parsed = json.loads(text.removeprefix("export default ").rstrip().removesuffix(";"))
    assert parsed["name"] == 'smoke "x" </script> ${evil}'
    assert parsed["historyPath"] == "/h.jsonl"
    assert parsed["plugins"]["awesome"]["options"]["singleFile"] is True


# --- environment ------------------------------------------------------------------------------


def test_api_url_from_check_urls() -> None:
    assert (
        api_url("http://127.0.0.1:8481/index.php?title=Special:RecentChanges&damaging=likelybad")
        == "http://127.0.0.1:8481/api.php"
    )
    assert (
        api_url("https://en.wikipedia.beta.wmcloud.org/w/index.php?title=Special:Watchlist")
        == "https://en.wikipedia.beta.wmcloud.org/w/api.php"
    )
    assert api_url("https://en.wikipedia.org/wiki/Special:RecentChanges") is None
    assert api_url("file:///index.php") is None


def test_environment_asks_siteinfo_of_one_wiki_when_the_run_did_not_record_it() -> None:
    asked: list[str] = []

    def version_of(api: str) -> str:
        asked.append(api)
        return "1.39.4"

    checks = [
        ("ruwiki", "http://127.0.0.1:8482/index.php?title=X"),
        ("enwiki", "http://127.0.0.1:8481/index.php?title=X"),
    ]
    info = environment_info(
        "r1",
        {"target": "local", "smoke_version": "0.1.0"},
        checks,
        [],
        version_of=version_of,
        commit=lambda: "abc1234",
    )
    assert asked == ["http://127.0.0.1:8482/api.php"]
    assert info == {
        "target": "local",
        "wikis": "enwiki, ruwiki",
        "MediaWiki": "1.39.4 (ruwiki, asked at report time)",
        "smoke": "0.1.0",
        "git": "abc1234 (at report time)",
        "run": "r1",
    }


def test_environment_recorded_by_the_run_wins_and_nothing_is_asked() -> None:
    def version_of(api: str) -> str:
        raise AssertionError("siteinfo must not be asked")

    info = environment_info(
        "r1",
        {
            "target": "beta",
            "smoke_version": "0.1.0",
            "environment": {"mediawiki": "1.43.0-wmf.1", "git": "0ff1ce", "browser": "Chrome 130"},
        },
        [("enwiki", "https://en.example.org/w/index.php?title=X")],
        [],
        version_of=version_of,
        commit=lambda: None,
    )
    assert info["MediaWiki"] == "1.43.0-wmf.1"
    assert info["git"] == "0ff1ce"
    assert info["browser"] == "Chrome 130"
    assert "mediawiki" not in info  # not repeated under the recorded spelling


def test_environment_tolerates_a_wiki_that_does_not_answer() -> None:
    def version_of(api: str) -> str:
        raise OSError("timed out")

    notes: list[str] = []
    info = environment_info(
        "r1",
        {},
        [("enwiki", "http://127.0.0.1:9/index.php?title=X")],
        [{"labels": [{"name": "target", "value": "local"}]}],
        version_of=version_of,
        commit=lambda: None,
        notes=notes,
    )
    assert info["MediaWiki"] == "unknown"
    assert info["target"] == "local"  # from the Allure labels when results.json lacks it
    assert "git" not in info
    assert notes == ["MediaWiki version unknown: siteinfo of enwiki failed: timed out"]


def test_siteinfo_version_times_out_quickly_on_a_silent_server() -> None:
    import socket
    import time

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection, never answers
        port = server.getsockname()[1]
        began = time.monotonic()
        with pytest.raises(OSError):
            allure_report.siteinfo_version(f"http://127.0.0.1:{port}/api.php", timeout=0.5)
        assert time.monotonic() - began < 5


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"query": {"general": {"generator": "MediaWiki 1.39.4"}}}', "1.39.4"),
        (200, b'{"query": []}', ValueError),
        (200, b"<html>not json</html>", ValueError),
        (500, b"oops", OSError),
    ],
)
def test_siteinfo_version_reads_the_generator(
    status: int, body: bytes, expected: str | type[Exception]
) -> None:
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path + " " + (self.headers.get("User-Agent") or ""))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    api = f"http://127.0.0.1:{server.server_address[1]}/w/api.php"
    try:
        if isinstance(expected, str):
            assert allure_report.siteinfo_version(api) == expected
        else:
            with pytest.raises(expected):
                allure_report.siteinfo_version(api)
    finally:
        thread.join(5)
        server.server_close()
    assert seen[0].startswith("/w/api.php?action=query&meta=siteinfo&siprop=general&format=json ")
    assert " smoke/" in " " + seen[0].split(" ", 1)[1]


def test_properties_text_escapes_what_properties_files_treat_specially() -> None:
    text = properties_text({"a key=x:y": " lead\\ing\nnext", "MediaWiki": "1.39.4"})
    assert text == "a\\ key\\=x\\:y=\\ lead\\\\ing\\nnext\nMediaWiki=1.39.4\n"


# --- history ------------------------------------------------------------------------------


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


# --- builds (fake allure) ----------------------------------------------------------------------


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
    monkeypatch.setattr(allure_report, "PACKAGE_ROOT", tmp_path)
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
    monkeypatch.setattr(allure_report, "PACKAGE_ROOT", tmp_path)

    code = run_command("r1", "--reports-dir", str(reports), "--single-file")

    out = capsys.readouterr().out
    assert code == 0
    index = (reports / "r1" / "allure-report" / "index.html").absolute()
    assert out.startswith(f"report of r1: {index} (1 run in history, built in ")
    assert "http.server" not in out  # a single file opens directly
    assert "MediaWiki=1.39.4\n" in report_data(index)["environment"]


def test_run_start_from_results_json_when_no_check_recorded_one(tmp_path: Path) -> None:
    meta = {"started_at": "2026-11-20T10:00:00+00:00"}
    assert allure_report.run_started_ms([], tmp_path, meta) == 1_795_168_800_000
    assert allure_report.run_started_ms([{"start": 5}, {"start": 3}], tmp_path, meta) == 3
