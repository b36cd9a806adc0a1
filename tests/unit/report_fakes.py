"""Shared by the tests/unit/test_report_*.py files: run directories and a fake ``allure``.

A small fake `allure` (a Python script) stands in for Allure 3 where a build is needed: it reads
the config smoke wrote, writes an index.html (with the analytics block the real one has) and
appends one history entry, as Allure does. The real Allure is exercised by
tests/integration/test_allure_report.py.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

from smoke.finished.report.build import BuiltReport, ReportRequest, build_report
from smoke.finished.report.history import HISTORY_FILE, RUN_KEY

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


def write_fake_allure(directory: Path) -> Path:
    """The fake `allure` script in ``directory``, executable."""
    path = directory / "fake-allure"
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


def build(reports: Path, run: str, allure: Path, **kwargs: Any) -> BuiltReport:
    """A build with the fake Allure; nothing asked of a wiki or of git."""
    return build_report(
        ReportRequest(reports_dir=reports, run=run, **kwargs),
        allure=allure,
        version_of=lambda api: "1.39.4",
        commit=lambda: "abc1234",
    )


def report_data(index: Path) -> dict[str, Any]:
    """What the fake Allure put into the report: name, history run ids, environment, single."""
    html = index.read_text("utf-8")
    data: dict[str, Any] = json.loads(html.split("<pre id='data'>")[1].split("</pre>")[0])
    return data


def history_runs(reports: Path) -> list[str]:
    lines = (reports / HISTORY_FILE).read_text("utf-8").splitlines()
    return [json.loads(line)[RUN_KEY] for line in lines]
