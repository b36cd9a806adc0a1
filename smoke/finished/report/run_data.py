"""What a finished run was, as a report needs it: its meta, its checks, when it started.

Read from results.json when it is there, else from the Allure results alone (an interrupted
run, or results copied from elsewhere, still makes a report).
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from smoke.output.allure_labels import WIKI_LABEL
from smoke.output.run_dir import ALLURE_RESULTS_DIR, RESULTS_FILE

CHECKED_URL_LINK = "checked URL"  # the link name allure_labels.label_test gives a check's URL


def read_run_meta(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``run`` and ``checks`` of results.json; both empty when the file is missing or bad (an
    interrupted run may lack it: the allure-results alone still make a report)."""
    try:
        body = json.loads((run_dir / RESULTS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}, []
    if not isinstance(body, dict):
        return {}, []
    run = body.get("run")
    checks = body.get("checks")
    return (
        run if isinstance(run, dict) else {},
        [c for c in checks if isinstance(c, dict)] if isinstance(checks, list) else [],
    )


def read_allure_results(results_dir: Path) -> list[dict[str, Any]]:
    """The ``*-result.json`` files of ``results_dir`` that parse as objects, in name order."""
    results = []
    for path in sorted(results_dir.glob("*-result.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            results.append(data)
    return results


def label(result: dict[str, Any], name: str) -> str | None:
    """The value of the Allure label ``name`` on ``result``, if it has one."""
    for item in result.get("labels") or []:
        if isinstance(item, dict) and item.get("name") == name:
            value = item.get("value")
            return str(value) if value is not None else None
    return None


def run_checks(
    checks: list[dict[str, Any]], allure_results: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """(wiki, checked URL) of each check: from results.json, else from the Allure results."""
    found = [(str(c.get("wiki", "")), str(c.get("url", ""))) for c in checks if c.get("wiki")]
    if found:
        return found
    for result in allure_results:
        wiki = label(result, WIKI_LABEL)
        urls = [
            str(link.get("url", ""))
            for link in result.get("links") or []
            if isinstance(link, dict) and link.get("name") == CHECKED_URL_LINK
        ]
        if wiki:
            found.append((wiki, urls[0] if urls else ""))
    return found


def run_started_ms(
    allure_results: list[dict[str, Any]], run_dir: Path, meta: dict[str, Any] | None = None
) -> int:
    """When the run started, in epoch ms: its earliest check, else results.json's ``started_at``,
    else the modification time of what the run wrote."""
    starts = [int(r["start"]) for r in allure_results if isinstance(r.get("start"), int)]
    if starts:
        return min(starts)
    try:
        return int(datetime.fromisoformat(str((meta or {})["started_at"])).timestamp() * 1000)
    except (KeyError, ValueError):
        pass  # not recorded (older or interrupted runs): fall back to file times
    for path in (run_dir / RESULTS_FILE, run_dir / ALLURE_RESULTS_DIR, run_dir):
        try:
            return int(path.stat().st_mtime * 1000)
        except OSError:
            continue
    return int(time.time() * 1000)
