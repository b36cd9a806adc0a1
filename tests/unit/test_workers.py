"""How many browsers a run starts: `--workers 999` is capped by the checks and by memory."""

from __future__ import annotations

import pytest

from smoke.plan import workers
from smoke.plan.workers import worker_count


def test_a_huge_worker_count_is_capped_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 3000)  # room for 5 browsers
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 3000)
    count, note = worker_count("999", runnable=112, remote=False)
    assert count == 5
    assert "--workers 999 capped at 5" in note and "3000 MB" in note
    count, note = worker_count("999", runnable=3, remote=False)
    assert count == 3 and "3 check(s) to run" in note


def test_a_modest_worker_count_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 24000)
    assert worker_count("4", runnable=112, remote=False) == (4, "")


def test_auto_follows_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 24000)
    monkeypatch.setattr("smoke.plan.workers.os.cpu_count", lambda: 2)
    assert worker_count("auto", runnable=112, remote=False) == (2, "")
    assert worker_count("auto", runnable=112, remote=True) == (4, "")
    assert worker_count("auto", runnable=1, remote=True) == (1, "")


def test_auto_starts_one_local_browser_per_eight_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 24000)
    monkeypatch.setattr("smoke.plan.workers.os.cpu_count", lambda: 4)
    assert [worker_count("auto", runnable=n, remote=False)[0] for n in (1, 8, 9, 16, 17, 99)] == [
        1,
        1,
        2,
        2,
        3,
        4,
    ]
    # Remote targets wait on the network: every check may have its browser (up to 2 x cores).
    assert worker_count("auto", runnable=4, remote=True) == (4, "")
    # An explicit count is the user's: kept, whatever the checks.
    assert worker_count("2", runnable=4, remote=False) == (2, "")
