"""The give-up rule: consecutive timeouts per page, unreachable hosts, resets, the deadline."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from smoke.execute.give_up import GiveUp
from smoke.model.checks import Check, Expectation, Page
from smoke.model.findings import (
    BrowserCrashed,
    DeadlineReached,
    LoginFailed,
    NavigationTimeout,
    PageGivenUp,
    TargetUnreachable,
)


def check(wiki: str = "slowwiki", page: Page = Page.WATCHLIST, variant: str = "plain") -> Check:
    port = {"slowwiki": 8481, "otherwiki": 8482}.get(wiki, 8489)
    return Check(
        id=f"{wiki}/{page.value}/{variant}",
        target="local",
        wiki=wiki,
        page=page,
        variant=variant,
        url=f"http://127.0.0.1:{port}/index.php?title=Special:{page.value}&{variant}",
        expectation=Expectation(page=page),
    )


TIMEOUT = NavigationTimeout("http://127.0.0.1:8481/… did not finish loading within 25 s")


def test_two_consecutive_timeouts_give_up_the_page_only(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path)
    give_up.record(check(variant="a"), TIMEOUT)
    assert give_up.reason_not_to_load(check(variant="c")) is None  # one is not enough
    give_up.record(check(variant="b"), TIMEOUT)
    reason = give_up.reason_not_to_load(check(variant="c"))
    assert isinstance(reason, PageGivenUp)
    assert str(reason) == (
        "not loaded: 2 earlier checks of slowwiki/watchlist timed out after 25 s "
        "(slowwiki/watchlist/a, slowwiki/watchlist/b)"
    )
    assert reason.tripped_by == ("slowwiki/watchlist/a", "slowwiki/watchlist/b")
    # Other pages of the same wiki, and other wikis, still load.
    assert give_up.reason_not_to_load(check(page=Page.RECENTCHANGES)) is None
    assert give_up.reason_not_to_load(check("otherwiki")) is None


def test_a_passing_check_in_between_resets_the_count(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path)
    give_up.record(check(variant="a"), TIMEOUT)
    give_up.record(check(variant="b"), None)
    give_up.record(check(variant="c"), TIMEOUT)
    assert give_up.reason_not_to_load(check(variant="d")) is None


def test_a_failed_check_never_trips_it(tmp_path: Path) -> None:
    # A failed check (findings) answered: the executor records it as error None.
    give_up = GiveUp(tmp_path, threshold=1)
    for variant in "abc":
        give_up.record(check(variant=variant), None)
    assert give_up.reason_not_to_load(check(variant="d")) is None


def test_unreachable_host_gives_up_every_page_of_that_host(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path)
    refused = TargetUnreachable("cannot reach 127.0.0.1:8481: net::ERR_CONNECTION_REFUSED")
    give_up.record(check(page=Page.RECENTCHANGES), refused)
    give_up.record(check(page=Page.CONTRIBUTIONS), refused)
    reason = give_up.reason_not_to_load(check(page=Page.WATCHLIST))
    assert isinstance(reason, PageGivenUp)
    assert "could not reach 127.0.0.1:8481" in str(reason)
    assert give_up.reason_not_to_load(check("otherwiki")) is None


@pytest.mark.parametrize(
    "error", [LoginFailed("bad password"), BrowserCrashed("renderer died")], ids=str
)
def test_other_could_not_check_kinds_do_not_count(tmp_path: Path, error: Exception) -> None:
    give_up = GiveUp(tmp_path, threshold=1)
    give_up.record(check(), error)  # type: ignore[arg-type]
    assert give_up.reason_not_to_load(check(variant="x")) is None


def test_once_tripped_a_pass_does_not_untrip(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path, threshold=1)
    give_up.record(check(variant="a"), TIMEOUT)
    give_up.record(check(variant="b"), None)  # e.g. a check that was already in flight
    assert isinstance(give_up.reason_not_to_load(check(variant="c")), PageGivenUp)
    assert list(give_up.tripped()) == ["page:slowwiki/watchlist"]


def test_deadline(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path, deadline=1000.0)
    assert give_up.reason_not_to_load(check(), now=999.0) is None
    reason = give_up.reason_not_to_load(check(), now=1000.0)
    assert isinstance(reason, DeadlineReached)
    assert "deadline" in str(reason)


def test_threshold_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GiveUp(tmp_path, threshold=0)


def _record_timeouts(run_dir: str, worker: int) -> None:
    give_up = GiveUp(Path(run_dir), threshold=1000)
    for n in range(25):
        give_up.record(check(variant=f"w{worker}-{n}"), TIMEOUT)


def test_counts_are_shared_by_processes_without_losing_updates(tmp_path: Path) -> None:
    workers = [
        multiprocessing.get_context("fork").Process(
            target=_record_timeouts, args=(str(tmp_path), w)
        )
        for w in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    give_up = GiveUp(tmp_path, threshold=101)
    give_up.record(check(variant="last"), TIMEOUT)  # the 101st: trips only if none was lost
    assert "page:slowwiki/watchlist" in give_up.tripped()


def test_counted_results_are_not_retried_others_are(tmp_path: Path) -> None:
    give_up = GiveUp(tmp_path)
    assert give_up.may_retry(check(), TIMEOUT) is False  # the next check is the second opinion
    refused = TargetUnreachable("cannot reach 127.0.0.1:8481: net::ERR_CONNECTION_REFUSED")
    assert give_up.may_retry(check(), refused) is False
    assert give_up.may_retry(check(), BrowserCrashed("renderer died")) is True
    assert give_up.may_retry(check(), None) is True  # findings: retried as before
    give_up.record(check(variant="a"), TIMEOUT)
    give_up.record(check(variant="b"), TIMEOUT)
    assert give_up.may_retry(check(variant="c"), None) is False  # the page was given up
