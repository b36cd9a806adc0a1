"""ores-scoring: edits older than the grace period unscored while earlier edits are scored."""

from __future__ import annotations

import calendar
import time

from smoke.judge.detectors import run_detectors
from smoke.judge.detectors.scoring import SCORING, STOPPED_PREFIX, ores_scoring
from smoke.model.checks import Expectation, Page
from smoke.model.findings import Finding
from smoke.model.record import ListedEdit, PageRecord

NOW = float(calendar.timegm(time.strptime("20261207120000", "%Y%m%d%H%M%S")))
HUMAN_EDIT = "ns0/human/edit"
GRACE = 600.0
EXPECT = Expectation(
    page=Page.RECENTCHANGES,
    expected_models=frozenset({"damaging", "goodfaith"}),
    scoring_grace_s=GRACE,
)


def ts(minutes_ago: float) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(NOW - minutes_ago * 60))


def edit(rev: int, minutes_ago: float, scored: bool, kind: str = HUMAN_EDIT) -> ListedEdit:
    return ListedEdit(rev, ts(minutes_ago), kind, scored)


def judge(*edits: ListedEdit, expectation: Expectation = EXPECT, **kw: object) -> list[Finding]:
    fields: dict[str, object] = {"status": 200, "captured_at": NOW, **kw}
    record = PageRecord("http://w/RC", listed_edits=edits, **fields)  # type: ignore[arg-type]
    return list(ores_scoring(record, expectation))


def test_the_real_failure_names_when_scoring_stopped() -> None:
    # Newest first, as the page lists them: three edits unscored for 20 to 60 minutes.
    findings = judge(
        edit(9, 20, False),
        edit(8, 40, False),
        edit(7, 60, False),
        edit(6, 90, True),
        edit(5, 120, True),
    )
    assert len(findings) == 1
    finding = findings[0]
    assert finding.detector == SCORING
    assert finding.message.startswith(f"{STOPPED_PREFIX} {ts(60)[:4]}-")
    assert "3 edits older than 10 min" in finding.message
    assert finding.evidence["first_unscored_rev"] == "7"
    assert finding.evidence["last_scored_rev"] == "6"


def test_a_quiet_wiki_passes_however_long_it_is_quiet() -> None:
    # Beta can go hours between edits: the newest edit is days old, and scored.
    assert judge(edit(3, 3000, True), edit(2, 4000, True)) == []


def test_a_just_saved_edit_waiting_for_its_job_passes() -> None:
    assert judge(edit(4, 0.2, False), edit(3, 30, True), edit(2, 60, True)) == []


def test_an_edit_exactly_at_the_grace_period_still_passes() -> None:
    assert judge(edit(4, GRACE / 60, False), edit(3, 30, True)) == []


def test_a_wiki_with_nothing_ever_scored_passes() -> None:
    # ORES just switched on, or only old edits listed: no evidence scoring ever worked here.
    assert judge(edit(4, 100, False), edit(3, 200, False), edit(2, 300, False)) == []


def test_one_lost_job_followed_by_scored_edits_is_not_stopped() -> None:
    assert judge(edit(5, 20, True), edit(4, 60, False), edit(3, 90, True)) == []


def test_kinds_never_scored_are_configuration_not_failure() -> None:
    # Bots excluded ($wgOresExcludeBots) and a namespace ORES does not score: never compared
    # with scored human main-namespace edits.
    assert (
        judge(
            edit(6, 30, False, "ns0/bot/edit"),
            edit(5, 40, False, "ns4/human/edit"),
            edit(4, 50, False, "ns0/human/categorize"),
            edit(3, 90, True, HUMAN_EDIT),
        )
        == []
    )


def test_a_kind_is_judged_against_its_own_scored_rows() -> None:
    findings = judge(edit(6, 30, False, "ns0/human/new"), edit(3, 90, True, "ns0/human/new"))
    assert [f.evidence["first_unscored_rev"] for f in findings] == ["6"]


def test_categorize_rows_are_never_judged_even_when_scored_ones_exist() -> None:
    kind = "ns14/human/categorize"
    assert judge(edit(6, 30, False, kind), edit(3, 90, True, kind)) == []


def test_rows_without_timestamps_are_not_judged() -> None:
    # Contributions lists revision ids without a machine-readable time.
    assert judge(ListedEdit(9, "", "", False), ListedEdit(8, "", "", True)) == []


def test_grace_comes_from_the_expectation() -> None:
    edits = (edit(4, 20, False), edit(3, 90, True))
    assert judge(*edits) != []
    lenient = Expectation(
        page=Page.RECENTCHANGES, expected_models=frozenset({"damaging"}), scoring_grace_s=3600.0
    )
    assert judge(*edits, expectation=lenient) == []


def test_pages_it_does_not_judge() -> None:
    edits = (edit(4, 20, False), edit(3, 90, True))
    no_ores = Expectation(page=Page.RECENTCHANGES, scoring_grace_s=GRACE)
    assert judge(*edits, expectation=no_ores) == []
    assert judge(*edits, status=500) == []  # server-error's finding
    assert judge(*edits, captured_at=None) == []  # an old record without a capture time


def test_garbled_timestamps_are_ignored() -> None:
    assert judge(ListedEdit(4, "2026-12-07", HUMAN_EDIT, False), edit(3, 90, True)) == []


def test_registered_and_round_trips_through_json() -> None:
    record = PageRecord(
        "http://w/RC",
        status=200,
        captured_at=NOW,
        listed_edits=(edit(4, 20, False), edit(3, 90, True)),
    )
    again = PageRecord.from_dict(record.to_dict())
    assert again == record
    assert [f.detector for f in run_detectors(again, EXPECT, enabled=[SCORING])] == [SCORING]


def test_within_one_second_the_later_revision_is_the_newer_edit() -> None:
    # A scored edit and an unscored one saved in the same second (timestamps have one-second
    # steps): the larger revision id was saved later, so scoring stopped after the scored one.
    [finding] = judge(edit(11, 60, False), edit(10, 60, True))
    assert finding.detector == "ores-scoring"
    # The other way round the unscored edit is the older one: a lost job, not a stop.
    assert judge(edit(11, 60, True), edit(10, 60, False)) == []
