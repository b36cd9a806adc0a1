"""The 1.43 farm (the default: Debian 13's MediaWiki, Extension:ORES REL1_43 on Lift Wing).

The healthy default matrix on 1.39 is tests/integration/test_runner_sweep.py (``farm_state``);
here the same on 1.43 (``farm_143``), and what only 1.43 has: scores fetched from Lift Wing and
stored by the score jobs, an edit made now and aged, and ``status`` naming the generation.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from smoke.cli.main import main as smoke_main
from smoke.testbed import scoring
from smoke.testbed.edits import age_edits, edit
from smoke.testbed.state import FarmState, load_state
from tests.integration.runner_helpers import smoke_run

ORES_WIKIS = ("enwiki", "ruwiki", "frwiki")


def stored_scores(state: FarmState, wiki: str) -> dict[int, dict[str, float]]:
    db = sqlite3.connect(state.wikis[wiki].dir / "db" / f"{wiki}.sqlite")
    try:
        models = dict(db.execute("SELECT oresm_id, oresm_name FROM ores_model"))
        scores: dict[int, dict[str, float]] = {}
        for rev, model, probability in db.execute(
            "SELECT oresc_rev, oresc_model, oresc_probability FROM ores_classification"
        ):
            scores.setdefault(rev, {})[models[model]] = probability
    finally:
        db.close()
    return scores


def test_the_143_farm_runs_liftwing_and_says_so(
    farm_143: FarmState, capsys: pytest.CaptureFixture[str]
) -> None:
    state = load_state(Path(farm_143.state_dir))
    assert state.mediawiki == "1.43" and state.ores_liftwing
    assert state.ores_extension and state.ores_extension.endswith("ORES-REL1_43")
    settings = (state.wikis["enwiki"].dir / "smoke-settings.php").read_text()
    assert "$wgOresUseLiftwing = true;" in settings
    (thresholds,) = [line for line in settings.splitlines() if "$wgOresFiltersThresholds" in line]
    assert "@" not in thresholds  # numbers, no formula (Lift Wing has no threshold API)
    code = smoke_main(["testbed", "--state-dir", farm_143.state_dir, "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert code == 0
    assert status["mediawiki"]["generation"] == "1.43"
    assert status["mediawiki"]["version"].startswith("1.43.")
    assert status["mediawiki"]["ores_api"] == "liftwing"
    assert status["ores"]["api"] == "liftwing"
    # Every seeded edit was scored by its job, through Lift Wing, with the farm's scores.
    for wiki in ORES_WIKIS:
        scores = stored_scores(state, wiki)
        assert len(scores) >= 10, wiki
        for rev, by_model in scores.items():
            for model, probability in by_model.items():
                assert probability == pytest.approx(scoring.probability(model, rev)), (wiki, rev)
    service_log = (Path(farm_143.state_dir) / "logs" / "service.log").read_text()
    assert "POST /service/lw/inference/v1/models/enwiki-damaging:predict" in service_log


def test_an_edit_now_and_aged(farm_143: FarmState) -> None:
    state_dir = Path(farm_143.state_dir)
    waiting = edit(state_dir, "frwiki", title="Generations waiting", run_jobs=False)
    assert not waiting.scored and waiting.job_error is None
    made = edit(state_dir, "frwiki", title="Generations scored", age_s=7200)
    assert made.scored and made.job_error is None
    assert made.rev_id > waiting.rev_id
    # The job run of the second edit scored the first one too (one queue).
    assert waiting.rev_id in stored_scores(farm_143, "frwiki")
    assert made.timestamp < waiting.timestamp  # two hours older
    assert age_edits(state_dir, "frwiki", 60, rev_ids=[waiting.rev_id]) == 1


def test_healthy_143_farm_full_sweep_passes(farm_143: FarmState, tmp_path: Path) -> None:
    out = smoke_run(farm_143, tmp_path)
    assert out.code == 0, out.stdout[-3000:] + out.stderr[-2000:]
    checks = out.results["checks"]
    ran = [c for c in checks if c["outcome"] != "skipped"]
    assert len(ran) >= 40
    assert {c["wiki"] for c in ran} >= set(ORES_WIKIS)
    assert {c["page"] for c in ran} == {"recentchanges", "watchlist", "contributions"}
    assert [c["id"] for c in ran if c["outcome"] != "passed"] == []
    # ORES variants ran on every ORES wiki: the groups are there, not skipped for want of them.
    assert out.check("ruwiki/recentchanges/damaging=likelybad")["outcome"] == "passed"
    assert out.check("enwiki/watchlist/damaging+goodfaith")["outcome"] == "passed"
