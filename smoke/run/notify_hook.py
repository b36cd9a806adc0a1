"""The end of ``smoke run`` told to Prometheus and Alertmanager (:mod:`smoke.notify`).

Called last by :func:`smoke.run.finish.finish_run`, once results.json is written and redacted:
the alerts and metrics are made from that file, so they hold no secret the reports do not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from smoke.notify.metrics import RunFacts
from smoke.notify.notifier import Notifier
from smoke.notify.settings import RUN_HOLD_S, NotifySettings
from smoke.output.past_runs import parse_time
from smoke.output.run_dir import RESULTS_FILE


def notify_settings(config: pytest.Config) -> NotifySettings:
    return NotifySettings(
        metrics_file=config.getoption("metrics"),
        pushgateway=config.getoption("pushgateway"),
        alertmanager=config.getoption("alertmanager"),
        report_url=config.getoption("report_url"),
    )


def _say(config: pytest.Config) -> Any:
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter is not None:
            reporter.write_line(line, yellow=True)
        else:
            print(line, file=sys.stderr, flush=True)

    return say


def notify_run(config: pytest.Config, run_dir: Path, meta: dict[str, Any]) -> None:
    settings = notify_settings(config)
    if not settings.active:
        return
    say = _say(config)
    try:
        body = json.loads((run_dir / RESULTS_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:  # written a moment ago; never a reason to fail the run
        say(f"warning: no metrics or alerts sent: cannot read {run_dir / RESULTS_FILE} ({exc})")
        return
    started, finished = parse_time(meta.get("started_at")), parse_time(meta.get("finished_at"))
    finished_epoch = finished.timestamp() if finished else 0.0
    started_epoch = started.timestamp() if started else finished_epoch
    facts = RunFacts(
        target=str(meta.get("target", "")),
        command="run",
        checks=body.get("checks", []),
        started_epoch=started_epoch,
        finished_epoch=finished_epoch,
        duration_s=max(0.0, finished_epoch - started_epoch),
        interrupted=bool(meta.get("interrupted")),
    )
    notifier = Notifier(
        settings,
        target=facts.target,
        command="run",
        run_dir=run_dir,
        hold_s=RUN_HOLD_S,
        say=say,
    )
    notifier.publish(facts)
