"""The server's exception behind each failed check, read from the farm's exception.log.

Two faults show the same error page ("Fatal exception of type RuntimeException") on
Contributions; only the server's log tells them apart, so they must come out as two causes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT, RunOutput, smoke_run

SELECTION = (
    "--wiki",
    "enwiki",
    "--wiki",
    "frwiki",
    "--page",
    "recentchanges",
    "--page",
    "contributions",
    "--variant",
    "plain",
)
FAILED = {"enwiki/recentchanges/plain", "enwiki/contributions/plain", "frwiki/contributions/plain"}
THRESHOLD = "RuntimeException: Unable to parse threshold"
CONTRIBUTIONS = "RuntimeException: SmokeFarm fault contributions-crash"


def _two_faults(fault: Callable[..., None]) -> None:
    fault("enwiki", "null-threshold-crash")
    fault("frwiki", "contributions-crash")


def _assert_outcomes(out: RunOutput) -> None:
    assert out.code == 1, out.stderr[-2000:]
    assert out.by_outcome("failed") == FAILED
    assert out.by_outcome("passed") == {"frwiki/recentchanges/plain"}


def test_two_server_messages_are_two_causes(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    _assert_two_causes(farm_state, tmp_path, fault)


def test_server_exception_on_mediawiki_1_43(
    farm_143: FarmState, tmp_path: Path, fault_143: Callable[..., None]
) -> None:
    """Today's generation writes exception.log alike; the check carries what it logged."""
    fault_143("frwiki", "contributions-crash")
    out = smoke_run(
        farm_143, tmp_path, "--wiki", "frwiki", "--page", "contributions", "--variant", "plain"
    )
    assert out.code == 1, out.stderr[-2000:]
    check = out.check("frwiki/contributions/plain")
    assert out.results["run"]["environment"]["MediaWiki"].startswith("1.43")
    server = check["server"]
    assert f"{server['exception_class']}: {server['message']}".startswith(CONTRIBUTIONS)
    assert server["request_id"] == check["request_id"]
    assert any("SmokeFarm\\Hooks::onContribsPagerGetQueryInfo" in f for f in server["frames"])


def _assert_two_causes(farm: FarmState, tmp_path: Path, fault: Callable[..., None]) -> None:
    _two_faults(fault)
    out = smoke_run(farm, tmp_path, *SELECTION)
    _assert_outcomes(out)
    en, fr = out.check("enwiki/contributions/plain"), out.check("frwiki/contributions/plain")
    # The same page-side message on both Contributions checks ...
    assert (
        en["findings"][0]["message"].split(" (request id")[0]
        == (fr["findings"][0]["message"].split(" (request id")[0])
    )
    # ... but what the server logged differs, and so do their causes.
    assert f"{en['server']['exception_class']}: {en['server']['message']}".startswith(THRESHOLD)
    assert f"{fr['server']['exception_class']}: {fr['server']['message']}".startswith(CONTRIBUTIONS)
    assert en["cause"] != fr["cause"]
    assert en["cause"] == out.check("enwiki/recentchanges/plain")["cause"]
    for check in (en, fr):
        assert check["server"]["source"] == "exception.log"
        assert check["server"]["request_id"] == check["request_id"]
        frames = check["server"]["frames"]
        assert frames and frames[0].startswith("#0 "), frames
        evidence = (out.run_dir / check["artifacts"]["server"]).read_text("utf-8")
        assert check["server"]["message"][:40] in evidence and frames[0] in evidence
    assert any("SmokeFarm\\Hooks::onContribsPagerGetQueryInfo" in f for f in fr["server"]["frames"])
    summary = (out.run_dir / "summary.md").read_text("utf-8")
    assert "=== 2 causes ===" in summary, summary
    cause_lines = [line for line in summary.splitlines() if line.startswith("* **failed**")]
    assert any(THRESHOLD in line for line in cause_lines), cause_lines
    assert any(CONTRIBUTIONS in line for line in cause_lines), cause_lines
    assert "#0 " in summary
    assert not any("server logs:" in note for note in out.results["run"]["notes"])


def test_unreachable_logs_are_a_note(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    config = tmp_path / "wikis.yaml"
    text = (ROOT / "wikis.yaml").read_text("utf-8")
    missing = tmp_path / "nowhere" / "{id}-exception.log"
    shown = "logs: {exception_log: testbed}"
    assert shown in text
    config.write_text(text.replace(shown, f"logs: {{exception_log: '{missing}'}}"), "utf-8")
    _two_faults(fault)
    out = smoke_run(farm_state, tmp_path / "reports", *SELECTION, config=config)
    _assert_outcomes(out)
    checks = out.results["checks"]
    assert not any(check.get("server") for check in checks)
    notes = [n for n in out.results["run"]["notes"] if n.startswith("server logs:")]
    assert len(notes) == 2 and all("cannot read" in n for n in notes), notes
    summary = (out.run_dir / "summary.md").read_text("utf-8")
    assert "Note: server logs: cannot read" in summary
    assert "=== 1 cause ===" in summary, summary  # without the server's word, one page message
