"""The one end of run: what it writes, how it makes room on a full disk, when it gives up (exit
5), and the stop signals (first: in order, noted while writing; the name and 128 + number)."""

from __future__ import annotations

import errno
import json
import signal
from pathlib import Path
from typing import Any

import pytest

from smoke.execute import end_of_run
from smoke.execute.end_of_run import RunEnd, RunFilesUnwritable, finish, run_meta
from smoke.execute.signals import Stopper, exit_code
from smoke.model.checks import Check, Expectation, Page
from smoke.model.record import PageRecord
from smoke.output import evidence
from smoke.output.results import CheckResult, result_for, write_results_json
from smoke.output.run_dir import AUTH_DIR, RESERVE_FILE, new_run_dir, reserve_room

CHECK = Check(
    id="enwiki/recentchanges/plain",
    target="t",
    wiki="enwiki",
    page=Page.RECENTCHANGES,
    variant="plain",
    url="http://127.0.0.1:9/enwiki/w/index.php?title=Special:RecentChanges",
    expectation=Expectation(Page.RECENTCHANGES),
)


def a_run(tmp_path: Path, *, interrupted_by: str | None = None) -> RunEnd:
    run_dir = new_run_dir(tmp_path / "reports", "r")
    reserve_room(run_dir, 128 << 10)
    (run_dir / AUTH_DIR).mkdir()
    (run_dir / "artifacts" / "x").mkdir(parents=True)
    (run_dir / "artifacts" / "x" / "screenshot.png").write_bytes(b"\x89PNG" + b"\0" * 1000)
    failed = result_for(CHECK, "failed", findings=[{"detector": "d", "message": "boom"}])
    failed.notes = ["evidence not written: trace (No space left on device)"]
    meta = run_meta(run_dir, started_at="t0", target="t", interrupted_by=interrupted_by)
    return RunEnd(run_dir, [failed], meta)


def test_a_run_is_written_redacted_cleaned_up_and_latest(tmp_path: Path) -> None:
    end = a_run(tmp_path, interrupted_by="SIGTERM")
    warnings = finish(end)
    run_dir = end.run_dir
    body = json.loads((run_dir / "results.json").read_text())
    assert body["run"]["interrupted_by"] == "SIGTERM" and body["counts"]["failed"] == 1
    assert "Run interrupted (SIGTERM)" in (run_dir / "summary.md").read_text()
    junit = (run_dir / "junit.xml").read_text()
    assert "<failure" in junit and 'value="SIGTERM"' in junit
    assert warnings == ["warning: " + body["run"]["notes"][-1]]
    assert "evidence of 1 check(s) was not written" in warnings[0]
    assert not (run_dir / AUTH_DIR).exists() and not (run_dir / RESERVE_FILE).exists()
    assert (tmp_path / "reports" / "latest").resolve() == run_dir.resolve()


def test_a_full_disk_drops_the_evidence_and_writes_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = a_run(tmp_path)
    real = write_results_json
    failures = [OSError(errno.ENOSPC, "No space left on device")]

    def full_once(*args: Any) -> Path:
        if failures:
            raise failures.pop()
        return real(*args)

    monkeypatch.setattr(end_of_run, "write_results_json", full_once)
    warnings = finish(end)
    assert not (end.run_dir / "artifacts" / "x" / "screenshot.png").exists()
    body = json.loads((end.run_dir / "results.json").read_text())
    assert any("evidence was deleted" in n for n in body["run"]["notes"])
    assert any("evidence was deleted" in w for w in warnings)


def test_when_even_the_verdict_cannot_be_written_the_file_and_error_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = a_run(tmp_path)

    def full(*args: Any) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(end_of_run, "write_results_json", full)
    with pytest.raises(RunFilesUnwritable) as raised:
        finish(end)
    assert str(raised.value) == (
        f"could not write {end.run_dir / 'results.json'}: No space left on device"
    )
    assert not (end.run_dir / AUTH_DIR).exists()  # sessions go whatever happens
    assert not (tmp_path / "reports" / "latest").exists()


class Unwritable:
    """A browser whose screenshot cannot be written (the disk is full)."""

    def screenshot(self, path: Path) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    def save_trace(self, path: Path) -> bool:
        return False


def test_evidence_that_cannot_be_written_is_a_note_not_a_failure(tmp_path: Path) -> None:
    record = PageRecord(requested_url=CHECK.url, status=200, html="<html></html>")
    kept = evidence.keep_evidence(tmp_path, CHECK, record, Unwritable())
    assert "screenshot" not in kept and {"html", "console", "record"} <= set(kept)
    assert evidence.take_skipped(CHECK.id) == [
        "evidence not written: screenshot (No space left on device)"
    ]
    assert evidence.take_skipped(CHECK.id) == []  # taken once


def test_a_nearly_full_disk_keeps_no_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "EVIDENCE_FLOOR_BYTES", 1 << 62)
    assert evidence.keep_evidence(tmp_path, CHECK, None, Unwritable()) == {}
    (note,) = evidence.take_skipped(CHECK.id)
    assert note.startswith("evidence not written: all (the disk is nearly full")


def test_the_first_stop_signal_interrupts_the_second_is_not_waited_for() -> None:
    stopper = Stopper()
    with pytest.raises(KeyboardInterrupt):
        stopper.handle(signal.SIGTERM, None)
    assert stopper.name == "SIGTERM" and exit_code(signal.SIGTERM) == 143
    noted = Stopper()
    with noted.deferred():
        noted.handle(signal.SIGHUP, None)  # while the files are written: noted, not raised
    assert noted.name == "SIGHUP" and exit_code(signal.SIGHUP) == 129


def test_a_result_without_notes_reads_as_before() -> None:
    old = {k: v for k, v in result_for(CHECK, "passed").__dict__.items() if k != "notes"}
    assert CheckResult(**old).notes == []
