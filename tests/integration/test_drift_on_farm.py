"""Drift on the real farm: a level lost to a null threshold is caught on a wiki whose wikis.yaml
entry lists only models, and the finding names the run where the level was last seen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import smoke_run


def test_a_lost_level_names_the_run_where_it_was_last_seen(
    farm_state: FarmState, fault: Callable[..., None], tmp_path: Path
) -> None:
    # enwiki: `ores: [models]`; plain and every damaging level are what the finding is about.
    selection: tuple[str, ...] = ("--wiki", "enwiki", "--page", "recentchanges")
    selection += ("--variant", "plain", "--variant", "damaging=*")
    healthy = smoke_run(farm_state, tmp_path, *selection, run_id="healthy")
    assert healthy.code == 0, healthy.stderr
    fault("enwiki", "level-null", model="damaging", level="maybebad")
    after = smoke_run(farm_state, tmp_path, *selection, run_id="after")
    assert after.code == 1
    failed = after.by_outcome("failed")
    assert failed, after.stdout
    for check_id in failed:
        message = after.check(check_id)["findings"][0]["message"]
        assert "maybebad" in message and "run healthy" in message, message
    # Only the checks that ask for damaging maybebad lose something.
    assert "enwiki/recentchanges/plain" not in failed
    assert "enwiki/recentchanges/damaging=maybebad" in failed
