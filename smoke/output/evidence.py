"""Evidence of a failed or broken check: screenshot, trace, page HTML, console log, record.

Written as files under ``artifacts/<check>/`` and as Allure attachments, secrets removed: every
text is redacted once and the same redacted string (or file) goes to both. The raw trace is
written into the run's private ``.auth/`` (mode 0700, deleted at the end of the run, and by the
next run if this one dies) and deleted as soon as its redacted copy exists.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Protocol

import allure

from smoke.model.checks import Check
from smoke.model.record import PageRecord
from smoke.output.redact import redact, redact_trace
from smoke.output.run_dir import ARTIFACTS_DIR, AUTH_DIR


class EvidenceSource(Protocol):
    """What the browser side can give of the page a check loaded (a worker's browser)."""

    def screenshot(self, path: Path) -> bool: ...

    def save_trace(self, path: Path) -> bool: ...


def console_log(record: PageRecord) -> str:
    lines = [f"{c.type}: {c.text}" + (f"  ({c.url})" if c.url else "") for c in record.console]
    lines += [f"pageerror: {e.message}\n{e.stack}" for e in record.page_errors]
    lines += [
        f"subrequest: {s.method} {s.url} -> {s.status or s.failure}" for s in record.subrequests
    ]
    return "\n".join(lines) or "(no console messages, page errors or failed sub-requests)"


_raw_traces = itertools.count(1)


def raw_trace_path(run_dir: Path) -> Path:
    """Where a trace is written before redaction: never among the artifacts, where a crash
    between writing and redacting would leave it."""
    private = run_dir / AUTH_DIR
    private.mkdir(mode=0o700, parents=True, exist_ok=True)
    return private / f"trace-{os.getpid()}-{next(_raw_traces)}.raw.zip"


def check_dir_name(check_id: str) -> str:
    """The name of a check's folder under ``artifacts/`` (ids hold "/", "=" and ";")."""
    return check_id.replace("/", "__").replace("=", "-").replace(";", "+")


def evidence_dir(run_dir: Path, check: Check, attempt: int | None = None) -> Path:
    directory = run_dir / ARTIFACTS_DIR / check_dir_name(check.id)
    if attempt is not None:
        directory = directory / f"attempt-{attempt}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def keep_evidence(
    run_dir: Path,
    check: Check,
    record: PageRecord | None,
    browser: EvidenceSource | None,
    secrets: tuple[str, ...] = (),
    attempt: int | None = None,
) -> dict[str, str]:
    """Screenshot, page HTML and console log: files in the run directory and Allure attachments.

    ``attempt`` set: the evidence of an earlier, retried attempt (kept in ``attempt-N/``).
    """
    directory = evidence_dir(run_dir, check, attempt)
    prefix = f"attempt {attempt}: " if attempt is not None else ""
    kept: dict[str, str] = {}
    shot = directory / "screenshot.png"
    if browser is not None and browser.screenshot(shot):
        allure.attach.file(
            str(shot), name=prefix + "screenshot", attachment_type=allure.attachment_type.PNG
        )
        kept["screenshot"] = str(shot.relative_to(run_dir))
    trace = directory / "trace.zip"
    if browser is not None and _save_redacted_trace(browser, run_dir, trace, secrets):
        allure.attach.file(str(trace), name=prefix + "Playwright trace", extension="zip")
        kept["trace"] = str(trace.relative_to(run_dir))
    if record is not None:
        html = redact(record.html, secrets)
        (directory / "page.html").write_text(html, "utf-8")
        allure.attach(html, name=prefix + "page HTML", attachment_type=allure.attachment_type.HTML)
        log = redact(console_log(record), secrets)
        (directory / "console.log").write_text(log, "utf-8")
        allure.attach(log, name=prefix + "console log", attachment_type=allure.attachment_type.TEXT)
        record_json = redact(
            json.dumps(
                {**record.to_dict(), "html": "(see page.html)"}, indent=1, ensure_ascii=False
            ),
            secrets,
        )
        (directory / "record.json").write_text(record_json, "utf-8")
        kept.update(
            html=str((directory / "page.html").relative_to(run_dir)),
            console=str((directory / "console.log").relative_to(run_dir)),
            record=str((directory / "record.json").relative_to(run_dir)),
        )
    return kept


def _save_redacted_trace(
    browser: EvidenceSource, run_dir: Path, trace: Path, secrets: tuple[str, ...]
) -> bool:
    raw = raw_trace_path(run_dir)
    try:
        return browser.save_trace(raw) and redact_trace(raw, trace, secrets)
    finally:
        raw.unlink(missing_ok=True)  # also when saving failed half-way


# --- the evidence budget (smoke.execute.cause_budget) ----------------------------------------


def withheld_text(holders: list[str], per_cause: int) -> str:
    """Why a check has no evidence of its own: its cause's budget went to earlier checks."""
    return (
        f"No evidence kept for this check: its root cause already has full evidence from "
        f"{len(holders)} check(s) (evidence_per_cause: {per_cause}): {', '.join(holders)}. "
        "Its result record and cause id are kept."
    )


def note_withheld(holders: list[str], per_cause: int) -> None:
    """Say so in the Allure report, where the screenshot would have been."""
    allure.attach(
        withheld_text(holders, per_cause),
        name="evidence (see other checks of this cause)",
        attachment_type=allure.attachment_type.TEXT,
    )
