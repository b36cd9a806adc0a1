"""The local farm the bench measures against, driven through the ``smoke testbed`` CLI.

Either a temporary farm (``testbed up`` on free ports, ``down --purge`` at the end) or a given
one (``--testbed-dir``). Faults are switched with ``smoke testbed fault`` and always switched off
again (:meth:`Farm.faults`).
"""

from __future__ import annotations

import random
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.env import REPO, SMOKE, SetupError, log
from smoke.testbed import FarmState, load_state
from smoke.testbed.state import NoFarm

PORTS = 5  # the scoring service and four wikis


@dataclass(frozen=True)
class FaultSwitch:
    wiki: str
    fault: str  # a name of smoke.testbed.FAULTS
    delay_s: int | None = None  # the `slow` fault's delay

    def describe(self) -> str:
        delay = f" {self.delay_s} s" if self.delay_s is not None else ""
        return f"{self.wiki} {self.fault}{delay}"


class Farm:
    def __init__(self, state_dir: Path, *, temporary: bool) -> None:
        self.state_dir = state_dir
        self.temporary = temporary

    def describe(self) -> str:
        return f"{self.state_dir} ({'temporary' if self.temporary else 'given'})"

    def up(self, base_port: int | None, mediawiki: str | None = None) -> None:
        """Bring up the temporary farm (on ``base_port``, else on free ports), of the MediaWiki
        generation ``mediawiki`` (None: the farm's default)."""
        base = base_port if base_port is not None else free_base_port()
        log(f"bringing up a temporary farm on ports {base}-{base + PORTS - 1} in {self.state_dir}")
        started = time.monotonic()
        generation = ["--mediawiki", mediawiki] if mediawiki else []
        self._testbed(["up", "--base-port", str(base), "--no-install", *generation], 600)
        log(f"farm up in {time.monotonic() - started:.1f} s")

    def down(self) -> bool:
        """Take the temporary farm down; False when that did not finish (state left behind)."""
        if not (self.temporary and (self.state_dir / "state.json").exists()):
            return True
        log("taking the temporary farm down")
        try:
            subprocess.run(
                [SMOKE, "testbed", "--state-dir", str(self.state_dir), "down", "--purge"],
                capture_output=True,
                timeout=60,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            log(f"warning: `smoke testbed down` timed out; farm state left in {self.state_dir}")
            return False
        return True

    def state(self) -> FarmState:
        try:
            return load_state(self.state_dir)
        except NoFarm as exc:
            raise SetupError(f"bench: {exc}") from None

    def base_urls(self) -> dict[str, str]:
        return {wiki_id: wiki.url for wiki_id, wiki in self.state().wikis.items()}

    def pgids(self) -> set[int]:
        """The farm's process groups, never measured as a mode's nor killed. Read afresh each
        time: switching `down` off starts the wiki again under a new group."""
        state = self.state()
        pgids = {wiki.pgid for wiki in state.wikis.values()} | {state.service.pgid}
        return {p for p in pgids if p}

    def require_no_faults(self) -> None:
        on = {wiki.id: sorted(wiki.faults) for wiki in self.state().wikis.values() if wiki.faults}
        if on:
            listed = "; ".join(f"{w}: {', '.join(f)}" for w, f in sorted(on.items()))
            raise SetupError(
                f"bench: the farm has faults switched on ({listed}); the bench measures a "
                "healthy farm: switch them off (`smoke testbed fault WIKI FAULT off`)"
            )

    def switch(self, fault: FaultSwitch, on: bool) -> None:
        argv = ["fault", fault.wiki, fault.fault, "on" if on else "off"]
        if on and fault.delay_s is not None:
            argv += ["--delay", str(fault.delay_s)]
        self._testbed(argv, 120)
        log(f"fault {fault.describe()} {'on' if on else 'off'}")

    @contextmanager
    def faults(self, switches: Sequence[FaultSwitch]) -> Iterator[None]:
        """Switch these faults on for the block; off again afterwards, whatever happened (the
        ones already switched on, also when switching a later one failed)."""
        done: list[FaultSwitch] = []
        try:
            for fault in switches:
                done.append(fault)  # before: a half-done switch is switched off too
                self.switch(fault, True)
            yield
        finally:
            for fault in reversed(done):
                try:
                    self.switch(fault, False)
                except SetupError as exc:
                    log(f"warning: could not switch fault {fault.describe()} off: {exc}")

    def _testbed(self, argv: list[str], timeout: float) -> None:
        run_cli([SMOKE, "testbed", "--state-dir", str(self.state_dir), *argv], timeout)


def free_base_port() -> int:
    def free(port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
        return True

    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000, 10)
        if all(free(base + i) for i in range(PORTS)):
            return base
    raise SetupError(f"bench: no {PORTS} consecutive free ports found")


def run_cli(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a `smoke` command to completion; SetupError with its output when it fails."""
    what = shlex.join(argv[1:])
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        raise SetupError(f"bench: `smoke {what}` did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise SetupError(
            f"bench: `smoke {what}` failed (exit {proc.returncode}):\n"
            f"{(proc.stdout + proc.stderr).strip()[-3000:]}"
        )
    return proc
