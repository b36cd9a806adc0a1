"""Fixtures for integration tests: real farms (Debian's MediaWiki + php -S) on free loopback ports.

Two farms, each started once per test session (per xdist worker) from an empty state directory,
on first use, and taken down at the end:

- ``farm_state``: MediaWiki 1.39 with the 2022 Extension:ORES (ORES v3, formula thresholds), the
  2017 replay. ``fault`` switches its faults.
- ``farm_143``: MediaWiki 1.43 (Debian 13's package from the cache, see
  :mod:`smoke.testbed.debian_archive`) with Extension:ORES REL1_43 on Lift Wing, the farm's
  default. ``fault_143`` switches its faults.

Tests that switch faults must switch them off again (use the fault fixtures).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from smoke.browser.chromium import find_chromium
from smoke.browser.page_scripts import GC_LAUNCH_ARGS
from smoke.testbed import farm
from smoke.testbed.state import FarmState

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration is `integration` (`-m "not integration"` skips it)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)


def ores_checkout() -> tuple[Path | None, str]:
    """The Extension:ORES checkout the real-extension tests load, or (None, why there is none).

    ``$SMOKE_ORES_EXTENSION`` first, then the vendor copy next to the clone (CI keeps it at
    ``<repo>/../shared/vendor/ORES``). Get one with
    ``git clone https://gerrit.wikimedia.org/r/mediawiki/extensions/ORES``.
    """
    explicit = os.environ.get("SMOKE_ORES_EXTENSION")
    candidate = Path(explicit) if explicit else ROOT.parent / "shared" / "vendor" / "ORES"
    try:
        manifest = json.loads((candidate / "extension.json").read_text(encoding="utf-8"))
        if manifest.get("name") == "ORES":
            return candidate.resolve(), ""
    except (OSError, ValueError, AttributeError):
        pass
    where = (
        f"$SMOKE_ORES_EXTENSION={explicit} is not one"
        if explicit
        else f"$SMOKE_ORES_EXTENSION is unset and {candidate} is not one"
    )
    return None, (
        f"no Extension:ORES checkout ({where}); get one with "
        "`git clone https://gerrit.wikimedia.org/r/mediawiki/extensions/ORES`"
    )


def free_port_block(size: int, start: int = 18000, stop: int = 30000) -> int:
    """First port P such that P..P+size-1 are all free on 127.0.0.1."""
    port = start
    while port + size < stop:
        busy = False
        for candidate in range(port, port + size):
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("127.0.0.1", candidate))
                except OSError:
                    busy = True
                    break
        if not busy:
            return port
        port += size + 1
    raise RuntimeError("no free block of loopback ports")


def _session_farm(
    tmp_path_factory: pytest.TempPathFactory, mediawiki: str, first_port: int
) -> Iterator[FarmState]:
    state_dir = tmp_path_factory.mktemp(f"farm-{mediawiki}")
    # Spread xdist workers apart so two sessions never race for the same ports.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker[2:]) * 100 if worker[2:].isdigit() else 0
    base = free_port_block(len(farm.WIKI_SPECS) + 1, start=first_port + offset)
    try:
        # The generation's own ORES: ../shared/vendor/ORES (1.39) or ORES-REL1_43 (1.43).
        state = farm.up(state_dir, base_port=base, mediawiki=mediawiki, log=lambda _msg: None)
    except BaseException:
        farm.down(state_dir, log=lambda _msg: None)  # what did start runs in its own session
        raise
    yield state
    farm.down(state_dir, log=lambda _msg: None)


@pytest.fixture(scope="session")
def farm_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FarmState]:
    """The session's MediaWiki 1.39 farm (ORES v3, formula thresholds)."""
    yield from _session_farm(tmp_path_factory, "1.39", 18000)


@pytest.fixture(scope="session")
def farm_143(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FarmState]:
    """The session's MediaWiki 1.43 farm (Extension:ORES REL1_43 on Lift Wing)."""
    yield from _session_farm(tmp_path_factory, "1.43", 16000)


@pytest.fixture
def fault(farm_state: FarmState) -> Iterator[Callable[..., None]]:
    """Switch faults of the 1.39 farm for one test; each is switched off afterwards."""
    yield from _fault_switch(farm_state)


@pytest.fixture
def fault_143(farm_143: FarmState) -> Iterator[Callable[..., None]]:
    """Switch faults of the 1.43 farm for one test; each is switched off afterwards."""
    yield from _fault_switch(farm_143)


def _fault_switch(state: FarmState) -> Iterator[Callable[..., None]]:
    """Switch faults on for one test; every fault switched on is switched off afterwards."""
    switched: list[tuple[str, str]] = []
    state_dir = Path(state.state_dir)

    def switch(
        wiki: str,
        name: str,
        *,
        delay: int | None = None,
        model: str | None = None,
        level: str | None = None,
    ) -> None:
        farm.set_fault(
            state_dir,
            wiki,
            name,
            True,
            delay=delay,
            model=model,
            level=level,
            log=lambda _msg: None,
        )
        switched.append((wiki, name))

    yield switch
    for wiki, name in reversed(switched):
        farm.set_fault(state_dir, wiki, name, False, log=lambda _msg: None)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver per test module (the sync API allows one per thread)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """A headless Chromium per test module: the one smoke itself would launch, with its flags."""
    chromium = playwright.chromium.launch(
        executable_path=find_chromium(None).executable, args=list(GC_LAUNCH_ARGS)
    )
    yield chromium
    chromium.close()
