"""The persistent worker processes of ``smoke watch``, as the main process sees them.

W processes (:mod:`smoke.watch.worker`) started once with the *spawn* method (a fresh
interpreter: nothing of the main process's state is shared by accident) take checks from one
task queue, so a round's checks spread over whichever worker is free. A worker that dies
mid-check is replaced; its check is reported broken ("the worker process died"), never lost.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import queue
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from multiprocessing.process import BaseProcess
from typing import Any

from smoke.model.checks import Check
from smoke.model.findings import error_record
from smoke.model.outcome import Outcome
from smoke.output.results import result_for
from smoke.watch.worker import Task, WorkerSettings, worker_main

RESTARTS_PER_WORKER = 3  # a worker dying more often than this is a broken machine, not bad luck
STOP_GRACE_S = 2.0  # how long workers get to finish the check in hand when the watch stops
KILL_AFTER_S = 5.0  # after SIGTERM (the browser is closed on the way out)


class PoolFailed(Exception):
    """The workers cannot work (their plan failed, they keep dying): the watch must stop."""


@dataclass(frozen=True)
class Done:
    """A check of a round, finished: its results.json record."""

    round: int
    check_id: str
    record: dict[str, Any]


class WorkerPool:
    """Start W workers once; submit checks; collect their records as they finish."""

    def __init__(self, settings: WorkerSettings, size: int, checks: Mapping[str, Check]) -> None:
        self.settings = settings
        self.size = size
        self.checks = checks
        self._context = multiprocessing.get_context("spawn")
        self._tasks: multiprocessing.queues.Queue[Task | None] = self._context.Queue()
        self._events: multiprocessing.queues.Queue[tuple[Any, ...]] = self._context.Queue()
        self._processes: dict[str, BaseProcess] = {}
        self._busy: dict[str, tuple[int, str]] = {}  # worker → (round, check id) in hand
        self._launches: dict[str, int] = {}  # worker → browsers it has started
        self._started = 0
        self._stopping = False
        self.restarts = 0

    @property
    def browsers_started(self) -> int:
        return sum(self._launches.values())

    @property
    def workers_started(self) -> int:
        return self._started

    def start(self) -> None:
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        self._started += 1
        name = f"w{self._started}"
        process = self._context.Process(
            target=worker_main,
            args=(name, self.settings, self._tasks, self._events),
            name=f"smoke-watch-{name}",
            daemon=True,
        )
        with _sigint_ignored():  # inherited across exec: the worker never sees Ctrl-C at all
            process.start()
        self._processes[name] = process

    def submit(self, task: Task) -> None:
        self._tasks.put(task)

    def next_done(self, timeout: float) -> Done | None:
        """The next finished check, or None after ``timeout`` s (or a worker's "start" note)."""
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return self._replace_dead()
        return self._handle(event)

    def _handle(self, event: tuple[Any, ...]) -> Done | None:
        kind, name = event[0], event[1]
        if kind == "start":
            self._busy[name] = (int(event[2]), str(event[3]))
            return None
        if kind == "done":
            _, _, number, check_id, record, launches = event
            self._busy.pop(name, None)
            self._launches[name] = int(launches)
            return Done(int(number), str(check_id), dict(record))
        if kind == "fatal":
            raise PoolFailed(f"worker {name}: {event[2]}")
        return None

    def _replace_dead(self) -> Done | None:
        if self._stopping:
            return None  # workers leaving after the sentinel are not replaced
        for name, process in list(self._processes.items()):
            if process.is_alive():
                continue
            del self._processes[name]
            self.restarts += 1
            if self.restarts > RESTARTS_PER_WORKER * self.size:
                raise PoolFailed(
                    f"{self.restarts} worker processes died; the last exit code was "
                    f"{process.exitcode}"
                )
            self._spawn()
            in_hand = self._busy.pop(name, None)
            if in_hand is not None:
                return Done(in_hand[0], in_hand[1], self._died(name, in_hand[1], process))
        return None

    def _died(self, name: str, check_id: str, process: BaseProcess) -> dict[str, Any]:
        result = result_for(
            self.checks[check_id],
            Outcome.BROKEN.value,
            error=error_record(
                "WorkerDied",
                f"the worker process {name} died (exit code {process.exitcode}) "
                "while loading this check; a new one was started",
            ),
            worker=name,
        )
        return asdict(result)

    def stop(self, *, grace_s: float = STOP_GRACE_S) -> list[Done]:
        """Stop every worker (checks not yet taken are dropped); what finished meanwhile."""
        self._stopping = True
        _drain(self._tasks.get_nowait)
        for _ in self._processes:
            self._tasks.put(None)
        deadline = time.monotonic() + grace_s
        finished: list[Done] = []
        while any(p.is_alive() for p in self._processes.values()) and time.monotonic() < deadline:
            done = self._quiet(lambda: self.next_done(0.1))
            if done is not None:
                finished.append(done)
        for process in self._processes.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker closes its browser on the way out
        for process in self._processes.values():
            process.join(KILL_AFTER_S)
            if process.is_alive():
                process.kill()
                process.join(1.0)
        for event in _drain(self._events.get_nowait):
            done = self._quiet(partial(self._handle, event))
            if done is not None:
                finished.append(done)
        self._processes.clear()
        for channel in (self._tasks, self._events):
            channel.close()
            channel.cancel_join_thread()  # nobody reads them any more: never block the exit
        return finished

    def _quiet(self, step: Callable[[], Done | None]) -> Done | None:
        try:
            return step()
        except PoolFailed:
            return None  # stopping anyway


def _drain(get: Callable[[], Any]) -> list[Any]:
    items = []
    while True:
        try:
            items.append(get())
        except queue.Empty:
            return items
        except Exception:  # a half-written message of a killed worker: nothing more to read
            return items


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
