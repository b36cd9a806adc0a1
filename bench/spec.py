"""The load spec handed to the baselines (floor, idiomatic): which URLs, which browser, timeouts.

The baselines run in their own interpreters and must cost what a minimal script costs, so this
module imports nothing but the standard library (no ``smoke``): the sweep resolves everything
from wikis.yaml and the farm, and the baselines only read the JSON written here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypedDict

# What the baselines wait for on RecentChanges once `load` fired: the filters app is up.
FILTERS_READY = "body.mw-rcfilters-ui-initialized"
# The idiomatic suite, run by pytest, takes no arguments of ours: the spec's path comes this way.
SPEC_ENV = "BENCH_SPEC"


class LoadCheck(TypedDict):
    id: str  # smoke's check id, <wiki>/<page>/<variant>
    url: str
    filters: bool  # RecentChanges: wait for the filters app after `load`
    nav_ms: int  # the wiki's navigation timeout from wikis.yaml
    ready_ms: int  # the wiki's ready timeout from wikis.yaml


class LoadSpec(TypedDict):
    chromium: str
    ready_selector: str
    checks: list[LoadCheck]


def write_spec(path: Path, chromium: str, checks: list[LoadCheck]) -> Path:
    spec: LoadSpec = {"chromium": chromium, "ready_selector": FILTERS_READY, "checks": checks}
    path.write_text(json.dumps(spec, indent=1), "utf-8")
    return path


def read_spec(path: str | Path) -> LoadSpec:
    spec: LoadSpec = json.loads(Path(path).read_text("utf-8"))
    return spec


def spec_from_env() -> LoadSpec | None:
    """The spec named by ``$BENCH_SPEC``; None when it is not set (not run by the sweep)."""
    path = os.environ.get(SPEC_ENV)
    return read_spec(path) if path else None
