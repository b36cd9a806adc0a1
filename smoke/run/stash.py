"""What the pytest plugin keeps on ``config.stash`` for one process, named once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from smoke.execute.cause_budget import CauseBudget
from smoke.execute.give_up import GiveUp
from smoke.execute.learned_timeout import LearnedTimeouts
from smoke.execute.signals import Stopper
from smoke.plan.planner import Plan

if TYPE_CHECKING:
    # Imported where a check runs, not here: under xdist the controller never drives a browser,
    # and Playwright's import alone costs it ~0.3 CPU-s.
    from smoke.browser.worker import WorkerBrowser  # noqa: F401 (named in a string below)

PLAN_KEY = pytest.StashKey[Plan]()
BROWSER_KEY = pytest.StashKey["WorkerBrowser"]()
RUN_DIR_KEY = pytest.StashKey[Path]()
STARTED_KEY = pytest.StashKey[str]()
GIVE_UP_KEY = pytest.StashKey[GiveUp]()
CAUSES_KEY = pytest.StashKey[CauseBudget]()  # evidence and retries per root cause
LEARNED_KEY = pytest.StashKey[LearnedTimeouts]()  # navigation limits learned from history
DEADLINE_KEY = pytest.StashKey[float]()  # time.time() at which no further check is loaded
STOPPER_KEY = pytest.StashKey[Stopper]()  # the controller's handler of stop signals
UNWRITABLE_KEY = pytest.StashKey[str]()  # why the run-level files could not be written
