"""The pytest plugin as pytest itself runs it (``pytester``), on a hand-written wikis.yaml.

The target of these files is never the testbed: a loopback port that refuses connections, so no
wiki and no network are involved. Options, collection and configuration errors need no browser
and run in-process; the tests that run checks launch Chromium in a pytest subprocess and are
marked ``integration``.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from smoke.run import options

pytest_plugins = ["pytester"]

TWO_WIKIS = """\
targets:
  t:
    url: "http://127.0.0.1:{port}/{{id}}/w"
    wikis:
      - {{id: enwiki, ores: [damaging]}}
      - {{id: ruwiki, ores: []}}
"""
# Two pages of two variants: with ruwiki's empty `ores`, its damaging variant is skipped.
SELECTION = (
    "--target",
    "t",
    "--page",
    "recentchanges",
    "--variant",
    "plain",
    "--variant",
    "damaging=likelybad",
)
CHECK_IDS = [
    "enwiki/recentchanges/plain",
    "enwiki/recentchanges/damaging=likelybad",
    "ruwiki/recentchanges/plain",
    "ruwiki/recentchanges/damaging=likelybad",
]
BROKEN = set(CHECK_IDS[:3])
SKIPPED = {CHECK_IDS[3]}
# Checks that run: no retry, no trace, no screenshot (the evidence is not what is tested here).
FAST = ("--retries", "0", "--tracing", "off", "--screenshots", "never")


@pytest.fixture(autouse=True)
def plugins_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    # The plugin under test is the one the pytest11 entry point registers (as are xdist's and
    # allure's), whatever the outer run was started with.
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused, and no one takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def wikis_yaml(pytester: pytest.Pytester, port: int = 9) -> Path:
    return pytester.makefile(".yaml", wikis=TWO_WIKIS.format(port=port))


def reports(pytester: pytest.Pytester) -> tuple[str, str]:
    return ("--reports-dir", str(pytester.path / "reports"))


# --- no browser -----------------------------------------------------------------------------


def test_the_plugins_options_are_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    text = result.stdout.str()
    assert "smoke: MediaWiki page-load smoke checks:" in text
    flags = [option.flag for option in options.SHARED] + ["--shard-durations"]
    assert len(flags) > 20
    missing = [flag for flag in flags if f"  {flag}" not in text]
    assert missing == []


def test_collection_gives_one_item_per_check_with_stable_ids(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester)
    )
    assert result.ret == pytest.ExitCode.OK
    collected = [line for line in result.outlines if line.startswith("wikis.yaml::")]
    assert collected == [f"wikis.yaml::{check_id}" for check_id in CHECK_IDS]
    result.stdout.fnmatch_lines(["4 tests collected*"])


def test_items_carry_wiki_and_page_keywords_for_k(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester), "-k", "ruwiki"
    )
    collected = [line for line in result.outlines if line.startswith("wikis.yaml::")]
    assert collected == [f"wikis.yaml::{check_id}" for check_id in CHECK_IDS[2:]]


def test_only_the_yaml_files_named_on_the_command_line_are_collected(
    pytester: pytest.Pytester,
) -> None:
    wikis_yaml(pytester)
    pytester.makefile(".yaml", other="not: [a wikis file")  # would be a config error if read
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester)
    )
    assert result.ret == pytest.ExitCode.OK
    assert "other.yaml" not in result.stdout.str()


def test_a_config_error_is_one_line_naming_file_and_line(pytester: pytest.Pytester) -> None:
    bad = pytester.makefile(
        ".yaml",
        wikis=TWO_WIKIS.format(port=9).replace("ores: [damaging]", "ores: [damagin]"),
    )
    result = pytester.runpytest("wikis.yaml", *SELECTION, *reports(pytester))
    # Plain pytest reports it as a collection error (exit 2); `smoke run` validates the file
    # before pytest starts and exits 4 (tests/unit/test_cli_bad_input.py).
    assert result.ret == pytest.ExitCode.INTERRUPTED
    expected = (
        f"smoke: bad configuration: {bad}:5: targets.t.wikis[0].ores[0]: "
        "unknown ORES model 'damagin' (did you mean 'damaging'?)"
    )
    assert [line for line in result.outlines if line.startswith(expected)]
    result.stdout.fnmatch_lines(["*Interrupted: 1 error during collection*"])
    assert "Traceback" not in result.stdout.str()
    assert "ConfigError" not in result.stdout.str()


def test_an_unknown_target_is_a_config_error_too(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest("wikis.yaml", "--target", "nope", *reports(pytester))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["smoke: bad configuration: *nope*"])


def test_without_a_yaml_argument_the_plugin_stays_out_of_the_way(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest(*reports(pytester))
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()  # no run directory for a foreign run


# --- checks that run (Chromium, a refused port) ----------------------------------------------


def run_dir_files(run_dir: Path) -> dict[str, dict[str, object]]:
    """The per-check result files of a run, by check id."""
    by_id = {}
    for path in (run_dir / "checks").glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        by_id[data["id"]] = data
    return by_id


@pytest.mark.integration
def test_broken_checks_are_junit_errors_and_skipped_ones_skipped(
    pytester: pytest.Pytester, refused_port: int
) -> None:
    wikis_yaml(pytester, refused_port)
    result = pytester.runpytest_subprocess(
        "wikis.yaml",
        *SELECTION,
        *FAST,
        *reports(pytester),
        "--run-id",
        "r1",
        "--junitxml",
        "out/junit.xml",
        timeout=180,
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # errors fail a pytest run
    result.assert_outcomes(errors=3, skipped=1)

    suite = ET.parse(pytester.path / "out" / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == set(CHECK_IDS)
    errors = []
    for check_id in BROKEN:
        (error,) = cases[check_id].findall("error")
        assert not cases[check_id].findall("failure")
        errors.append(error.get("message", "") + (error.text or ""))
    # The browser really tried: a refused connection, not a missing browser. (Not every broken
    # check need say so: after repeated refusals a host may be given up without loading.)
    assert any(
        f"cannot reach 127.0.0.1:{refused_port}: net::ERR_CONNECTION_REFUSED" in text
        for text in errors
    )
    (skipped,) = cases[CHECK_IDS[3]].findall("skipped")
    assert "ruwiki has no ORES damaging" in skipped.get("message", "")
    assert not cases[CHECK_IDS[3]].findall("error")

    # The plugin's own record agrees with JUnit: broken and skipped, never passed.
    run_dir = pytester.path / "reports" / "r1"
    results = json.loads((run_dir / "results.json").read_text("utf-8"))
    outcomes = {check["id"]: check["outcome"] for check in results["checks"]}
    assert outcomes == {i: "broken" if i in BROKEN else "skipped" for i in CHECK_IDS}
    assert not (run_dir / "junit.xml").exists()  # --junitxml was given: the user's path wins


# Written into each xdist worker's rootdir conftest: after the plugin's own sessionfinish, a
# worker notes which run-level files exist. A worker that wrote them would find them there.
OBSERVER = """
import json
from pathlib import Path

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    config = session.config
    if not hasattr(config, "workerinput"):
        return
    run_dir = Path(config.getoption("reports_dir")) / config.getoption("run_id")
    seen = {name: (run_dir / name).exists() for name in ("results.json", "summary.md")}
    worker = config.workerinput["workerid"]
    Path(f"seen-by-{worker}.json").write_text(json.dumps(seen))
