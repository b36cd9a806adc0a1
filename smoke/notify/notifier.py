"""The end of a run, or of a watch round, told to Prometheus and Alertmanager.

One :class:`Notifier` per run (or per watch). :meth:`Notifier.publish` builds the metric
families and the alerts from the check records (:mod:`smoke.notify.metrics`,
:mod:`smoke.notify.alerts`), delivers them (:mod:`smoke.notify.send`) and writes
``<run>/notify.json``: the alerts Alertmanager may hold as firing once this run is done, and
what could not be delivered. The next run of the same target (or the watch's next round) reads
it to resolve the alerts whose cause is gone, so resolving survives between nightly runs and an
Alertmanager that was down.

Nothing here changes a run's verdict or files: a delivery that fails is one warning line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smoke.notify.alerts import Alert, alerts_for, looked_at, payload, plan_alerts
from smoke.notify.metrics import RunFacts, metric_families, registry_of
from smoke.notify.send import post_alerts, push, write_textfile
from smoke.notify.settings import NotifySettings

STATE_FILE = "notify.json"


def read_state(path: Path) -> dict[str, Any] | None:
    try:
        body = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def previous_open(reports_dir: Path, target: str, exclude: Path) -> list[Alert]:
    """The alerts left open by the last run (or watch) of ``target`` under ``reports_dir``."""
    newest: tuple[str, dict[str, Any]] | None = None
    for path in reports_dir.glob(f"*/{STATE_FILE}"):
        if path.parent.resolve() == exclude.resolve() or path.parent.is_symlink():
            continue
        state = read_state(path)
        if state is None or state.get("target") != target:
            continue
        stamp = str(state.get("updated_at", ""))
        if newest is None or stamp > newest[0]:
            newest = (stamp, state)
    if newest is None:
        return []
    return [Alert.from_dict(a) for a in newest[1].get("alerts_open") or [] if isinstance(a, dict)]


class Notifier:
    def __init__(
        self,
        settings: NotifySettings,
        *,
        target: str,
        command: str,
        run_dir: Path,
        hold_s: float,
        say: Callable[[str], None],
    ) -> None:
        self.settings, self.target, self.command = settings, target, command
        self.run_dir, self.hold_s, self.say = run_dir, hold_s, say
        self.open: list[Alert] | None = None  # read from the previous run at the first publish

    @property
    def job(self) -> str:
        return f"smoke_{self.command}"

    def publish(self, facts: RunFacts) -> list[str]:
        """Deliver the metrics and alerts of ``facts``; the warning lines (also said)."""
        if not self.settings.active:
            return []
        problems: list[str] = []
        registry = registry_of(metric_families(facts))
        if self.settings.metrics_file is not None:
            problems.append(write_textfile(self.settings.metrics_file, registry) or "")
        if self.settings.pushgateway:
            grouping = {"target": self.target}
            url, timeout = self.settings.pushgateway, self.settings.timeout_s
            problems.append(push(url, self.job, grouping, registry, timeout) or "")
        if self.open is None:
            self.open = previous_open(self.run_dir.parent, self.target, self.run_dir)
        sent = {"firing": 0, "resolved": 0, "delivered": True}
        if self.settings.alertmanager:
            problem, sent = self._alerts(facts.checks)
            problems.append(problem)
        lines = [f"warning: {p}" for p in problems if p]
        self._write_state(sent, lines)
        for line in lines:
            self.say(line)
        return lines

    def _alerts(self, checks: Sequence[Mapping[str, Any]]) -> tuple[str, dict[str, Any]]:
        assert self.settings.alertmanager and self.open is not None
        now = datetime.now(UTC)
        stamp = now.isoformat(timespec="seconds")
        link = self.settings.report_link(self.run_dir)
        current = alerts_for(self.target, checks, link, stamp)
        plan = plan_alerts(self.open, current, looked_at(checks))
        body = payload(plan, now, self.hold_s)
        url, timeout = self.settings.alertmanager, self.settings.timeout_s
        error = post_alerts(url, body, timeout) if body else None
        sent = {"firing": len(plan.firing), "resolved": len(plan.resolved), "delivered": not error}
        # Resolutions that did not arrive are tried again by the next round or run.
        self.open = plan.open_after + (plan.resolved if error else [])
        if not error:
            return "", sent
        causes = ", ".join(a.labels.get("cause", "?") for a in [*plan.firing, *plan.resolved])
        return (
            f"alerts not sent ({len(plan.firing)} firing, {len(plan.resolved)} resolved: "
            f"{causes}) — {error}; the verdict and the reports are unaffected; the alerts "
            f"still open are kept for the next run in {self.run_dir / STATE_FILE}",
            sent,
        )

    def _write_state(self, sent: dict[str, Any], warnings: list[str]) -> None:
        state = {
            "target": self.target,
            "command": self.command,
            "updated_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "alerts_open": [a.to_dict() for a in self.open or []],
            "last_alerts": sent,
            "warnings": warnings,
        }
        path = self.run_dir / STATE_FILE
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(state, indent=1, ensure_ascii=False) + "\n", "utf-8")
            tmp.replace(path)
        except OSError as exc:
            self.say(f"warning: {path} not written ({exc}): the next run cannot resolve alerts")
