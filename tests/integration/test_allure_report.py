"""`smoke report` end to end: real runs on the farm, real Allure 3, the report read in Chromium.

What a person opening the report sees is what is asserted: the counts on the overview, the
categories tab, the environment ("Metadata"), the trend chart and a check's History tab.
Needs `npm ci --prefix tools/allure` (the `./run` setup does it).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from smoke.finished.report.build import ReportError, find_allure
from smoke.finished.report.history import HISTORY_FILE
from smoke.finished.report.tasks import phabricator_url
from smoke.output.allure_labels import KNOWN_ISSUE_LABEL
from smoke.testbed import farm
from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT, smoke_run

SELECTION = (
    "--wiki",
    "enwiki",
    "--wiki",
    "frwiki",
    "--page",
    "recentchanges",
    "--variant",
    "plain",
    "--variant",
    "damaging=likelybad",
    "--retries",  # a down wiki or a JS error does not go away on a retry: save the time
    "0",
)


@pytest.fixture(scope="module", autouse=True)
def allure_installed() -> None:
    try:
        find_allure()
    except ReportError as exc:  # a setup step is missing: fail, never skip
        pytest.fail(str(exc))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def smoke_report(*argv: str) -> tuple[int, str]:
    """`smoke report ARGS` as a user runs it; (exit code, stdout + stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "smoke.cli.main", "report", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@contextlib.contextmanager
def served(directory: Path) -> Iterator[str]:
    """The directory report over HTTP on loopback (it fetches its data: file:// cannot)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


# --- reading the report as a person would --------------------------------------------------------


@dataclass
class Overview:
    counts: dict[str, int]  # total, passed, failed, broken, flaky: what the header shows
    metadata: dict[str, str]  # the environment


def read_overview(page: Page, url: str) -> Overview:
    page.goto(url)
    page.wait_for_selector("[data-testid=metadata-item-total]")
    counts = {}
    for item in page.locator("[data-testid^=metadata-item-]").all():
        testid = item.get_attribute("data-testid") or ""
        kind = testid.removeprefix("metadata-item-")
        if kind in ("key", "value"):
            continue
        counts[kind] = int(item.inner_text().split()[-1])
    metadata = {}
    for item in page.locator("[data-testid=metadata-item]").all():
        key = item.locator("[data-testid=metadata-item-key]").inner_text()
        metadata[key] = item.locator("[data-testid=metadata-item-value]").inner_text()
    return Overview(counts, metadata)


def read_categories(page: Page, url: str) -> dict[str, int]:
    page.goto(url + "#categories")
    page.wait_for_selector("[data-testid=tree-section-title]")
    categories = {}
    for section in page.locator("[data-testid=tree-section]").all():
        name, count = section.inner_text().rsplit("\n", 1)
        categories[name.strip()] = int(count)
    return categories


def trend_points(page: Page, url: str) -> int:
    """Columns of the "Status dynamics" trend: one per earlier run plus "Latest"; 0 when the
    chart says there is no history."""
    page.goto(url + "#charts")
    widget = page.locator(
        "[data-drop-shadow=true]", has=page.get_by_text("Status dynamics (trend)", exact=True)
    )
    empty = widget.get_by_text("No history information available")
    widget.get_by_text("Latest", exact=True).or_(empty).wait_for()
    if empty.count():
        return 0
    labels = widget.locator("svg text").all_text_contents()
    return sum(1 for t in labels if t == "Latest" or re.fullmatch(r"\d+/\d+/\d{4}", t))


def open_check(page: Page, url: str, check_id: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=tree-section]")
    # Unfold as a person would: groups holding only passed checks start collapsed.
    leaf = page.locator("[data-testid=tree-leaf-title]").get_by_text(check_id, exact=True)
    collapsed = page.locator(
        '[data-testid=tree-arrow]:not(:has(svg[class*="arrow-button-icon--opened"]))'
    )
    for _ in range(20):
        if leaf.is_visible():
            break
        if collapsed.count():
            collapsed.first.click()
        page.wait_for_timeout(100)
    leaf.click()
    page.wait_for_selector("[data-testid=test-result-tab-history]")


def history_items(page: Page, url: str, check_id: str) -> Locator:
    """Earlier results of one check, as its History tab lists them."""
    open_check(page, url, check_id)
    page.locator("[data-testid=test-result-tab-history]").click()
    return page.locator("[data-testid=test-result-history-item]")


# --- real runs on the farm ---------------------------------------------------------------------


def test_report_of_two_real_runs_counts_categories_environment_and_trend(
    farm_state: FarmState,
    tmp_path: Path,
    fault: Callable[..., None],
    page: Page,
) -> None:
    reports = tmp_path / "reports"

    # Run 1: frwiki is down (could not check), enwiki is fine.
    fault("frwiki", "down")
    run1 = smoke_run(farm_state, reports, *SELECTION, run_id="run1")
    assert run1.code == 3, run1.stdout[-2000:] + run1.stderr[-2000:]
    farm.set_fault(Path(farm_state.state_dir), "frwiki", "down", False, log=lambda _m: None)
    code, out = smoke_report("--reports-dir", str(reports))  # default: latest
    assert code == 0, out
    assert out.startswith("report of run1: ") and "(1 run in history," in out

    with served(reports / "run1" / "allure-report") as url:
        first = read_overview(page, url)
        # "new": no earlier run knew these checks.
        assert first.counts == {"total": 4, "new": 4, "passed": 2, "broken": 2}
        assert read_categories(page, url) == {"Could not check": 2}
        assert trend_points(page, url) == 0  # no earlier run: "No history information"
    assert first.metadata["target"] == "local"
    assert first.metadata["wikis"] == "enwiki, frwiki"
    assert first.metadata["MediaWiki"].startswith("1.39.")  # asked of the farm's siteinfo
    assert first.metadata["smoke"] == run1.results["run"]["smoke_version"]
    assert first.metadata["run"] == "run1"

    # Run 2: a JavaScript error on enwiki (a product defect), frwiki back.
    fault("enwiki", "js-error")
    run2 = smoke_run(farm_state, reports, *SELECTION, run_id="run2")
    assert run2.code == 1, run2.stdout[-2000:] + run2.stderr[-2000:]
    code, out = smoke_report("run2", "--reports-dir", str(reports), "--single-file")
    assert code == 0, out
    assert "(2 runs in history," in out

    url = (reports / "run2" / "allure-report" / "index.html").absolute().as_uri()
    second = read_overview(page, url)
    assert second.counts == {"total": 4, "passed": 2, "failed": 2}
    # Failing after passing: a product defect, whatever Allure's history says.
    assert read_categories(page, url) == {"Product defect": 2}
    assert trend_points(page, url) == 2  # run1 and this one
    expect(history_items(page, url, "enwiki/recentchanges/plain")).to_have_count(1)
    expect(history_items(page, url, "frwiki/recentchanges/damaging=likelybad")).to_have_count(1)
    assert [json.loads(line)["smokeRun"] for line in history_lines(reports)] == ["run1", "run2"]


def history_lines(reports: Path) -> list[str]:
    return (reports / HISTORY_FILE).read_text("utf-8").splitlines()


# --- the four categories and an old run: results as the plugin writes them ----------------------

PLAIN = "enwiki/recentchanges/plain"
LIKELYBAD = "enwiki/recentchanges/damaging=likelybad"
MAYBEBAD = "enwiki/recentchanges/damaging=maybebad"
CONTRIBS = "enwiki/contributions/hidenondamaging"
HOUR_MS = 3_600_000
T0 = 1_790_000_000_000


def write_result(
    run_dir: Path, check_id: str, status: str, start: int, *, outcome: str | None = None
) -> None:
    """One result as allure-pytest writes it for a smoke check: the labels of
    reporting.label_test and label_outcome; a known issue is xfailed (Allure: skipped) with its
    task label and Phabricator link; flaky passed on its retry."""
    wiki, page, variant = check_id.split("/")
    digest = hashlib.md5(check_id.encode()).hexdigest()
    outcome = outcome or status
    result: dict[str, Any] = {
        "name": check_id,
        "status": status,
        "start": start,
        "stop": start + 500,
        "uuid": str(uuid.uuid4()),
        "historyId": digest,
        "testCaseId": digest,
        "fullName": f"wikis#{check_id}",
        "labels": [
            {"name": "target", "value": "local"},
            {"name": "wiki", "value": wiki},
            {"name": "page", "value": page},
            {"name": "variant", "value": variant},
            {"name": "smoke_outcome", "value": outcome},
        ],
        "links": [{"type": "link", "url": "http://127.0.0.1:9/index.php", "name": "checked URL"}],
    }
    if status == "failed":
        result["statusDetails"] = {"message": "CheckFailed: [javascript] Uncaught Error"}
    if status == "broken":
        result["statusDetails"] = {"message": "NavigationTimeout: no answer in 30 s"}
    if outcome == "known":
        task = "T180000"
        url = phabricator_url(task)
        result["statusDetails"] = {"message": f"XFAIL known issue {task} ({url}): HTTP 500"}
        result["labels"].append({"name": KNOWN_ISSUE_LABEL, "value": task})
        result["links"].append({"type": "issue", "url": url, "name": task})
    if outcome == "flaky":
        result["labels"].append({"name": "attempts", "value": "2"})
    directory = run_dir / "allure-results"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{result['uuid']}-result.json").write_text(json.dumps(result), "utf-8")


def test_categories_links_and_an_old_run_rebuilt(tmp_path: Path, page: Page) -> None:
    reports = tmp_path / "reports"
    # Three runs an hour apart. In c: PLAIN is a known issue, LIKELYBAD passed on its retry,
    # MAYBEBAD failed (again, after passing in b: Allure's "flaky" pattern, still a defect),
    # CONTRIBS could not be checked.
    for n, (run, statuses) in enumerate(
        [
            ("a", {PLAIN: "passed", LIKELYBAD: "passed", MAYBEBAD: "failed", CONTRIBS: "passed"}),
            ("b", {PLAIN: "passed", LIKELYBAD: "passed", MAYBEBAD: "passed", CONTRIBS: "passed"}),
        ]
    ):
        for k, (check_id, status) in enumerate(statuses.items()):
            write_result(reports / run, check_id, status, T0 + n * HOUR_MS + k)
    c_start = T0 + 2 * HOUR_MS
    write_result(reports / "c", PLAIN, "skipped", c_start, outcome="known")
    write_result(reports / "c", LIKELYBAD, "passed", c_start + 1, outcome="flaky")
    write_result(reports / "c", MAYBEBAD, "failed", c_start + 2)
    write_result(reports / "c", CONTRIBS, "broken", c_start + 3)
    for run in ("a", "b", "c"):
        code, out = smoke_report(run, "--reports-dir", str(reports), "--single-file")
        assert code == 0, out

    url = (reports / "c" / "allure-report" / "index.html").absolute().as_uri()
    counts = read_overview(page, url).counts
    assert counts == {
        "total": 4,
        "flaky": 1,  # Allure's own mark on MAYBEBAD (icon and counter, not a category)
        "failed": 1,
        "broken": 1,
        "passed": 1,
        "skipped": 1,
    }
    assert read_categories(page, url) == {
        "Known issue": 1,
        "Flaky": 1,
        "Product defect": 1,
        "Could not check": 1,
    }
    assert trend_points(page, url) == 3
    open_check(page, url, PLAIN)
    task = page.locator("[data-testid=test-result-meta-link]", has_text="T180000")
    assert task.locator("a").first.get_attribute("href") == (
        "https://phabricator.wikimedia.org/T180000"
    )
    assert "Category: Known issue" in page.inner_text("body")

    # The oldest run, reported again: its report knows nothing of b and c, and the history
    # keeps a, b, c in order (no duplicate, nothing appended at the end).
    code, out = smoke_report("a", "--reports-dir", str(reports), "--single-file")
    assert code == 0, out
    assert "(1 run in history," in out
    url_a = (reports / "a" / "allure-report" / "index.html").absolute().as_uri()
    assert trend_points(page, url_a) == 0
    expect(history_items(page, url_a, MAYBEBAD)).to_have_count(0)
    assert [json.loads(line)["smokeRun"] for line in history_lines(reports)] == ["a", "b", "c"]
