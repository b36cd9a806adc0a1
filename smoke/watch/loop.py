"""``smoke watch``: the same selection, round after round, through a deploy window.

2017's outage appeared while a *service* was deployed and was noticed on IRC 45 minutes later.
A watch repeats the checks every ``--every`` for ``--for`` (or until Ctrl-C) with one pool of
persistent workers (:mod:`smoke.watch.pool`: browsers, pages and logins kept between
rounds), prints each transition the moment its result arrives, and writes one run directory
with the last round's records, every round's outcomes and the timeline
(:mod:`smoke.watch.report`). The rules (states, periods, exit code) are in
:mod:`smoke.watch.timeline`.

Rounds never overlap: the next one starts ``--every`` after the previous one started, or at
once (and the output says so) when a round took longer than that.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from smoke.browser.chromium import NoBrowser, find_chromium
from smoke.execute.end_of_run import RunFilesUnwritable
from smoke.execute.signals import Stopper, exit_code
from smoke.model.checks import Check
from smoke.model.exit_codes import WATCH_EXIT_MEANINGS, ExitCode
from smoke.model.findings import error_record
from smoke.model.outcome import Outcome
from smoke.notify.settings import NotifySettings
from smoke.output.results import result_for
from smoke.output.run_dir import AUTH_DIR, new_run_dir, reserve_room, taken_message
from smoke.plan.planner import Plan
from smoke.plan.workers import worker_count
from smoke.watch.notify_round import notify_round, watch_notifier
from smoke.watch.pool import Done, PoolFailed, WorkerPool
from smoke.watch.report import RedactedSay, WatchFacts, write_watch
from smoke.watch.timeline import (
    BAD_STATES,
    Round,
    Transition,
    is_new_failure,
    observe,
    offset,
    overrun_message,
    problem_of,
    state_of,
    watch_exit_code,
)
from smoke.watch.worker import Task, WorkerSettings

POLL_S = 1.0  # how often the main process looks at its workers while a round is in flight
STALL_S = 300.0  # no result for this long: the checks still out are reported broken
STOPPED_WINDOW = "the --for window ended"
STOPPED_ROUNDS = "--rounds reached"
STOPPED_FAILURE = "a new failure (--exit-on-failure)"
STOPPED_INTERRUPT = "interrupted"


@dataclass(frozen=True)
class WatchRequest:
    """What the user asked of a watch (the ``smoke watch`` options that are not the plan's)."""

    every_s: float = 60.0
    for_s: float | None = None  # None: until Ctrl-C (or --rounds)
    rounds: int | None = None  # stop after this many rounds
    exit_on_failure: bool = False
    screenshots: str = "on-failure"
    verbose: bool = False
    workers: str = "auto"
    reports_dir: Path = Path("reports")
    run_id: str | None = None
    browser_path: str | None = None
    headed: bool = False
    resolves: tuple[str, ...] = ()
    notify: NotifySettings = field(default_factory=NotifySettings)  # docs/alerting.md


class Pool(Protocol):
    """What a watch needs of its workers (:class:`WorkerPool`; tests pass a scripted one)."""

    def submit(self, task: Task) -> None: ...

    def next_done(self, timeout: float) -> Done | None: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _say(line: str) -> None:
    """Print now: a watch is read live (terminal, CI log, tee), never buffered."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        # The reader went away (`smoke watch | head`): the watch goes on and writes its files.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)


class Watch:
    """The rounds of one watch, what they observed, and what is printed as results arrive."""

    def __init__(
        self,
        request: WatchRequest,
        checks: Sequence[Check],
        pool: Pool,
        run_dir: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        say: Callable[[str], None] = _say,
        stall_s: float = STALL_S,
    ) -> None:
        self.request, self.checks, self.pool, self.run_dir = request, list(checks), pool, run_dir
        self.stall_s = stall_s  # longer than any check can take (timeouts times attempts)
        self.clock, self.sleep, self.say = clock, sleep, say
        self.t0 = clock()
        self.started_at = _now()
        self.started_epoch = time.time()
        self.rounds: list[Round] = []
        self.timeline: list[Transition] = []
        self.last: dict[str, tuple[str, float]] = {}  # check → (state, seen at)
        self.latest: dict[str, dict[str, Any]] = {}  # check → its latest record
        self.first_records: dict[tuple[str, int], dict[str, Any]] = {}  # failing periods' first
        self.sessions: set[tuple[str, int, int]] = set()  # login session files seen
        self.stop_reason = ""
        self.notifier = watch_notifier(request.notify, checks, run_dir, request.every_s, say)

    def elapsed(self) -> float:
        return self.clock() - self.t0

    # --- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Rounds until --for or --rounds ends the watch or --exit-on-failure fires (Ctrl-C:
        KeyboardInterrupt)."""
        every, window = self.request.every_s, self.request.for_s
        next_start = self.t0
        while True:
            wait = next_start - self.clock()
            if wait > 0:
                self.sleep(wait)
            current = self.run_round(len(self.rounds) + 1)
            if self.stop_reason:
                return
            if self.request.rounds is not None and current.number >= self.request.rounds:
                self.stop_reason = STOPPED_ROUNDS
                return
            message = overrun_message(current.number, current.duration_s, every)
            if message:
                self.say(f"{offset(self.elapsed())} {message}")
            next_start = max(self.t0 + current.offset_s + every, self.clock())
            if window is not None and next_start - self.t0 >= window:
                self.stop_reason = STOPPED_WINDOW
                return

    def run_round(self, number: int) -> Round:
        current = Round(number, self.elapsed(), _now())
        self.rounds.append(current)
        started = self.clock()
        if number > 1:
            _forget_failed_logins(self.run_dir)
        pending: set[str] = set()
        for check in self._ordered():
            if check.skip_reason:
                skipped = result_for(check, Outcome.SKIPPED, skip_reason=check.skip_reason)
                self.observe(number, asdict(skipped))
                continue
            previous = self.last.get(check.id)
            # Evidence of the first failing round of a failing period only: the same failure
            # round after round would write the same screenshot again and again.
            keep = "never" if previous and previous[0] in BAD_STATES else self.request.screenshots
            self.pool.submit(Task(number, check.id, keep))
            pending.add(check.id)
        progress = self.clock()
        while pending:
            done = self.pool.next_done(POLL_S)
            if done is not None and done.round == number and done.check_id in pending:
                pending.discard(done.check_id)
                self.observe(number, done.record)
                progress = self.clock()
            elif self.clock() - progress > self.stall_s:
                self._give_up_on(number, pending)
        current.duration_s = self.clock() - started
        current.complete = True
        self.note_sessions()
        self._round_line(current)
        notify_round(self)
        return current

    def _give_up_on(self, number: int, pending: set[str]) -> None:
        """No result for longer than any check can take: a worker lost them (it died between
        taking a check and saying so). They are broken this round; the watch goes on."""
        by_id = {c.id: c for c in self.checks}
        for check_id in sorted(pending):
            error = error_record(
                "NoResult", f"no worker reported a result within {self.stall_s:g} s"
            )
            self.observe(number, asdict(result_for(by_id[check_id], Outcome.BROKEN, error=error)))
        pending.clear()

    def _ordered(self) -> list[Check]:
        """The plan's order: a wiki's page after page, as `smoke run` gives them to workers.

        Measured (bench --scenario watch): sorting longest-first interleaved wikis and pages and
        made a round ~10 % slower than a fresh run; in the plan's order a worker keeps loading
        the same wiki's pages, whose modules are already compiled and cached.
        """
        return list(self.checks)

    def observe(self, number: int, record: dict[str, Any]) -> None:
        """One result of round ``number``: remember it; print and time a transition."""
        at = self.elapsed()
        check_id, outcome = str(record["id"]), str(record["outcome"])
        if self.rounds and self.rounds[-1].number == number:
            self.rounds[-1].outcomes[check_id] = outcome
        self.latest[check_id] = record
        transition = observe(
            check_id,
            self.last.get(check_id),
            outcome,
            at_s=at,
            round_number=number,
            problem=problem_of(record),
        )
        self.last[check_id] = (state_of(outcome), at)
        if transition is None:
            return
        self.timeline.append(transition)
        if transition.after in BAD_STATES:
            self.first_records[(check_id, number)] = record
        self.say(transition.line())
        if self.request.exit_on_failure and is_new_failure(transition) and not self.stop_reason:
            self.stop_reason = STOPPED_FAILURE
            self.say(f"{offset(at)} new failure: stopping after this round (--exit-on-failure)")

    def _round_line(self, current: Round) -> None:
        counts = Counter(current.outcomes.values())
        shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        took = f"{current.duration_s:.1f} s"
        if current.number == 1:
            self.say(
                f"{offset(self.elapsed())} round 1 (baseline): {len(current.outcomes)} checks "
                f"in {took} — {shown}"
            )
        elif self.request.verbose:
            self.say(f"{offset(self.elapsed())} round {current.number}: {shown} in {took}")

    def note_sessions(self) -> None:
        """Remember the login session files that exist now (the watch counts logins)."""
        for path in (self.run_dir / AUTH_DIR).glob("*.json"):
            try:
                stat = path.stat()
            except OSError:
                continue
            self.sessions.add((path.name, stat.st_ino, stat.st_mtime_ns))

    def facts(self, *, exit_code: ExitCode, notes: list[str], target: str) -> WatchFacts:
        return WatchFacts(
            target=target,
            started_at=self.started_at,
            started_epoch=self.started_epoch,
            duration_s=self.elapsed(),
            every_s=self.request.every_s,
            for_s=self.request.for_s,
            exit_on_failure=self.request.exit_on_failure,
            stopped=self.stop_reason,
            rounds=[r.to_dict() for r in self.rounds],
            timeline=list(self.timeline),
            latest=dict(self.latest),
            last_seen={check: seen for check, (_, seen) in self.last.items()},
            first_records=dict(self.first_records),
            logins=len(self.sessions),
            exit_code=exit_code,
            notes=notes,
        )


def _forget_failed_logins(run_dir: Path) -> None:
    """A login that failed is retried once per round, not never again (the wiki may be back).

    Between rounds no worker is loading anything, so no lock is needed.
    """
    for failed in (run_dir / AUTH_DIR).glob("*.failed"):
        failed.unlink(missing_ok=True)


def _stall_after(plan: Plan, checks: Sequence[Check]) -> float:
    """Longer than any check can take: every attempt running into both of its timeouts."""
    settings = [plan.capture_settings(wiki) for wiki in {c.wiki for c in checks}]
    per_attempt = max((s.navigation_timeout_s + s.ready_timeout_s for s in settings), default=45)
    return per_attempt * (plan.retries + 1) + 60.0


def run_watch(request: WatchRequest, plan: Plan, checks: Sequence[Check]) -> int:
    """Watch ``checks``; write the run directory; the exit code (docs/watch.md)."""
    try:
        browser = find_chromium(request.browser_path, headless=not request.headed).describe()
    except NoBrowser as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        run_dir = new_run_dir(request.reports_dir, request.run_id)
    except FileExistsError:
        print(f"smoke: {taken_message(request.reports_dir, request.run_id)}", file=sys.stderr)
        return ExitCode.USAGE
    reserve_room(run_dir)

    say = RedactedSay(plan.secrets(), run_dir, _say)
    runnable = sum(1 for c in checks if not c.skip_reason)
    workers, capped = worker_count(
        request.workers, runnable, remote=not plan.served_here(request.resolves)
    )
    window = f"for {request.for_s:g} s" if request.for_s else "until Ctrl-C"
    if request.rounds is not None:
        window = f"{window}, at most {request.rounds} round(s)"
    say(
        f"smoke watch: {len(checks)} check{'s' if len(checks) != 1 else ''} on target "
        f"{plan.target} every "
        f"{request.every_s:g} s {window}, {workers} worker(s) with {browser}; reports in {run_dir}"
    )
    notes = [*plan.notes(), *([capped] if capped else [])]
    for note in notes:
        say(f"note: {note}")
    settings = WorkerSettings(
        plan.options, run_dir, request.browser_path, request.headed, request.resolves
    )
    pool = WorkerPool(settings, workers, {c.id: c for c in checks})
    watch = Watch(request, checks, pool, run_dir, stall_s=_stall_after(plan, checks), say=say)
    interrupted = pool_failed = False
    # SIGINT, SIGTERM (a CI job's timeout) and SIGHUP end a watch alike; a second one at once.
    stopper = Stopper(private_dir=run_dir / AUTH_DIR)
    stopper.install()
    try:
        try:
            pool.start()
            watch.run()
        except KeyboardInterrupt:
            interrupted = True
        except PoolFailed as exc:
            pool_failed = True
            notes.append(f"the watch stopped early: {exc}")
            say(f"smoke: {exc}")
        finally:
            # From here on a first signal is noted, never raised: the writing is not cut short.
            stopper.deferring = True
            if stopper.received is not None:
                interrupted = True
            if interrupted:
                watch.stop_reason = f"{STOPPED_INTERRUPT} ({stopper.name or 'SIGINT'})"
                at = offset(watch.elapsed())
                say(f"{at} {watch.stop_reason}: stopping, writing what was seen")
            late = pool.stop(grace_s=2.0 if interrupted else 10.0)
        for done in late:
            # After Ctrl-C a check may end broken only because the interrupt reached its
            # browser: what was seen before the interrupt is kept, that is not.
            dropped = interrupted and done.record.get("outcome") == Outcome.BROKEN
            if watch.rounds and done.round == watch.rounds[-1].number and not dropped:
                watch.observe(done.round, done.record)
        watch.note_sessions()
        code = watch_exit_code(
            [r.outcomes for r in watch.rounds],
            interrupted=interrupted,
            stopped=watch.stop_reason == STOPPED_FAILURE,
        )
        if code == ExitCode.OK and pool_failed:
            code = ExitCode.BROKEN  # the workers gave up: not everything was checked
        if interrupted:
            code = ExitCode(exit_code(stopper.received or 2))
        facts = watch.facts(exit_code=code, notes=notes, target=plan.target)
        facts.browsers_started = pool.browsers_started
        facts.workers_started = pool.workers_started
        facts.interrupted_by = (stopper.name or "SIGINT") if interrupted else None
        say.learn()  # once more before the end of run removes the sessions
        try:
            lines = write_watch(run_dir, facts, plan.secrets())
        except RunFilesUnwritable as exc:
            print(f"smoke: {exc}", file=sys.stderr)
            return ExitCode.ENVIRONMENT
        for line in lines:
            say(line)
        if stopper.received is not None and not interrupted:
            code = ExitCode(exit_code(stopper.received))  # a signal while the files were written
        if interrupted:
            notify_round(watch, interrupted=True)
        say(f"exit {int(code)}: {WATCH_EXIT_MEANINGS[code]}")
        return code
    finally:
        shutil.rmtree(run_dir / AUTH_DIR, ignore_errors=True)  # sessions are secrets, always
        stopper.restore()