"""


@pytest.mark.integration
def test_under_xdist_only_the_controller_writes_run_level_files(
    pytester: pytest.Pytester, refused_port: int
) -> None:
    wikis_yaml(pytester, refused_port)
    pytester.makeconftest(OBSERVER)
    result = pytester.runpytest_subprocess(
        "wikis.yaml",
        *SELECTION,
        *FAST,
        *reports(pytester),
        "--run-id",
        "r1",
        "-n",
        "2",
        timeout=180,
    )
    result.assert_outcomes(errors=3, skipped=1)

    # One run directory, made by the controller and shared by the workers.
    made = [p.name for p in (pytester.path / "reports").iterdir() if not p.is_symlink()]
    assert made == ["r1"]
    run_dir = pytester.path / "reports" / "r1"
    # Workers: one result file per check, each naming the worker that ran it.
    per_check = run_dir_files(run_dir)
    assert set(per_check) == set(CHECK_IDS)
    assert {str(r["worker"]) for r in per_check.values()} <= {"gw0", "gw1"}
    # Neither worker found run-level files after its own session ended...
    seen = {p.name: json.loads(p.read_text()) for p in pytester.path.glob("seen-by-*.json")}
    assert seen == {
        "seen-by-gw0.json": {"results.json": False, "summary.md": False},
        "seen-by-gw1.json": {"results.json": False, "summary.md": False},
    }
    # ...the controller wrote them, from every worker's result files.
    results = json.loads((run_dir / "results.json").read_text("utf-8"))
    assert sorted(c["id"] for c in results["checks"]) == sorted(CHECK_IDS)
    assert results["counts"]["broken"] == 3 and results["counts"]["skipped"] == 1
    assert (run_dir / "summary.md").is_file()
    assert (run_dir / "junit.xml").is_file()
