"""A run (or a watch round) as Prometheus metric families: pure functions over check records.

Every family carries ``target`` and ``command`` (``run`` or ``watch``): a nightly sweep and a
watch of one target can then sit side by side in node_exporter's textfile directory without
colliding. Labels are names from wikis.yaml and smoke's own vocabulary (outcomes, detector and
could-not-check kinds, cause ids): never a URL, a message or a secret, and their number is
bounded (at most :data:`MAX_CAUSE_SERIES` cause series, the rest summed as ``cause="other"``).
The families are formatted by ``prometheus_client`` only (docs/alerting.md lists them).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from smoke.model.outcome import Outcome
from smoke.output.causes import GROUPED_OUTCOMES, group_causes

# Page load times in seconds: a healthy RecentChanges loads in 1-3 s; 30 s is the default timeout.
LOAD_BUCKETS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)
MAX_CAUSE_SERIES = 20  # causes beyond these (by checks) are summed into cause="other"
OTHER_CAUSE = "other"
OUTCOMES = tuple(o.value for o in Outcome)


@dataclass(frozen=True)
class RunFacts:
    """What the metrics are made of: a finished run, or a watch's latest observations."""

    target: str
    command: str  # "run" or "watch"
    checks: Sequence[Mapping[str, Any]]  # results.json records
    started_epoch: float
    finished_epoch: float
    duration_s: float
    interrupted: bool = False
    rounds: int | None = None  # smoke watch: rounds so far

    @property
    def deadline_reached(self) -> bool:
        return any(_error_kind(c) == "DeadlineReached" for c in self.checks)


def _error_kind(check: Mapping[str, Any]) -> str:
    error = check.get("error")
    return str(error.get("kind", "")) if isinstance(error, Mapping) else ""


def load_seconds(check: Mapping[str, Any]) -> float | None:
    """The page's load time (the load event, from navigation start), when it got that far."""
    timings = check.get("timings")
    if not isinstance(timings, Mapping):
        return None
    value = timings.get("load_ms")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    return max(0.0, float(value) / 1000.0)


def cumulative_buckets(
    values: Iterable[float], bounds: Sequence[float] = LOAD_BUCKETS
) -> list[tuple[str, float]]:
    """Histogram buckets as Prometheus wants them: cumulative counts, ``+Inf`` last."""
    observed = sorted(values)
    buckets: list[tuple[str, float]] = []
    for bound in bounds:
        buckets.append((_bound(bound), float(sum(1 for v in observed if v <= bound))))
    buckets.append(("+Inf", float(len(observed))))
    return buckets


def _bound(value: float) -> str:
    return repr(float(value))  # "0.25", "1.0": the form prometheus_client writes itself


def metric_families(facts: RunFacts) -> list[Metric]:
    """The metric families of one run or watch round (docs/alerting.md, *Metrics*)."""
    base = ("target", "command")
    own = (facts.target, facts.command)
    families: list[Metric] = []

    checks = GaugeMetricFamily(
        "smoke_checks",
        "Checks of the run by wiki, page and outcome (zeros included).",
        labels=[*base, "wiki", "page", "outcome"],
    )
    by_page: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for check in facts.checks:
        by_page[(str(check.get("wiki", "")), str(check.get("page", "")))][
            str(check.get("outcome", ""))
        ] += 1
    for (wiki, page), counts in sorted(by_page.items()):
        outcomes = [*OUTCOMES, *sorted(set(counts) - set(OUTCOMES))]
        for outcome in outcomes:
            checks.add_metric([*own, wiki, page, outcome], counts[outcome])
    families.append(checks)

    def gauge(name: str, doc: str, value: float) -> None:
        family = GaugeMetricFamily(name, doc, labels=list(base))
        family.add_metric(list(own), value)
        families.append(family)

    gauge(
        "smoke_run_started_timestamp_seconds",
        "When the run (a watch: the watch) started, in seconds since the epoch.",
        facts.started_epoch,
    )
    gauge(
        "smoke_run_finished_timestamp_seconds",
        "When the run (a watch: its latest round) finished, in seconds since the epoch.",
        facts.finished_epoch,
    )
    gauge(
        "smoke_run_duration_seconds",
        "How long the run (a watch: its latest round) took.",
        facts.duration_s,
    )
    gauge(
        "smoke_run_interrupted",
        "1 when the run was interrupted (Ctrl-C, SIGTERM), else 0.",
        1.0 if facts.interrupted else 0.0,
    )
    gauge(
        "smoke_run_deadline_reached",
        "1 when the run's --deadline passed before every check was loaded, else 0.",
        1.0 if facts.deadline_reached else 0.0,
    )
    if facts.rounds is not None:
        gauge("smoke_watch_rounds", "Rounds the watch has completed so far.", facts.rounds)

    families += _cause_families(facts, base, own)

    load = HistogramMetricFamily(
        "smoke_page_load_seconds",
        "Page load time (navigation start to the load event) of the run's checks.",
        labels=[*base, "wiki", "page"],
    )
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for check in facts.checks:
        seconds = load_seconds(check)
        if seconds is not None:
            times[(str(check.get("wiki", "")), str(check.get("page", "")))].append(seconds)
    for (wiki, page), values in sorted(times.items()):
        load.add_metric(
            [*own, wiki, page], buckets=cumulative_buckets(values), sum_value=sum(values)
        )
    families.append(load)
    return families


def _cause_families(facts: RunFacts, base: tuple[str, ...], own: tuple[str, ...]) -> list[Metric]:
    causes = group_causes(facts.checks)
    count = GaugeMetricFamily(
        "smoke_root_causes",
        "Root causes of the failed and broken checks, by outcome.",
        labels=[*base, "outcome"],
    )
    per_outcome = Counter(c.outcome for c in causes)
    for outcome in GROUPED_OUTCOMES:
        count.add_metric([*own, outcome], per_outcome[outcome])
    per_cause = GaugeMetricFamily(
        "smoke_root_cause_checks",
        f"Checks per root cause (the cause id of results.json; past {MAX_CAUSE_SERIES} causes "
        'the rest are summed as cause="other").',
        labels=[*base, "cause", "outcome", "kind"],
    )
    # group_causes orders failed first, then by checks: the series kept are the ones that matter.
    for cause in causes[:MAX_CAUSE_SERIES]:
        per_cause.add_metric([*own, cause.id, cause.outcome, cause.kind], len(cause.checks))
    rest: Counter[str] = Counter()
    for cause in causes[MAX_CAUSE_SERIES:]:
        rest[cause.outcome] += len(cause.checks)
    for outcome, checks in sorted(rest.items()):
        per_cause.add_metric([*own, OTHER_CAUSE, outcome, OTHER_CAUSE], checks)
    return [count, per_cause]


class _Families(Collector):
    def __init__(self, families: Sequence[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return iter(self.families)


def registry_of(families: Sequence[Metric]) -> CollectorRegistry:
    """A registry holding exactly these families (nothing of the process: no ``python_*``)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return registry
