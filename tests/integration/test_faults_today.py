"""The faults of today's ORES on the 1.43 farm (REL1_43 on Lift Wing): each fails the checks it
should, with the right detector, and no others.

One farm for the session (``farm_state``, switched between tests by the ``fault`` fixture); one
`smoke run` per fault over a narrow selection that proves the point: enwiki (the extension's
default levels, like Beta) and frwiki as the healthy control. Skipped, with the reason, when the
session farm is not the 1.43 generation with Lift Wing.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from smoke.testbed import mediawiki
from smoke.testbed.errors import EnvironmentProblem
from smoke.testbed.state import FarmState, WikiState
from tests.integration.runner_helpers import RunOutput, smoke_run

WIKI, CONTROL = "enwiki", "frwiki"
HOUR = 3600


@pytest.fixture(autouse=True)
def _today(farm_state: FarmState) -> None:
    if farm_state.mediawiki != "1.43" or not farm_state.ores_liftwing:
        pytest.skip("the session farm is not MediaWiki 1.43 with Extension:ORES on Lift Wing")


def tree(state: FarmState) -> Path:
    return Path(state.mediawiki_dir)


def edit_now(state: FarmState, wiki: WikiState, text: str) -> None:
    """Alice saves an edit now; its score job runs at once (and fails under a Lift Wing fault)."""
    env = mediawiki.php_env(wiki.dir, tree(state))
    subprocess.run(
        ["php", str(tree(state) / "maintenance" / "edit.php"), "--user", "Alice",
         "--summary", "smoke: an edit now", "Basalt"],
        input=text, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    try:
        mediawiki.run_jobs(wiki, tree(state))
    except EnvironmentProblem:
        pass  # the score job failed: what a Lift Wing fault does


def age_edits(wiki: WikiState, seconds: int) -> None:
    """Every change of the wiki happened ``seconds`` earlier (so no test waits for the grace)."""
    db = wiki.dir / "db" / f"{wiki.id}.sqlite"
    shift = f"-{seconds} seconds"
    with closing(sqlite3.connect(db, timeout=10)) as connection, connection:
        connection.execute(
            "UPDATE recentchanges SET rc_timestamp = strftime('%Y%m%d%H%M%S', "
            "substr(rc_timestamp, 1, 4) || '-' || substr(rc_timestamp, 5, 2) || '-' || "
            "substr(rc_timestamp, 7, 2) || ' ' || substr(rc_timestamp, 9, 2) || ':' || "
            "substr(rc_timestamp, 11, 2) || ':' || substr(rc_timestamp, 13, 2), ?)",
            (shift,),
        )


def run_rc(state: FarmState, reports: Path, run_id: str, *variants: str) -> RunOutput:
    args = ["--wiki", WIKI, "--wiki", CONTROL, "--page", "recentchanges"]
    for variant in variants or ("plain",):
        args += ["--variant", variant]
    return smoke_run(state, reports, *args, run_id=run_id)


def detectors_of(out: RunOutput, check_id: str) -> set[str]:
    return {f["detector"] for f in out.check(check_id)["findings"]}


@pytest.fixture
def healed(farm_state: FarmState) -> Iterator[None]:
    """After a scoring fault: one scored edit more, so later tests see a healthy list again."""
    yield
    edit_now(farm_state, farm_state.wikis[WIKI], "healed\n")


@pytest.mark.parametrize("name", ["liftwing-500", "liftwing-refused", "liftwing-bad-body"])
def test_scoring_stopped_is_seen_once_edits_age_past_the_grace(
    farm_state: FarmState,
    tmp_path: Path,
    fault: Callable[..., None],
    healed: None,
    name: str,
) -> None:
    wiki = farm_state.wikis[WIKI]
    fault(WIKI, name)
    edit_now(farm_state, wiki, f"unscored under {name}\n")
    if name == "liftwing-500":
        # Just saved and not scored: younger than the grace period, so no finding yet.
        fresh = run_rc(farm_state, tmp_path, "fresh")
        assert fresh.code == 0, fresh.stdout[-2000:]
    age_edits(wiki, HOUR)
    out = run_rc(farm_state, tmp_path, "aged")
    assert out.code == 1, out.stdout[-2000:]
    assert out.by_outcome("failed") == {f"{WIKI}/recentchanges/plain"}
    assert detectors_of(out, f"{WIKI}/recentchanges/plain") == {"ores-scoring"}
    message = out.check(f"{WIKI}/recentchanges/plain")["findings"][0]["message"]
    assert message.startswith("ORES scoring stopped since "), message
    assert out.by_outcome("passed") == {f"{CONTROL}/recentchanges/plain"}


@pytest.mark.parametrize(
    ("name", "options", "failing"),
    [
        ("threshold-off", {"model": "damaging", "level": "likelybad"}, "damaging=likelybad"),
        ("threshold-string", {"model": "goodfaith", "level": "likelybad"}, "goodfaith=likelybad"),
    ],
)
def test_a_misconfigured_threshold_fails_the_checks_asking_for_its_level(
    farm_state: FarmState,
    tmp_path: Path,
    fault: Callable[..., None],
    name: str,
    options: dict[str, str],
    failing: str,
) -> None:
    fault(WIKI, name, **options)
    out = run_rc(farm_state, tmp_path, name, "plain", "damaging=likelybad", "goodfaith=likelybad")
    assert out.code == 1, out.stdout[-2000:]
    assert out.by_outcome("failed") == {f"{WIKI}/recentchanges/{failing}"}
    assert detectors_of(out, f"{WIKI}/recentchanges/{failing}") == {"ores-present"}


def test_a_disabled_model_loses_its_group(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault(WIKI, "model-off", model="goodfaith")
    out = run_rc(farm_state, tmp_path, "model-off", "plain", "damaging=likelybad")
    assert out.code == 1, out.stdout[-2000:]
    failed = {f"{WIKI}/recentchanges/plain", f"{WIKI}/recentchanges/damaging=likelybad"}
    assert out.by_outcome("failed") == failed
    for check_id in failed:
        assert detectors_of(out, check_id) == {"ores-present"}
    assert (
        "goodfaith not offered"
        in out.check(f"{WIKI}/recentchanges/plain")["findings"][0]["message"]
    )


def test_an_unregistered_model_crashes_contributions_and_empties_the_filters(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault(WIKI, "model-unregistered")
    out = smoke_run(
        farm_state, tmp_path, "--wiki", WIKI, "--page", "recentchanges", "--page",
        "contributions", "--variant", "plain", run_id="unregistered",
    )  # fmt: skip
    assert out.code == 1, out.stdout[-2000:]
    rc, contribs = f"{WIKI}/recentchanges/plain", f"{WIKI}/contributions/plain"
    assert out.by_outcome("failed") == {rc, contribs}
    assert detectors_of(out, contribs) == {"server-error"}
    assert "InvalidArgumentException" in out.check(contribs)["findings"][0]["message"]
    assert detectors_of(out, rc) == {"ores-present"}


def test_the_farms_crash_is_a_server_error_on_every_page(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    fault(WIKI, "crash")
    out = smoke_run(farm_state, tmp_path, "--wiki", WIKI, "--variant", "plain", run_id="crash")
    assert out.code == 1, out.stdout[-2000:]
    checks = {c["id"] for c in out.results["checks"] if c["outcome"] != "skipped"}
    assert out.by_outcome("failed") == checks and checks
    for check_id in checks:
        assert detectors_of(out, check_id) == {"server-error"}, check_id
