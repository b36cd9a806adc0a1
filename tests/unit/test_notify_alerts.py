"""Alerts from root causes, when they are resolved, and the Alertmanager API v2 body."""

from __future__ import annotations

from datetime import UTC, datetime

from smoke.notify.alerts import (
    ALERT_NAME,
    MAX_ALERTS,
    Alert,
    alerts_for,
    looked_at,
    payload,
    plan_alerts,
)
from tests.unit.notify_records import check

NOW = "2026-12-07T03:00:00+00:00"
LINK = "https://smoke.example/reports/nightly-1/summary.md"

CRASH = [
    check("ruwiki", "recentchanges", "plain", "failed"),
    check("ruwiki", "recentchanges", "damaging=likelybad", "failed"),
    check("ruwiki", "watchlist", "plain", "failed"),
    check("enwiki", "recentchanges", "plain", "passed"),
]


def test_one_alert_per_root_cause_with_its_labels() -> None:
    alerts = alerts_for("beta", CRASH, LINK, NOW)
    assert len(alerts) == 1
    (alert,) = alerts
    assert alert.labels == {
        "alertname": ALERT_NAME,
        "target": "beta",
        "wiki": "ruwiki",
        "page": "recentchanges,watchlist",
        "cause": alert.labels["cause"],
        "outcome": "failed",
        "kind": "server-error",
    }
    assert alert.labels["cause"].startswith("cause-")
    assert alert.annotations["report"] == LINK
    assert alert.annotations["checks"] == "3"
    assert alert.annotations["summary"].startswith("smoke beta: failed [server-error] HTTP 500")
    assert len(alert.checks) == 3
    for text in alert.labels.values():
        assert "://" not in text and "SECRET" not in text


def test_the_number_of_alerts_is_bounded() -> None:
    many = [
        check(f"w{n}", "recentchanges", "plain", "failed", detector=f"d{n}", message="m")
        for n in range(MAX_ALERTS + 3)
    ]
    assert len(alerts_for("beta", many, LINK, NOW)) == MAX_ALERTS


def test_a_cause_gone_is_resolved_when_its_checks_were_looked_at() -> None:
    before = alerts_for("beta", CRASH, LINK, "2026-12-06T03:00:00+00:00")
    healed = [check(c["wiki"], c["page"], c["variant"], "passed") for c in CRASH]
    plan = plan_alerts(before, alerts_for("beta", healed, LINK, NOW), looked_at(healed))
    assert plan.firing == [] and plan.carried == []
    assert plan.resolved == before
    assert plan.open_after == []


def test_a_cause_not_looked_at_again_stays_open() -> None:
    before = alerts_for("beta", CRASH, LINK, NOW)
    only_enwiki = [check("enwiki", "recentchanges", "plain", "passed")]
    skipped = [check("ruwiki", "recentchanges", "plain", "skipped")]
    for now in (only_enwiki, skipped):
        plan = plan_alerts(before, alerts_for("beta", now, LINK, NOW), looked_at(now))
        assert plan.resolved == [] and plan.carried == before
        assert plan.open_after == before


def test_a_cause_still_there_keeps_firing_from_when_it_began() -> None:
    before = alerts_for("beta", CRASH, LINK, "2026-12-06T03:00:00+00:00")
    plan = plan_alerts(before, alerts_for("beta", CRASH, LINK, NOW), looked_at(CRASH))
    assert [a.starts_at for a in plan.firing] == ["2026-12-06T03:00:00+00:00"]
    assert plan.resolved == []


def test_a_cause_that_spreads_is_a_new_alert_and_the_old_one_resolves() -> None:
    before = alerts_for("beta", CRASH[:2], LINK, NOW)  # recentchanges only
    plan = plan_alerts(before, alerts_for("beta", CRASH, LINK, NOW), looked_at(CRASH))
    assert [a.labels["page"] for a in plan.firing] == ["recentchanges,watchlist"]
    assert plan.resolved == before


def test_payload_firing_holds_resolved_ends_now() -> None:
    before = alerts_for("beta", CRASH, LINK, "2026-12-06T03:00:00+00:00")
    firing = alerts_for(
        "beta", [check("frwiki", "watchlist", "plain", "broken", message="t")], LINK, NOW
    )
    healed = [check(c["wiki"], c["page"], c["variant"], "passed") for c in CRASH]
    plan = plan_alerts(before, firing, looked_at(healed))
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    body = payload(plan, now, hold_s=3600)
    assert [item["endsAt"] for item in body] == ["2026-12-07T04:00:00Z", "2026-12-07T02:59:30Z"]
    assert body[1]["startsAt"] == "2026-12-06T03:00:00Z"
    assert body[0]["generatorURL"] == LINK
    assert set(body[0]) == {"labels", "annotations", "startsAt", "endsAt", "generatorURL"}


def test_a_start_after_the_end_is_moved_before_it() -> None:
    alert = alerts_for("beta", CRASH, "file:///tmp/r/summary.md", "2026-12-07T05:00:00+00:00")
    plan = plan_alerts(alert, [], looked_at(CRASH))
    (item,) = payload(plan, datetime(2026, 12, 7, 3, 0, tzinfo=UTC), hold_s=60)
    assert item["startsAt"] == "2026-12-07T02:59:29Z" and item["endsAt"] == "2026-12-07T02:59:30Z"
    assert "generatorURL" not in item  # only http(s) links


def test_alert_round_trips_through_json() -> None:
    (alert,) = alerts_for("beta", CRASH, LINK, NOW)
    assert Alert.from_dict(alert.to_dict()) == alert
