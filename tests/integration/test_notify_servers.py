"""Metrics and alerts against the real servers of Debian's packages and the real farm: a run
pushes its metrics to the Pushgateway and writes the textfile; with Alertmanager down the verdict
and the files are those of a run without it, and the output says what was not sent; a watch
fires an alert for the fault's cause, and resolves it once the fault is off.

Lean on purpose: one wiki, one page, one variant (the fault breaks it on every load).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from smoke.model.exit_codes import ExitCode
from smoke.testbed.state import FarmState
from tests.integration.prom_servers import alertmanager, free_port, pushgateway, smoke_alerts
from tests.integration.runner_helpers import smoke_run
from tests.integration.test_watch import FAULT, switch, watching

ONE_CHECK = ("--wiki", "ruwiki", "--page", "recentchanges", "--variant", "plain")
RUN = (*ONE_CHECK, "--retries", "0", "--workers", "1")
CHECK = "ruwiki/recentchanges/plain"


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (dict(s.labels), s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    ]


def failed_checks(text: str, **labels: str) -> float:
    want = {"target": "local", "wiki": "ruwiki", "page": "recentchanges", "outcome": "failed"}
    for found, value in samples(text, "smoke_checks"):
        if {**want, **labels}.items() <= found.items():
            return value
    raise AssertionError(f"no smoke_checks{want} in:\n{text}")


def files(run_dir: Path) -> set[str]:
    """The run's files; Allure's by kind (their names are random uuids)."""
    found = set()
    for path in run_dir.rglob("*"):
        if path.is_file():
            name = str(path.relative_to(run_dir))
            if name.startswith("allure-results/"):
                name = "allure-results/*" + name.rsplit("-", 1)[-1]
            found.add(name)
    return found


def test_a_run_pushes_metrics_and_alertmanager_down_changes_nothing(
    farm_state: FarmState, fault: Callable[..., None], tmp_path: Path
) -> None:
    fault("ruwiki", FAULT)
    plain = smoke_run(farm_state, tmp_path / "plain", *RUN, run_id="plain")
    textfile = tmp_path / "smoke.prom"
    down = f"http://127.0.0.1:{free_port()}"
    with pushgateway(tmp_path) as gateway:
        told = smoke_run(
            farm_state,
            tmp_path / "told",
            *RUN,
            "--metrics",
            str(textfile),
            "--pushgateway",
            gateway.url,
            "--alertmanager",
            down,
            run_id="told",
        )
        pushed = gateway.get("/metrics").decode()
    output = told.stdout + told.stderr
    # The verdict and the files are those of the run that told no one.
    assert plain.code == told.code == ExitCode.DEFECT, output
    assert told.by_outcome("failed") == plain.by_outcome("failed") == {CHECK}
    assert files(told.run_dir) - files(plain.run_dir) == {"notify.json"}, output
    # ... and the output says what was not sent, in one line.
    (line,) = [ln for ln in output.splitlines() if "alerts not sent" in ln]
    cause = told.check(CHECK)["cause"]
    assert f"1 firing, 0 resolved: {cause}" in line and down.split("//")[1] in line
    # The Pushgateway holds the run's metrics, grouped by job and target.
    assert failed_checks(pushed, job="smoke_run", command="run") == 1
    (finished,) = [
        v
        for lb, v in samples(pushed, "smoke_run_finished_timestamp_seconds")
        if lb.get("job") == "smoke_run"
    ]
    assert abs(finished - time.time()) < 600
    assert [v for lb, v in samples(pushed, "smoke_root_cause_checks") if lb["cause"] == cause] == [
        1
    ]
    # The textfile says the same, and parses with prometheus_client's parser.
    text = textfile.read_text()
    assert failed_checks(text, command="run") == 1
    assert samples(text, "smoke_page_load_seconds_count")[0][1] == 1


def wait_until(what: Callable[[], Any], timeout: float, describe: Callable[[], str]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(describe())


def test_watch_fires_an_alert_for_the_cause_and_resolves_it(
    farm_state: FarmState, tmp_path: Path
) -> None:
    with alertmanager(tmp_path) as am:
        switch(farm_state, True)
        window = ("--every", "3s", "--for", "120s", "-n", "1", "--retries", "0")
        with watching(
            farm_state, tmp_path, *ONE_CHECK[2:], *window, "--alertmanager", am.url
        ) as run:
            run.wait_for(r"round 1 \(baseline\)")
            (alert,) = wait_until(
                lambda: smoke_alerts(am), 20, lambda: f"no alert:\n{run.output()}"
            )
            labels = alert["labels"]
            assert labels["target"] == "local" and labels["wiki"] == "ruwiki", labels
            assert labels["page"] == "recentchanges" and labels["outcome"] == "failed", labels
            assert labels["kind"] == "server-error" and labels["cause"].startswith("cause-")
            assert "HTTP 500" in alert["annotations"]["summary"]
            assert alert["annotations"]["report"].endswith("/watch/summary.md")
            switch(farm_state, False)
            run.wait_for(r"failed → passed")
            wait_until(lambda: smoke_alerts(am) == [], 30, lambda: f"not resolved:\n{run.output()}")
            os.killpg(run.proc.pid, signal.SIGINT)
            run.proc.wait(60)
        assert run.proc.returncode == ExitCode.INTERRUPTED, run.output()
        assert smoke_alerts(am) == []  # the last publication (interrupted) fired nothing again
        assert "warning: " not in run.output()
    body = run.results()
    assert body["failing_periods"][0]["cause"] == labels["cause"]
