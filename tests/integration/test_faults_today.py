"""The faults of today's ORES on the 1.43 farm (REL1_43 on Lift Wing): each fails the checks it
should, with the right detector, and no others.

One farm for the session (``farm_143``, switched between tests by ``fault_143``); one
`smoke run` per fault over a narrow selection that proves the point: enwiki (the extension's
default levels, like Beta) and frwiki as the healthy control. Skipped, with the reason, when the
1.43 farm does not run Extension:ORES on Lift Wing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smoke.testbed import edits, farm
from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import RunOutput, smoke_run

WIKI, CONTROL = "enwiki", "frwiki"
# An existing page: its rows are edits (a new page's first row is a page creation, another kind
# of row for ores-scoring, healed only by a scored page creation).
PAGE = "Basalt"
HOUR = 3600


@pytest.fixture(autouse=True)
def _today(farm_143: FarmState) -> None:
    if farm_143.mediawiki != "1.43" or not farm_143.ores_liftwing:
        pytest.skip("the 1.43 farm does not run Extension:ORES on Lift Wing")


def run_rc(state: FarmState, reports: Path, run_id: str, *variants: str) -> RunOutput:
    args = ["--wiki", WIKI, "--wiki", CONTROL, "--page", "recentchanges"]
    for variant in variants or ("plain",):
        args += ["--variant", variant]
    return smoke_run(state, reports, *args, run_id=run_id)


def detectors_of(out: RunOutput, check_id: str) -> set[str]:
    return {f["detector"] for f in out.check(check_id)["findings"]}


SCORING_FAULTS = ("liftwing-500", "liftwing-refused", "liftwing-bad-body")


@pytest.fixture
def healed(farm_143: FarmState) -> Iterator[None]:
    """After a scoring fault: the fault off and one scored edit more, so later tests (and runs)
    see a healthy list again (the unscored edit is then older than the newest scored one)."""
    yield
    state_dir = Path(farm_143.state_dir)
    for name in SCORING_FAULTS:
        farm.set_fault(state_dir, WIKI, name, False, log=lambda _msg: None)
    assert edits.edit(state_dir, WIKI, title=PAGE).scored


@pytest.mark.parametrize("name", SCORING_FAULTS)
def test_scoring_stopped_is_seen_once_edits_age_past_the_grace(
    farm_143: FarmState,
    tmp_path: Path,
    fault_143: Callable[..., None],
    healed: None,
    name: str,
) -> None:
    state_dir = Path(farm_143.state_dir)
    fault_143(WIKI, name)
    made = edits.edit(state_dir, WIKI, title=PAGE)
    assert not made.scored and made.job_error, made
    if name == "liftwing-500":
        # Just saved and not scored: younger than the grace period, so no finding yet.
        fresh = run_rc(farm_143, tmp_path, "fresh")
        assert fresh.code == 0, fresh.stdout[-2000:]
    edits.age_edits(state_dir, WIKI, HOUR)
    out = run_rc(farm_143, tmp_path, "aged")
    assert out.code == 1, out.stdout[-2000:]
    assert out.by_outcome("failed") == {f"{WIKI}/recentchanges/plain"}
    assert detectors_of(out, f"{WIKI}/recentchanges/plain") == {"ores-scoring"}
    message = out.check(f"{WIKI}/recentchanges/plain")["findings"][0]["message"]
    assert message.startswith("ORES scoring stopped since "), message
    assert out.by_outcome("passed") == {f"{CONTROL}/recentchanges/plain"}


# Two misconfigurations at once, one per model, each of its own level (one run, not two): each
# fails only the check asking for its level.
MISCONFIGURED = {
    "threshold-off": ({"model": "damaging", "level": "likelybad"}, "damaging=likelybad"),
    "threshold-string": ({"model": "goodfaith", "level": "likelybad"}, "goodfaith=likelybad"),
}


def test_a_misconfigured_threshold_fails_the_checks_asking_for_its_level(
    farm_143: FarmState, tmp_path: Path, fault_143: Callable[..., None]
) -> None:
    for name, (options, _) in MISCONFIGURED.items():
        fault_143(WIKI, name, **options)
    failing = [variant for _, variant in MISCONFIGURED.values()]
    out = run_rc(farm_143, tmp_path, "misconfigured", "plain", *failing)
    assert out.code == 1, out.stdout[-2000:]
    assert out.by_outcome("failed") == {f"{WIKI}/recentchanges/{v}" for v in failing}
    for name, (options, variant) in MISCONFIGURED.items():
        check = out.check(f"{WIKI}/recentchanges/{variant}")
        assert {f["detector"] for f in check["findings"]} == {"ores-present"}, name
        [finding] = check["findings"]
        assert f"{options['model']} level likelybad" in finding["message"], (name, finding)
    assert out.by_outcome("passed") == {
        f"{WIKI}/recentchanges/plain",
        *(f"{CONTROL}/recentchanges/{v}" for v in ("plain", *failing)),
    }


def test_a_disabled_model_loses_its_group(
    farm_143: FarmState, tmp_path: Path, fault_143: Callable[..., None]
) -> None:
    fault_143(WIKI, "model-off", model="goodfaith")
    out = run_rc(farm_143, tmp_path, "model-off", "plain", "damaging=likelybad")
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
    farm_143: FarmState, tmp_path: Path, fault_143: Callable[..., None]
) -> None:
    fault_143(WIKI, "model-unregistered")
    out = smoke_run(
        farm_143, tmp_path, "--wiki", WIKI, "--page", "recentchanges", "--page",
        "contributions", "--variant", "plain", run_id="unregistered",
    )  # fmt: skip
    assert out.code == 1, out.stdout[-2000:]
    rc, contribs = f"{WIKI}/recentchanges/plain", f"{WIKI}/contributions/plain"
    assert out.by_outcome("failed") == {rc, contribs}
    assert detectors_of(out, contribs) == {"server-error"}
    assert "InvalidArgumentException" in out.check(contribs)["findings"][0]["message"]
    assert detectors_of(out, rc) == {"ores-present"}


def test_the_farms_crash_is_a_server_error_on_every_page(
    farm_143: FarmState, tmp_path: Path, fault_143: Callable[..., None]
) -> None:
    fault_143(WIKI, "crash")
    out = smoke_run(farm_143, tmp_path, "--wiki", WIKI, "--variant", "plain", run_id="crash")
    assert out.code == 1, out.stdout[-2000:]
    checks = {c["id"] for c in out.results["checks"] if c["outcome"] != "skipped"}
    assert out.by_outcome("failed") == checks and checks
    for check_id in checks:
        # On an error page of RC/WL the filters app never starts: filters-app fires with
        # server-error, by design (its evidence says the server never enabled the app).
        page_has_app = "/contributions/" not in check_id
        expected = {"server-error", "filters-app"} if page_has_app else {"server-error"}
        assert detectors_of(out, check_id) == expected, check_id
