"""Evidence of a failed or broken check: screenshot, trace, page HTML, console log, record.

Written as files under ``artifacts/<check>/`` and as Allure attachments, secrets removed: every
text is redacted once and the same redacted string (or file) goes to both. The raw trace is
written into the run's private ``.auth/`` (mode 0700, deleted at the end of the run, and by the
next run if this one dies) and deleted as soon as its redacted copy exists.

The verdict comes before the evidence: a piece that cannot be written (disk full, quota,
permission) is skipped, and a note for the check's record says which and why
(:func:`take_skipped`); the check's result is written all the same.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

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


SKIPPED_NOTE = "evidence not written"  # how a check's note about it starts
# Below this much free space evidence is not even tried: what is left is for the checks' own
# result files (a few KB each) and the Allure results, which are the verdict.
EVIDENCE_FLOOR_BYTES = 2 << 20
_skipped: dict[str, list[str]] = {}  # check id → what could not be written, in this process


def take_skipped(check_id: str) -> list[str]:
    """The notes for ``check_id``'s record about evidence that could not be written (once)."""
    return _skipped.pop(check_id, [])


@contextmanager
def _piece(check: Check, name: str, path: Path) -> Iterator[None]:
    """Write one piece of evidence; an OSError skips it with a note instead of failing."""
    try:
        yield
    except OSError as exc:
        path.unlink(missing_ok=True)  # never half a file
        reason = exc.strerror or str(exc)
        _skipped.setdefault(check.id, []).append(f"{SKIPPED_NOTE}: {name} ({reason})")


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
    prefix = f"attempt {attempt}: " if attempt is not None else ""
    kept: dict[str, str] = {}
    try:
        free = shutil.disk_usage(run_dir).free
        if free < EVIDENCE_FLOOR_BYTES:
            raise OSError(0, f"the disk is nearly full ({free // 1024} KB free)")
        directory = evidence_dir(run_dir, check, attempt)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _skipped.setdefault(check.id, []).append(f"{SKIPPED_NOTE}: {prefix}all ({reason})")
        return kept
    shot = directory / "screenshot.png"
    with _piece(check, prefix + "screenshot", shot):
        if browser is not None and browser.screenshot(shot):
            kept["screenshot"] = str(shot.relative_to(run_dir))
            allure.attach.file(
                str(shot), name=prefix + "screenshot", attachment_type=allure.attachment_type.PNG
            )
    trace = directory / "trace.zip"
    with _piece(check, prefix + "trace", trace):
        if browser is not None and _save_redacted_trace(browser, run_dir, trace, secrets):
            kept["trace"] = str(trace.relative_to(run_dir))
            allure.attach.file(str(trace), name=prefix + "Playwright trace", extension="zip")
    if record is None:
        return kept
    texts: list[tuple[str, str, Callable[[], str], str]] = [
        ("html", "page.html", lambda: record.html, "page HTML"),
        ("console", "console.log", lambda: console_log(record), "console log"),
        ("record", "record.json", lambda: _record_json(record), ""),
    ]
    for key, name, text, attachment in texts:
        path = directory / name
        with _piece(check, prefix + name, path):
            redacted = redact(text(), secrets)
            path.write_text(redacted, "utf-8")
            kept[key] = str(path.relative_to(run_dir))
            if attachment:
                kind = allure.attachment_type.HTML if key == "html" else allure.attachment_type.TEXT
                allure.attach(redacted, name=prefix + attachment, attachment_type=kind)
    return kept


def _record_json(record: PageRecord) -> str:
    return json.dumps({**record.to_dict(), "html": "(see page.html)"}, indent=1, ensure_ascii=False)


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


# The server's exception text (smoke.serverlog) is filed with a check's artifacts under this key;
# it is a few lines from the server's log, not page evidence, so the budget never withholds it.
SERVER_ARTIFACT = "server"


def has_page_evidence(check: Mapping[str, Any]) -> bool:
    """Whether a check (results.json record) kept evidence of its page: screenshot, HTML, trace."""
    return any(key != SERVER_ARTIFACT for key in (check.get("artifacts") or {}))
