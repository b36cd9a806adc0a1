"""Root causes: normalising messages and grouping failed/broken checks, one line per cause."""

from __future__ import annotations

from typing import Any

from smoke.output.causes import group_causes, group_id, normalise


def record(
    wiki: str, page: str, variant: str, outcome: str = "failed", **problem: str
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"{wiki}/{page}/{variant}",
        "wiki": wiki,
        "page": page,
        "variant": variant,
        "url": f"http://127.0.0.1:8482/index.php?title=Special:{page}&{variant}",
        "outcome": outcome,
        "findings": [],
        "error": None,
    }
    if outcome == "failed":
        base["findings"] = [{"detector": problem["detector"], "message": problem["message"]}]
    elif outcome == "broken":
        base["error"] = {"kind": problem["kind"], "message": problem["message"], "hint": ""}
    return base


def crash(wiki: str, page: str, variant: str, reqid: str) -> dict[str, Any]:
    return record(
        wiki,
        page,
        variant,
        detector="server-error",
        message=f'HTTP 500: Fatal exception of type "RuntimeException" (request id {reqid})',
    )


def test_normalise_takes_out_what_differs_between_checks() -> None:
    a = normalise(
        "[f3a9c1d07b5e4e2aa1c0ffee] 2026-11-29 10:01:02: Fatal exception at "
        "http://127.0.0.1:8482/index.php?title=X after 1234 ms on ruwiki/watchlist",
        wiki="ruwiki",
        page="watchlist",
    )
    b = normalise(
        "[0c0ffee1b5e4e2aa1c0f3a9c] 2026-11-30 23:59:59: Fatal exception at "
        "http://127.0.0.1:8483/index.php?title=Y after 99 ms on frwiki/contributions",
        wiki="frwiki",
        page="contributions",
    )
    assert a == b
    assert "<url>" in a and "<time>" in a and "<wiki>/<page>" in a and "<n>" in a
    assert normalise("request id abc") == normalise("request id XYZ")


def test_the_2017_replay_on_two_wikis_is_one_cause() -> None:
    checks = [
        crash(wiki, page, variant, reqid=f"req{wiki}{page}{variant}0123456789abcdef")
        for wiki in ("ruwiki", "frwiki")
        for page in ("recentchanges", "watchlist", "contributions")
        for variant in ("plain", "damaging=likelybad", "goodfaith=maybebad")
    ]
    checks.append(record("enwiki", "recentchanges", "plain", outcome="passed"))
    causes = group_causes(checks)
    assert len(causes) == 1
    cause = causes[0]
    assert sorted(cause.wikis) == ["frwiki", "ruwiki"]
    assert sorted(cause.pages) == ["contributions", "recentchanges", "watchlist"]
    assert len(cause.checks) == 18
    assert cause.one_line().startswith('HTTP 500: Fatal exception of type "RuntimeException"')
    assert cause.one_line().endswith(
        " — frwiki, ruwiki · contributions, recentchanges, watchlist · 18 checks"
    )
    assert len({group_id(c) for c in checks if c["outcome"] == "failed"}) == 1


def test_two_faults_on_two_wikis_are_two_causes_failed_first() -> None:
    checks = [
        crash("ruwiki", "recentchanges", "plain", reqid="aaaaaaaaaaaaaaaaaaaa1111"),
        record(
            "frwiki",
            "recentchanges",
            "plain",
            detector="javascript",
            message="uncaught exception: TypeError: x is undefined",
        ),
        record(
            "frwiki",
            "watchlist",
            "plain",
            outcome="broken",
            kind="NavigationTimeout",
            message="http://127.0.0.1:8483/index.php did not finish loading within 30 s",
        ),
    ]
    causes = group_causes(checks)
    assert [c.outcome for c in causes] == ["failed", "failed", "broken"]
    assert len({c.id for c in causes}) == 3


def test_passed_and_skipped_checks_have_no_cause() -> None:
    assert group_id(record("enwiki", "watchlist", "plain", outcome="passed")) is None
    assert group_id(record("enwiki", "watchlist", "plain", outcome="skipped")) is None


def test_cause_ids_are_stable_across_runs() -> None:
    one = crash("ruwiki", "watchlist", "plain", reqid="aaaaaaaaaaaaaaaaaaaa1111")
    two = crash("frwiki", "recentchanges", "x", reqid="bbbbbbbbbbbbbbbbbbbb2222")
    assert group_id(one) == group_id(two) is not None
