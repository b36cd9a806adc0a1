"""Every watch round is told: the textfile after each round, an alert in the round its cause
appears, its resolution in the first round without it (scripted pool, HTTP stub)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from smoke.notify.metrics import RunFacts
from smoke.notify.settings import NotifySettings
from tests.unit.test_notify_delivery import Stub, stub  # noqa: F401 (the fixture)
from tests.unit.test_watch_loop import RC, watch_of


def gauge(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return sample.value
    raise AssertionError(f"{name}{labels} missing")


def test_each_round_updates_metrics_fires_then_resolves(stub: Stub, tmp_path: Path) -> None:  # noqa: F811
    textfile = tmp_path / "watch.prom"
    settings = NotifySettings(
        metrics_file=textfile, alertmanager=f"http://127.0.0.1:{stub.server_address[1]}"
    )
    watch, _, said = watch_of(tmp_path, {3: {RC: "failed"}}, notify=settings)
    seen: list[float] = []
    publish = watch.notifier.publish

    def spy(facts: RunFacts) -> list[str]:
        lines = publish(facts)
        seen.append(
            gauge(
                textfile.read_text(),
                "smoke_checks",
                wiki="ruwiki",
                page="recentchanges",
                outcome="failed",
            )
        )
        return lines

    watch.notifier.publish = spy  # type: ignore[method-assign]
    watch.run()
    assert seen == [0, 0, 1, 0, 0, 0]  # one textfile per round, saying that round's outcome
    text = textfile.read_text()
    assert gauge(text, "smoke_watch_rounds", command="watch") == 6
    fired, resolved = (body for _, _, _, body in stub.received)  # nothing posted otherwise
    assert (
        fired[0]["labels"]["page"] == "recentchanges" and fired[0]["endsAt"] > fired[0]["startsAt"]
    )
    assert resolved[0]["labels"] == fired[0]["labels"]
    assert not [line for line in said if "warning" in line]
