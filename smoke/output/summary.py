"""``summary.md``: counts, root causes, then the failed, broken, flaky and known checks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from smoke.model.findings import problem_line
from smoke.model.outcome import Outcome, count_outcomes
from smoke.output.causes import group_causes
from smoke.output.evidence import has_page_evidence
from smoke.output.problems import server_message
from smoke.output.results import CheckResult, loaded_counts
from smoke.output.run_dir import SUMMARY_FILE


def render_summary(results: list[CheckResult], meta: dict[str, Any]) -> str:
    """Markdown ready to paste into a Phabricator task."""
    c = count_outcomes(r.outcome for r in results)
    lines = [
        f"== smoke run {meta.get('run_id', '')} — target `{meta.get('target', '')}` ==",
        "",
        f"{len(results)} checks: **{c['failed']} failed**, {c['broken']} could not be checked, "
        f"{c['passed']} passed, {c['flaky']} flaky, {c['known']} known issues, "
        f"{c['skipped']} skipped."
        + _loading_sentence(results)
        + (
            f" **Run interrupted ({meta.get('interrupted_by') or 'SIGINT'}): results are partial.**"
            if meta.get("interrupted")
            else ""
        ),
        "",
    ]
    lines += _cause_lines(results)
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
                lines += server_lines(asdict(result))
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


def _loading_sentence(results: list[CheckResult]) -> str:
    """Which way the loaded checks were loaded (docs/loading.md); empty when none was in-app."""
    loaded = loaded_counts([asdict(r) for r in results])
    if not loaded["in-app"]:
        return ""
    return (
        f" Loaded: {loaded['full']} from their URL (full page load), {loaded['in-app']} as a "
        "filter change in the page's filters app (in-app; every failure is judged on a full load)."
    )


def write_summary(run_dir: Path, results: list[CheckResult], meta: dict[str, Any]) -> Path:
    path = run_dir / SUMMARY_FILE
    path.write_text(render_summary(results, meta), "utf-8")
    return path


def _cause_lines(results: list[CheckResult]) -> list[str]:
    """One line per root cause, with an example check and its evidence; per-check list below."""
    causes = group_causes([asdict(r) for r in results])
    if not causes:
        return []
    lines = [f"=== {len(causes)} cause{'s' if len(causes) != 1 else ''} ===", ""]
    for cause in causes:
        # The example is a check that kept evidence (the budget keeps it for the first few).
        example = next((c for c in cause.checks if has_page_evidence(c)), cause.example)
        lines.append(f"* **{cause.outcome}** {problem_line(cause.kind, cause.one_line())}")
        rid = example.get("request_id")
        lines.append(
            f"  e.g. `{example['id']}` {example['url']}" + (f" (request id {rid})" if rid else "")
        )
        evidence = example.get("artifacts") or {}
        if evidence:
            lines.append("  evidence: " + ", ".join(f"{k} {v}" for k, v in evidence.items()))
        with_evidence = sum(1 for c in cause.checks if has_page_evidence(c))
        if 0 < with_evidence < len(cause.checks):
            lines.append(
                f"  evidence for {with_evidence} of {len(cause.checks)} checks "
                "(evidence_per_cause; the others keep their record and this cause)"
            )
    return [*lines, ""]


SHOWN_FRAMES = 3


def server_lines(check: dict[str, Any]) -> list[str]:
    """What the server logged for a check: its message, first frames, and the log's link."""
    record = check.get("server") or {}
    lines = []
    if message := server_message(check):
        lines.append(f"  server ({record.get('source', 'log')}): {message[:500]}")
        lines += [f"    {frame}" for frame in (record.get("frames") or [])[:SHOWN_FRAMES]]
    if record.get("link"):
        lines.append(f"  server log: {record['link']}")
    return lines
