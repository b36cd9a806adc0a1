"""The pytest plugin running checks (``pytester``, a pytest subprocess launching Chromium).

The target is a loopback port that refuses connections: no wiki and no network, but a real
browser, so these live with the integration tests. The in-process half (options, collection,
configuration errors) is tests/unit/test_plugin_pytester.py, whose files these tests share.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_plugin_pytester import (
    CHECK_IDS,
    SELECTION,
    plugins_from_entry_points,
    reports,
    wikis_yaml,
)

pytest_plugins = ["pytester"]
__all__ = ["plugins_from_entry_points"]  # the autouse fixture applies here too

BROKEN = set(CHECK_IDS[:3])
SKIPPED = {CHECK_IDS[3]}
# Checks that run: no retry, no trace, no screenshot (the evidence is not what is tested here).
FAST = ("--retries", "0", "--tracing", "off", "--screenshots", "never")


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused, and no one takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def run_dir_files(run_dir: Path) -> dict[str, dict[str, object]]:
    """The per-check result files of a run, by check id."""
    by_id = {}
    for path in (run_dir / "checks").glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        by_id[data["id"]] = data
    return by_id


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
