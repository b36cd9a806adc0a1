"""Run output: per-check result files (written by workers) and run-level files (controller only).

``reports/<run-id>/checks/<n>.json`` — one per check, written by whichever process ran it.
``results.json`` and ``summary.md`` — written once, by the controller, from those files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke.checks import Check
from smoke.findings import Finding
from smoke.verdict import Outcome

CHECKS_DIR = "checks"


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

    @property
    def first_problem(self) -> str:
        if self.findings:
            first = self.findings[0]
            return f"[{first['detector']}] {first['message']}"
        if self.error:
            return f"[{self.error['kind']}] {self.error['message']}"
        return self.skip_reason or ""


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


def counts(results: list[CheckResult]) -> Counter[str]:
    counter: Counter[str] = Counter({o.value: 0 for o in Outcome})
    counter.update(r.outcome for r in results)
    return counter


def write_results_json(run_dir: Path, results: list[CheckResult], meta: dict[str, Any]) -> Path:
    path = run_dir / "results.json"
    body = {"run": meta, "counts": dict(counts(results)), "checks": [asdict(r) for r in results]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def render_summary(results: list[CheckResult], meta: dict[str, Any]) -> str:
    """Markdown ready to paste into a Phabricator task."""
    c = counts(results)
    lines = [
        f"== smoke run {meta.get('run_id', '')} — target `{meta.get('target', '')}` ==",
        "",
        f"{len(results)} checks: **{c['failed']} failed**, {c['broken']} could not be checked, "
        f"{c['passed']} passed, {c['flaky']} flaky, {c['known']} known issues, "
        f"{c['skipped']} skipped."
        + (" **Run interrupted: results are partial.**" if meta.get("interrupted") else ""),
        "",
    ]
    for outcome, heading in (
        (Outcome.FAILED, "Failed (product defects)"),
        (Outcome.BROKEN, "Could not check"),
    ):
        chosen = [r for r in results if r.outcome == outcome]
        if not chosen:
            continue
        lines += [f"=== {heading} ===", ""]
        by_wiki: defaultdict[str, list[CheckResult]] = defaultdict(list)
        for result in chosen:
            by_wiki[result.wiki].append(result)
        for wiki in sorted(by_wiki):
            lines.append(f"**{wiki}**")
            for result in by_wiki[wiki]:
                rid = f" (request id {result.request_id})" if result.request_id else ""
                lines.append(f"* `{result.id}` {result.url}{rid}")
                lines.append(f"  {result.first_problem}")
            lines.append("")
    flaky = [r for r in results if r.outcome == Outcome.FLAKY]
    if flaky:
        lines += ["=== Flaky (passed on a retry) ===", ""]
        for result in flaky:
            first = result.attempts[0] if result.attempts else {}
            lines.append(f"* `{result.id}` {result.url}")
            lines.append(
                f"  attempt 1 {first.get('outcome', '?')}: {first.get('first_problem', '')}"
            )
        lines.append("")
    known = [r for r in results if r.outcome == Outcome.KNOWN]
    if known:
        lines += ["=== Known issues (quarantined, not blocking) ===", ""]
        for result in known:
            issue = result.known_issue or {}
            lines.append(f"* `{result.id}` {issue.get('task', '')} {issue.get('url', '')}")
            lines.append(f"  {result.first_problem}")
        lines.append("")
    stopped: defaultdict[str, list[str]] = defaultdict(list)
    for result in results:
        for task in result.known_issues_stopped_failing:
            stopped[task].append(result.id)
    for task, ids in sorted(stopped.items()):
        lines.append(
            f"Note: known issue {task} no longer fails on {len(ids)} check(s) "
            f"({', '.join(ids[:3])}{', …' if len(ids) > 3 else ''}); close the task or "
            "remove the entry from wikis.yaml."
        )
    for note in meta.get("notes", []):
        lines.append(f"Note: {note}")
    return "\n".join(lines).rstrip() + "\n"


def write_summary(run_dir: Path, results: list[CheckResult], meta: dict[str, Any]) -> Path:
    path = run_dir / "summary.md"
    path.write_text(render_summary(results, meta), "utf-8")
    return path


def exit_code_for(results: list[CheckResult], *, fail_on_flaky: bool = False) -> int:
    """0 all passed; 1 a product defect; 3 some checks could not run and no defect.

    Flaky and known-issue checks do not fail a run (flaky does with ``fail_on_flaky``).
    """
    c = counts(results)
    if c["failed"] or (fail_on_flaky and c["flaky"]):
        return 1
    if c["broken"]:
        return 3
    return 0
