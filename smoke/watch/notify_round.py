"""Every round of ``smoke watch`` told to Prometheus and Alertmanager (:mod:`smoke.notify`).

The metrics are those of ``smoke run`` over the latest observation of every check, with the
round's duration and end; an alert fires in the round its cause appears and is resolved in the
first round it is gone. Firing alerts are posted again every round and end four rounds (at least
five minutes) later unless posted again, so a watch that dies does not leave them firing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from smoke.model.checks import Check
from smoke.notify.metrics import RunFacts
from smoke.notify.notifier import Notifier
from smoke.notify.settings import WATCH_HOLD_MIN_S, NotifySettings
from smoke.watch.timeline import Round


class Watching(Protocol):
    """What a round's notification reads of :class:`smoke.watch.loop.Watch`."""

    @property
    def notifier(self) -> Notifier: ...
    @property
    def rounds(self) -> Sequence[Round]: ...
    @property
    def latest(self) -> Mapping[str, dict[str, Any]]: ...
    @property
    def started_epoch(self) -> float: ...


def watch_notifier(
    settings: NotifySettings,
    checks: Sequence[Check],
    run_dir: Path,
    every_s: float,
    say: Callable[[str], None],
) -> Notifier:
    target = checks[0].target if checks else ""
    hold = max(WATCH_HOLD_MIN_S, 4 * every_s)
    return Notifier(settings, target=target, command="watch", run_dir=run_dir, hold_s=hold, say=say)


def notify_round(watch: Watching, *, interrupted: bool = False) -> None:
    """Publish what the watch knows now (after a round, or when it was interrupted)."""
    notifier = watch.notifier
    if not notifier.settings.active or not watch.rounds:
        return
    current = watch.rounds[-1]
    notifier.publish(
        RunFacts(
            target=notifier.target,
            command="watch",
            checks=[watch.latest[c] for c in sorted(watch.latest)],
            started_epoch=watch.started_epoch,
            finished_epoch=time.time(),
            duration_s=current.duration_s,
            interrupted=interrupted,
            rounds=sum(1 for r in watch.rounds if r.complete),
        )
    )
