"""How many browsers a run starts: `--workers 999` is capped by the checks and by memory."""

from __future__ import annotations

import pytest

from smoke.plan import workers
from smoke.plan.safety import Resolve, hosts_of
from smoke.plan.workers import served_here, worker_count


def test_a_huge_worker_count_is_capped_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "available_memory_mb", lambda: 3000)  # room for 5 browsers
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


@pytest.mark.parametrize(
    "origins",
    [
        ["http://127.0.0.1:8481", "http://127.0.0.1:8482"],  # the farm, or a config naming it
        ["http://localhost:8080"],  # MediaWiki in Docker
        ["http://wiki.localhost:8080", "http://127.5.0.1"],
        ["http://[::1]:8080"],
    ],
)
def test_a_target_on_loopback_is_served_here(origins: list[str]) -> None:
    assert served_here(hosts_of(origins))


@pytest.mark.parametrize(
    "origins",
    [
        ["https://en.wikipedia.beta.wmcloud.org"],
        ["http://127.0.0.1:8481", "https://fr.wikipedia.beta.wmcloud.org"],  # one remote wiki
        ["http://10.0.0.5"],
        ["http://localhost.example.org"],
        [],  # nothing to run says nothing about the target
    ],
)
def test_a_target_elsewhere_is_not(origins: list[str]) -> None:
    assert not served_here(hosts_of(origins))


def test_resolve_decides_where_a_named_host_is_served() -> None:
    names = ["enwiki.smoke-canary.invalid", "frwiki.smoke-canary.invalid"]
    assert not served_here(names)
    assert served_here(names, [Resolve.parse("*.smoke-canary.invalid=127.0.0.1")])
    assert not served_here(names, [Resolve.parse("*.smoke-canary.invalid=10.0.0.5")])
    # The first matching rule counts, as in Chromium's --host-resolver-rules.
    first_wins = [Resolve.parse("enwiki.*=10.0.0.5"), Resolve.parse("*=127.0.0.1")]
    assert not served_here(names, first_wins)
    assert served_here(names[1:], first_wins)
