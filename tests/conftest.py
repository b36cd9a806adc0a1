"""How `./run tests` spreads test files over xdist workers (`--dist loadfile`).

Each worker starts its own farms, on first use (tests/integration/conftest.py): a 1.39 farm is
wanted by most files, a 1.43 farm by a few. Those few go to one worker as one unit of work, so
the suite starts the 1.43 farm once rather than on every worker (each start is ~12 CPU-seconds
of install.php, update.php, seeding and score jobs on a machine the suite keeps busy).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

ROOT = Path(__file__).resolve().parent.parent
FARM_143_FIXTURES = ("farm_143", "fault_143")
FARM_143_UNIT = "tests/integration (files using the 1.43 farm)"


@cache
def uses_farm_143(path: str) -> bool:
    """Whether the test file at ``path`` (relative to the root) asks for the 1.43 farm."""
    try:
        text = (ROOT / path).read_text("utf-8")
    except OSError:
        return False
    return any(name in text for name in FARM_143_FIXTURES)


class FarmScheduling(LoadFileScheduling):  # type: ignore[misc]  # xdist is untyped
    """loadfile, except that the files using the 1.43 farm are one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return FARM_143_UNIT if uses_farm_143(path) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    if config.getoption("dist") != "loadfile":
        return None  # another --dist was asked for: xdist's own
    return FarmScheduling(config, log)
