"""Check results: per-check files (written by workers), ``results.json`` (controller only).

``reports/<run-id>/checks/<n>.json`` — one per check, written by whichever process ran it.
``results.json`` — written once, by the controller (or ``smoke merge``), from those records.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke.model.checks import Check
from smoke.model.exit_codes import ExitCode
from smoke.model.findings import Finding, problem_line
from smoke.model.outcome import Outcome, count_outcomes
from smoke.output.causes import group_id
from smoke.output.problems import problem_parts
from smoke.output.run_dir import CHECKS_DIR, RESULTS_FILE


@dataclass
class CheckResult:
    id: str
    target: str
    wiki: str
    page: str
    variant: str
    url: str
    outcome: str
    final_url: str = ""
    status: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, str] | None = None  # {"kind", "message", "hint"} when broken
    skip_reason: str | None = None
    request_id: str | None = None
    timings: dict[str, float | None] = field(default_factory=dict)
    duration_s: float = 0.0
    worker: str = "main"
    finished_at: str = ""
    # Evidence files kept for failed/broken checks, relative to the run directory.
    artifacts: dict[str, str] = field(default_factory=dict)
    # Every attempt (retries): number, outcome, first problem, request id, artifacts.
    attempts: list[dict[str, Any]] = field(default_factory=list)
    known_issue: dict[str, str] | None = None  # {"task", "url", "reason"} when quarantined
    # Known issues in scope of this check although it passed: the task may be fixed.
    known_issues_stopped_failing: list[str] = field(default_factory=list)
    # The root cause a failed or broken check shares with others (smoke.output.causes).
    cause: str | None = None
    # What the server logged under the request id (smoke.serverlog): source, exception_class,
    # message, frames, link; added by the controller at the end of the run.
    server: dict[str, Any] | None = None
    # RC/WL: ORES model -> the levels the page offered (what the next run's drift compares to).
    ores_offered: dict[str, list[str]] | None = None
    # Whether ORES scored any row on the loaded page (None: not loaded, or unknown): the next
    # run's drift tells "scores gone" from "this user's edits were never scored".
    ores_scored: bool | None = None
    # What the reader should know about this check's record (e.g. evidence that was not written).
    notes: list[str] = field(default_factory=list)
    # How the judged record was loaded: "full" (its URL) or "in-app" (a filter change in the
    # page's filters app, docs/loading.md); "" when nothing was loaded.
    loaded: str = ""

    @property
    def first_problem(self) -> str:
        return first_problem(asdict(self))


def first_problem(check: Mapping[str, Any]) -> str:
    """The first finding, else the could-not-check error, else the skip reason, in one line."""
    parts = problem_parts(check)
    if parts is None:
        return str(check.get("skip_reason") or "")
    return problem_line(*parts)


def result_for(check: Check, outcome: str, **fields: Any) -> CheckResult:
    """A result carrying the check's identity (id, target, wiki, page, variant, URL)."""
    return CheckResult(
        id=check.id,
        target=check.target,
        wiki=check.wiki,
        page=check.page.value,
        variant=check.variant,
        url=check.url,
        outcome=outcome,
        **fields,
    )


def finding_dicts(findings: list[Finding]) -> list[dict[str, Any]]:
    return [asdict(f) for f in findings]


def write_check_result(run_dir: Path, result: CheckResult) -> Path:
    directory = run_dir / CHECKS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    result.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    # Check ids contain "/" and "="; a digest keeps file names safe and unique.
    name = hashlib.sha1(result.id.encode()).hexdigest()[:16] + ".json"
    path = directory / name
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(result), indent=1, ensure_ascii=False), "utf-8")
    tmp.replace(path)
    return path


def read_check_results(run_dir: Path) -> list[CheckResult]:
    results = []
    for path in sorted((run_dir / CHECKS_DIR).glob("*.json")):
        results.append(CheckResult(**json.loads(path.read_text("utf-8"))))
    return sorted(results, key=lambda r: r.id)


def write_results_json(
    run_dir: Path, checks: Sequence[CheckResult | Mapping[str, Any]], meta: dict[str, Any]
) -> Path:
    """The one writer of ``results.json`` (a run's controller, ``smoke merge``)."""
    records = [asdict(c) if isinstance(c, CheckResult) else dict(c) for c in checks]
    for record in records:
        record["cause"] = group_id(record)
    body = {
        "run": meta,
        "counts": count_outcomes(str(r["outcome"]) for r in records),
        "loaded": loaded_counts(records),
        "checks": records,
    }
    path = run_dir / RESULTS_FILE
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
    tmp.replace(path)  # a reader never sees half a file
    return path


def loaded_counts(records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many checks were judged on a full load and how many in the page's filters app."""
    counts = {"full": 0, "in-app": 0}
    for record in records:
        loaded = str(record.get("loaded") or "")
        if loaded in counts:
            counts[loaded] += 1
    return counts


def exit_code_for(results: list[CheckResult], *, fail_on_flaky: bool = False) -> ExitCode:
    """0 all passed; 1 a product defect; 3 some checks could not run and no defect.

    Flaky and known-issue checks do not fail a run (flaky does with ``fail_on_flaky``).
    """
    c = count_outcomes(r.outcome for r in results)
    if c[Outcome.FAILED] or (fail_on_flaky and c[Outcome.FLAKY]):
        return ExitCode.DEFECT
    if c[Outcome.BROKEN]:
        return ExitCode.BROKEN
    return ExitCode.OK
