"""Alerts for Alertmanager (API v2): one per root cause, and when to resolve one. Pure functions.

An alert's identity is its label set: ``alertname="SmokeRootCause"``, ``target``, ``wiki``,
``page``, ``cause`` (the cause id of results.json), ``outcome`` and ``kind`` (detector or
could-not-check kind). A cause covering several wikis or pages names them comma-separated in
sorted order. Labels never hold a URL or a message: those are annotations.

Resolving (an alert posted with ``endsAt`` now) happens only when the alert's cause is gone *and*
every check it covered was checked again: a narrower selection, a shard or a skipped check never
resolves an alert it did not look at; such an alert stays open until a run that checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from smoke.model.outcome import Outcome
from smoke.output.causes import group_causes

ALERT_NAME = "SmokeRootCause"
MAX_ALERTS = 50  # one alert per cause, the 50 with the most checks (failed first)
SUMMARY_CHARS = 400
# A resolution ends this long before now: Alertmanager ignores an end still in the future (by its
# clock) while the alert's earlier end lies further ahead, so a clock ahead of its would lose it.
RESOLVE_SKEW_S = 30.0
# Outcomes of a check that was loaded (every one but skipped).
LOOKED_AT = tuple(o.value for o in Outcome if o is not Outcome.SKIPPED)


@dataclass(frozen=True)
class Alert:
    """One alert: its labels (its identity), annotations, the checks it covers, when it began."""

    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    checks: tuple[str, ...]
    starts_at: str  # ISO time the cause was first seen (kept across runs while it lasts)

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.labels.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "checks": list(self.checks),
            "starts_at": self.starts_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        return cls(
            labels={str(k): str(v) for k, v in dict(data.get("labels") or {}).items()},
            annotations={str(k): str(v) for k, v in dict(data.get("annotations") or {}).items()},
            checks=tuple(str(c) for c in data.get("checks") or ()),
            starts_at=str(data.get("starts_at") or ""),
        )


def _joined(values: Iterable[str]) -> str:
    return ",".join(sorted({v for v in values if v}))


def _short(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def alerts_for(
    target: str, checks: Sequence[Mapping[str, Any]], report_url: str, now: str
) -> list[Alert]:
    """The alerts of a run's (or round's) root causes, at most :data:`MAX_ALERTS`."""
    alerts = []
    for cause in group_causes(checks)[:MAX_ALERTS]:
        labels = {
            "alertname": ALERT_NAME,
            "target": target,
            "wiki": _joined(cause.wikis),
            "page": _joined(cause.pages),
            "cause": cause.id,
            "outcome": cause.outcome,
            "kind": cause.kind,
        }
        example = cause.example
        annotations = {
            "summary": _short(f"smoke {target}: {cause.outcome} [{cause.kind}] {cause.one_line()}"),
            "checks": str(len(cause.checks)),
            "example": str(example.get("id", "")),
            "report": report_url,
        }
        ids = tuple(sorted(str(c.get("id", "")) for c in cause.checks))
        alerts.append(Alert(labels, annotations, ids, now))
    return alerts


@dataclass
class AlertPlan:
    """What to post now, and what stays open afterwards."""

    firing: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)
    carried: list[Alert] = field(default_factory=list)  # open, not looked at this time

    @property
    def open_after(self) -> list[Alert]:
        """Alerts Alertmanager may hold as firing once this plan is posted."""
        return [*self.firing, *self.carried]


def looked_at(checks: Iterable[Mapping[str, Any]]) -> set[str]:
    """Ids of the checks that were really loaded (skipped and missing checks say nothing)."""
    return {str(c.get("id", "")) for c in checks if str(c.get("outcome", "")) in LOOKED_AT}


def plan_alerts(
    open_before: Sequence[Alert], current: Sequence[Alert], checked: set[str]
) -> AlertPlan:
    """Fire the current alerts (keeping the start of those already open); resolve the open ones
    whose cause is gone and whose checks were all looked at; carry the rest."""
    before = {alert.key: alert for alert in open_before}
    plan = AlertPlan()
    for alert in current:
        earlier = before.get(alert.key)
        starts = earlier.starts_at if earlier is not None and earlier.starts_at else alert.starts_at
        plan.firing.append(Alert(alert.labels, alert.annotations, alert.checks, starts))
    firing = {alert.key for alert in current}
    for key, alert in before.items():
        if key in firing:
            continue
        if alert.checks and set(alert.checks) <= checked:
            plan.resolved.append(alert)
        else:
            plan.carried.append(alert)
    return plan


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def payload(plan: AlertPlan, now: datetime, hold_s: float) -> list[dict[str, Any]]:
    """The body of ``POST /api/v2/alerts``: firing alerts end ``hold_s`` from now unless posted
    again (so a tester that dies does not leave them firing for ever); resolved ones end now
    (:data:`RESOLVE_SKEW_S` ago)."""
    body = []
    for alert in plan.firing:
        body.append(_postable(alert, now, now + timedelta(seconds=hold_s)))
    for alert in plan.resolved:
        body.append(_postable(alert, now, now - timedelta(seconds=RESOLVE_SKEW_S)))
    return body


def _postable(alert: Alert, now: datetime, ends: datetime) -> dict[str, Any]:
    try:
        starts = datetime.fromisoformat(alert.starts_at.replace("Z", "+00:00"))
    except ValueError:
        starts = now
    if starts.tzinfo is None:
        starts = starts.replace(tzinfo=UTC)
    starts = min(starts, ends - timedelta(seconds=1))  # Alertmanager: the start precedes the end
    item: dict[str, Any] = {
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "startsAt": _iso(starts),
        "endsAt": _iso(ends),
    }
    report = alert.annotations.get("report", "")
    if report.startswith(("http://", "https://")):
        item["generatorURL"] = report
    return item
