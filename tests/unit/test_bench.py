"""bench/: the parts that decide what is measured and what verdict is printed, without a farm.

The measurements themselves need the farm and Chromium; `python -m bench.sweep --quick` checks
those (bench/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.degraded import CaseRun, print_cases, summarize
from bench.env import SetupError
from bench.farm import Farm, FaultSwitch
from bench.measure import RunResult
from bench.options import QUICK, parse_options
from bench.selection import (
    BASELINE_DEFAULT,
    Patterns,
    load_checks,
    read_config,
    runnable_checks,
    warmup_checks,
)

ROOT = Path(__file__).resolve().parents[2]
FARM_URLS = {w: f"http://127.0.0.1:1/{w}" for w in ("enwiki", "ruwiki", "frwiki", "nooreswiki")}


# --- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--scenario", "degraded", "--cases", "slow,down"],  # nothing to compare against
        ["--testbed-dir", "/tmp/x", "--base-port", "9580"],
        ["--modes", "smoke,nope"],
        ["--slow-wiki", "enwiki", "--down-wiki", "enwiki"],
        ["--workers", "0"],
    ],
)
def test_usage_errors_exit_4(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_options(argv)
    assert exc.value.code == 4
    assert "error:" in capsys.readouterr().err


def test_selection_given_beats_quick_beats_scenario_default() -> None:
    assert parse_options([]).selection(BASELINE_DEFAULT) == BASELINE_DEFAULT
    assert parse_options(["--quick"]).selection(BASELINE_DEFAULT) == QUICK["baselines"]
    mixed = parse_options(["--quick", "--wiki", "ruwiki"]).selection(BASELINE_DEFAULT)
    assert mixed == Patterns(("ruwiki",), QUICK["baselines"].pages, QUICK["baselines"].variants)
    assert parse_options(["--scenario", "degraded"]).selection(Patterns()) == Patterns()


def test_patterns_become_smoke_run_arguments() -> None:
    argv = Patterns(("en*", "ruwiki"), ("recentchanges",), ()).smoke_args()
    assert argv == ["--wiki", "en*", "--wiki", "ruwiki", "--page", "recentchanges"]


# --- selection from wikis.yaml ----------------------------------------------------------------


def test_default_baseline_selection_is_the_32_anonymous_checks_with_config_timeouts() -> None:
    config = read_config(ROOT / "wikis.yaml")
    loads = load_checks(config, runnable_checks(config, BASELINE_DEFAULT, FARM_URLS))
    assert len(loads) == 32  # frwiki's damaging has no maybebad: that check is skipped
    first = loads[0]
    assert first["id"] == "enwiki/recentchanges/plain"
    assert first["url"].startswith("http://127.0.0.1:1/enwiki/index.php?title=Special:Recent")
    assert first["filters"] is True
    assert (first["nav_ms"], first["ready_ms"]) == (30_000, 15_000)  # wikis.yaml's timeouts
    assert not any(c["filters"] for c in loads if "/contributions/" in c["id"])
    assert len(warmup_checks(loads)) == 6  # one per wiki and page


def test_baselines_refuse_watchlist_and_empty_selections() -> None:
    config = read_config(ROOT / "wikis.yaml")
    watchlist = runnable_checks(config, Patterns(("enwiki",), ("watchlist",), ()), FARM_URLS)
    with pytest.raises(SetupError, match="Watchlist"):
        load_checks(config, watchlist)
    with pytest.raises(SetupError, match="no runnable checks"):
        runnable_checks(config, Patterns(("nooreswiki",), (), ("damaging=*",)), FARM_URLS)


# --- degraded: ratios and verdicts ------------------------------------------------------------


def _run(
    case: str, wall: float, outcomes: dict[str, str], faulted: tuple[str, ...] = ()
) -> CaseRun:
    broken = any(o == "broken" for o in outcomes.values())
    result = RunResult(mode=case, repeat=0, checks=len(outcomes), wall_s=wall)
    result.returncode = 3 if broken else 0
    result.ok_checks = sum(o == "passed" for o in outcomes.values())
    return CaseRun(case, faulted, result, outcomes)


HEALTHY = {"enwiki/x/y": "passed", "ruwiki/x/y": "passed"}
SLOW = {"enwiki/x/y": "passed", "ruwiki/x/y": "broken"}


def test_degraded_ratio_is_against_the_healthy_run_and_sets_the_exit_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    missed = [_run("healthy", 10.0, HEALTHY), _run("slow", 50.0, SLOW, ("ruwiki",))]
    assert summarize(missed)["slow"]["ratio"] == pytest.approx(5.0)
    assert print_cases(missed, []) == 1
    out = capsys.readouterr().out
    assert "MISSED" in out and "ruwiki: broken 1" in out

    met = [_run("healthy", 10.0, HEALTHY), _run("slow", 12.0, SLOW, ("ruwiki",))]
    assert print_cases(met, []) == 0


def test_degraded_is_incomplete_when_the_healthy_run_failed_or_a_fault_did_not_take(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sick = {"enwiki/x/y": "passed", "ruwiki/x/y": "failed"}
    runs = [_run("healthy", 10.0, sick), _run("slow", 12.0, SLOW, ("ruwiki",))]
    runs[0].result.returncode = 1
    assert print_cases(runs, []) == 2
    no_effect = _run("slow", 10.0, HEALTHY, ("ruwiki",))
    assert print_cases([_run("healthy", 10.0, HEALTHY), no_effect], []) == 0
    assert "did the fault take?" in capsys.readouterr().out


# --- faults are always switched off ----------------------------------------------------------


class _RecordingFarm(Farm):
    def __init__(self, fail_on: FaultSwitch | None = None) -> None:
        super().__init__(Path("/nonexistent"), temporary=False)
        self.calls: list[tuple[str, bool]] = []
        self.fail_on = fail_on

    def switch(self, fault: FaultSwitch, on: bool) -> None:
        self.calls.append((fault.describe(), on))
        if on and fault == self.fail_on:
            raise SetupError("switching failed")


SLOW_RU = FaultSwitch("ruwiki", "slow", 45)
DOWN_FR = FaultSwitch("frwiki", "down")


def test_faults_go_off_in_reverse_order_when_the_run_raises() -> None:
    farm = _RecordingFarm()
    with pytest.raises(KeyboardInterrupt), farm.faults([SLOW_RU, DOWN_FR]):
        raise KeyboardInterrupt
    assert farm.calls == [
        ("ruwiki slow 45 s", True),
        ("frwiki down", True),
        ("frwiki down", False),
        ("ruwiki slow 45 s", False),
    ]


def test_a_fault_that_failed_to_switch_on_is_switched_off_with_the_others() -> None:
    farm = _RecordingFarm(fail_on=DOWN_FR)
    with pytest.raises(SetupError), farm.faults([SLOW_RU, DOWN_FR]):
        pytest.fail("the block must not run when a fault could not be switched on")
    assert [call for call in farm.calls if not call[1]] == [
        ("frwiki down", False),
        ("ruwiki slow 45 s", False),
    ]


def test_a_broken_deploy_switches_its_fault_on_every_ores_wiki_and_narrow_slow_gets_1_5() -> None:
    from bench.degraded import case_faults, targets

    opts = parse_options(["--scenario", "degraded", "--cases", "healthy,crash,silent"])
    assert case_faults("crash", opts, ("enwiki", "ruwiki")) == [
        FaultSwitch("enwiki", "null-threshold-crash"),
        FaultSwitch("ruwiki", "null-threshold-crash"),
    ]
    assert targets(opts)["slow"] == 1.30
    narrow = parse_options(["--scenario", "degraded", "--wiki", "ruwiki", "--wiki", "frwiki"])
    assert targets(narrow)["slow"] == 1.50


def test_latency_counts_name_auto_as_smokes_remote_default() -> None:
    from bench.latency import counts
    from smoke.plan.workers import default_workers

    assert counts("2,auto,8", 81) == [
        ("2", 2),
        ("auto", default_workers(81, remote=True)),
        ("8", 8),
    ]
