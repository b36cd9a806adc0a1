"""Metric families of a run, from hand-built records: what they say, and that they parse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from smoke.notify.metrics import (
    MAX_CAUSE_SERIES,
    RunFacts,
    cumulative_buckets,
    metric_families,
    registry_of,
)
from smoke.notify.send import write_textfile
from tests.unit.notify_records import check


def facts(
    checks: list[dict[str, Any]],
    *,
    command: str = "run",
    interrupted: bool = False,
    rounds: int | None = None,
) -> RunFacts:
    return RunFacts(
        target="beta",
        command=command,
        checks=checks,
        started_epoch=1_700_000_000.0,
        finished_epoch=1_700_000_090.0,
        duration_s=90.0,
        interrupted=interrupted,
        rounds=rounds,
    )


Found = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(run: RunFacts) -> Found:
    text = generate_latest(registry_of(metric_families(run))).decode()
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Found, name: str, **labels: str) -> float:
    full = {"target": "beta", "command": "run", **labels}
    return found[(name, tuple(sorted(full.items())))]


RUN = [
    check("ruwiki", "recentchanges", "plain", "failed"),
    check("ruwiki", "recentchanges", "damaging=likelybad", "failed"),
    check("ruwiki", "watchlist", "plain", "passed", load_ms=2500.0),
    check("enwiki", "recentchanges", "plain", "broken", message="timed out", load_ms=None),
    check("enwiki", "recentchanges", "damaging=likelybad", "skipped", load_ms=None),
]


def test_checks_by_wiki_page_and_outcome_with_zeros() -> None:
    found = samples(facts(RUN))
    assert value(found, "smoke_checks", wiki="ruwiki", page="recentchanges", outcome="failed") == 2
    assert value(found, "smoke_checks", wiki="ruwiki", page="recentchanges", outcome="passed") == 0
    assert value(found, "smoke_checks", wiki="ruwiki", page="watchlist", outcome="passed") == 1
    assert value(found, "smoke_checks", wiki="enwiki", page="recentchanges", outcome="broken") == 1
    assert value(found, "smoke_checks", wiki="enwiki", page="recentchanges", outcome="skipped") == 1


def test_run_level_gauges() -> None:
    found = samples(facts(RUN, interrupted=True))
    assert value(found, "smoke_run_finished_timestamp_seconds") == 1_700_000_090.0
    assert value(found, "smoke_run_started_timestamp_seconds") == 1_700_000_000.0
    assert value(found, "smoke_run_duration_seconds") == 90.0
    assert value(found, "smoke_run_interrupted") == 1.0
    assert value(found, "smoke_run_deadline_reached") == 0.0
    assert not any(name == "smoke_watch_rounds" for name, _ in found)


def test_deadline_and_watch_rounds() -> None:
    late = check("ruwiki", "watchlist", "plain", "broken", kind="DeadlineReached", message="x")
    found = samples(facts([late], command="watch", rounds=7))
    assert value(found, "smoke_run_deadline_reached", command="watch") == 1.0
    assert value(found, "smoke_watch_rounds", command="watch") == 7.0


def test_root_causes_count_and_checks_per_cause() -> None:
    found = samples(facts(RUN))
    assert value(found, "smoke_root_causes", outcome="failed") == 1
    assert value(found, "smoke_root_causes", outcome="broken") == 1
    per_cause = {
        dict(labels)["kind"]: v
        for (name, labels), v in found.items()
        if name == "smoke_root_cause_checks"
    }
    assert per_cause == {"server-error": 2, "NavigationTimeout": 1}


def test_cause_series_are_bounded() -> None:
    many = [
        check(f"wiki{n}", "recentchanges", "plain", "failed", detector=f"d{n}", message="m")
        for n in range(MAX_CAUSE_SERIES + 5)
    ]
    found = samples(facts(many))
    causes = [
        dict(lb)["cause"] for (name, lb), _ in found.items() if name == "smoke_root_cause_checks"
    ]
    assert len(causes) == MAX_CAUSE_SERIES + 1
    assert (
        value(found, "smoke_root_cause_checks", cause="other", outcome="failed", kind="other") == 5
    )
    assert value(found, "smoke_root_causes", outcome="failed") == MAX_CAUSE_SERIES + 5


def test_load_time_histogram_per_page() -> None:
    found = samples(facts(RUN))
    rc = {"wiki": "ruwiki", "page": "recentchanges"}
    assert value(found, "smoke_page_load_seconds_count", **rc) == 2
    assert value(found, "smoke_page_load_seconds_sum", **rc) == 2.4
    assert value(found, "smoke_page_load_seconds_bucket", le="1.0", **rc) == 0
    assert value(found, "smoke_page_load_seconds_bucket", le="2.0", **rc) == 2
    assert value(found, "smoke_page_load_seconds_bucket", le="+Inf", **rc) == 2
    # A page that never loaded has no load time (not a zero).
    assert (
        "smoke_page_load_seconds_count",
        (("command", "run"), ("page", "recentchanges"), ("target", "beta"), ("wiki", "enwiki")),
    ) not in found


def test_cumulative_buckets() -> None:
    assert cumulative_buckets([0.1, 1.0, 100.0], (0.5, 1.0)) == [
        ("0.5", 1.0),
        ("1.0", 2.0),
        ("+Inf", 3.0),
    ]


def test_no_label_is_a_url_a_message_or_a_secret() -> None:
    for (_, labels), _ in samples(facts(RUN)).items():
        for name, text in labels:
            assert name.isidentifier() and not name.startswith("__")
            assert "://" not in text and "SECRET" not in text and "HTTP 500" not in text


def test_textfile_is_written_atomically_and_parses(tmp_path: Path) -> None:
    path = tmp_path / "smoke.prom"
    path.write_text("old content\n")
    assert write_textfile(path, registry_of(metric_families(facts(RUN)))) is None
    names = {f.name for f in text_string_to_metric_families(path.read_text())}
    assert {"smoke_checks", "smoke_page_load_seconds", "smoke_run_interrupted"} <= names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smoke.prom"]  # no temporary left


def test_textfile_in_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    line = write_textfile(tmp_path / "gone" / "smoke.prom", registry_of([]))
    assert line is not None and "metrics not written to" in line and "\n" not in line
