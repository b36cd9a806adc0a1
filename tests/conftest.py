"""How `./run tests` spreads test files over xdist workers (`--dist loadfile`).

Each worker starts its own farms, on first use (tests/integration/conftest.py): a 1.39 farm is
wanted by most files, a 1.43 farm by a few. Those few go to one worker as one unit of work, so
the suite starts the 1.43 farm once rather than on every worker (each start is ~12 CPU-seconds
of install.php, update.php, seeding and score jobs on a machine the suite keeps busy).

Units are handed out in collection order, heaviest first: that unit, then the other integration
files, then the unit tests, hundreds of small files that fill the end so that neither worker
waits for the other (xdist's own order, by number of tests, would leave the long
one-test integration files for last).
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The 1.43 farm's files first (a stable sort: the rest keep their order)."""
    items.sort(key=lambda item: not uses_farm_143(item.nodeid.split("::", 1)[0]))


class FarmScheduling(LoadFileScheduling):  # type: ignore[misc]  # xdist is untyped
    """loadfile, except that the files using the 1.43 farm are one unit of work, and units go
    out in collection order."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return FARM_143_UNIT if uses_farm_143(path) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadFileScheduling | None:
    if config.getoption("dist") != "loadfile":
        return None  # another --dist was asked for: xdist's own
    return FarmScheduling(config, log)
