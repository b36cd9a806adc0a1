"""A wiki's smoke-settings.php, evaluated by PHP: the companion extension everywhere, ORES
configured from the table (real checkout or imitation), nothing ORES on a wiki without it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from smoke.testbed.ores import OresCheckout
from smoke.testbed.scoring import MODEL_VERSIONS, SCORE_CYCLE
from smoke.testbed.settings import ASSETS, numeric_thresholds_config, render
from smoke.testbed.state import FarmState, ProcessState, WikiState
from smoke.testbed.wikis import SPECS_BY_ID, thresholds_config

pytestmark = pytest.mark.skipif(shutil.which("php") is None, reason="needs php to evaluate")

# Stubs for what LocalSettings.php may call, then the globals the settings set.
EVALUATE = r"""
function wfLoadExtension( $name, $path ) { $GLOBALS['loaded'][] = [ $name, $path ]; }
$wgDefaultUserOptions = []; $wgDebugLogGroups = [];
require $argv[1];
$out = [];
foreach ( $GLOBALS as $key => $value ) {
    if ( $key === 'loaded' || strpos( $key, 'wg' ) === 0 ) { $out[$key] = $value; }
}
echo json_encode( $out );
"""


def make_state(tmp_path: Path) -> FarmState:
    state = FarmState(str(tmp_path), 9000, ProcessState(9000))
    for offset, spec in enumerate(SPECS_BY_ID.values(), start=1):
        state.wikis[spec.id] = WikiState(
            spec.id, spec.lang, spec.sitename, f"http://127.0.0.1:{9000 + offset}", 9000 + offset,
            None, list(spec.ores), "SmokeCheck", str(tmp_path / "secrets" / f"{spec.id}.password"),
            "Alice", ores_levels={m: list(lv) for m, lv in spec.ores_levels.items()},
        )  # fmt: skip
    return state


def evaluate(tmp_path: Path, text: str) -> dict[str, Any]:
    settings = tmp_path / "smoke-settings.php"
    settings.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["php", "-r", EVALUATE.replace("<?php", ""), str(settings)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_real_extension(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    checkout = OresCheckout(tmp_path / "ORES", None, None, {})
    php = evaluate(tmp_path, render(state, state.wikis["frwiki"], checkout))
    assert php["loaded"] == [
        ["SmokeFarm", str(ASSETS / "SmokeFarm" / "extension.json")],
        ["ORES", str(tmp_path / "ORES" / "extension.json")],
    ]
    assert php["wgOresBaseUrl"] == "http://127.0.0.1:9000/"  # ORES appends v3/scores/...
    assert php["wgOresWikiId"] == "frwiki"
    assert php["wgOresModels"] == {"damaging": {"enabled": True}, "goodfaith": {"enabled": True}}
    assert php["wgOresFiltersThresholds"] == thresholds_config(SPECS_BY_ID["frwiki"].ores_levels)
    assert php["wgOresFiltersThresholds"]["damaging"]["maybebad"] is False
    assert php["wgSmokeFarmStateDir"] == str(state.wikis["frwiki"].dir)
    assert [w["dbname"] for w in php["wgSmokeFarmWikis"]] == list(SPECS_BY_ID)
    assert php["wgShowExceptionDetails"] is False
    assert "wgSmokeOresScoreCycle" not in php


def test_cache_version_follows_the_faults_file(tmp_path: Path) -> None:
    """ORES caches thresholds for a day; the key holds $wgOresCacheVersion."""
    state = make_state(tmp_path)
    wiki = state.wikis["enwiki"]
    text = render(state, wiki, None)
    versions = []
    for content in ("{}", '{"service-500": {}}', "{}"):
        wiki.dir.mkdir(parents=True, exist_ok=True)
        (wiki.dir / "faults.json").write_text(content, encoding="utf-8")
        versions.append(evaluate(tmp_path, text)["wgOresCacheVersion"])
    assert versions[0] == versions[2] != versions[1]


def test_imitation(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    php = evaluate(tmp_path, render(state, state.wikis["ruwiki"], None))
    assert php["loaded"][1] == ["SmokeOres", str(ASSETS / "SmokeOres" / "extension.json")]
    assert php["wgOresFiltersThresholds"] == thresholds_config(SPECS_BY_ID["ruwiki"].ores_levels)
    assert php["wgSmokeOresScoreCycle"] == [list(pair) for pair in SCORE_CYCLE]
    assert php["wgSmokeOresModelVersions"] == MODEL_VERSIONS


def test_a_wiki_without_ores_loads_only_the_companion(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    checkout = OresCheckout(tmp_path / "ORES", None, None, {})
    php = evaluate(tmp_path, render(state, state.wikis["nooreswiki"], checkout))
    assert [name for name, _ in php["loaded"]] == ["SmokeFarm"]
    assert not [key for key in php if key.startswith("wgOres")]


def test_the_imitations_defaults_are_the_extensions() -> None:
    """A wiki that set nothing would get the same levels from either ORES."""
    manifest = json.loads((ASSETS / "SmokeOres" / "extension.json").read_text())
    defaults = manifest["config"]["OresFiltersThresholds"]["value"]
    assert defaults == thresholds_config(SPECS_BY_ID["enwiki"].ores_levels)
    assert manifest["config"]["OresFiltersThresholds"]["merge_strategy"] == "array_plus_2d"


def test_paths_are_taken_literally(tmp_path: Path) -> None:
    """A state directory with $, quotes or backslashes in its name reaches PHP unchanged."""
    odd = tmp_path / "farm $HOME 'x' \\n \"y\""
    state = make_state(odd)
    php = evaluate(tmp_path, render(state, state.wikis["enwiki"], None))
    assert php["wgSmokeFarmStateDir"] == str(odd / "wikis" / "enwiki")
    assert php["wgDebugLogGroups"]["ORES"] == str(odd / "wikis" / "enwiki" / "ores.log")


def test_liftwing_extension(tmp_path: Path) -> None:
    """A REL1_43 checkout runs as production does: Lift Wing, model versions, numbers only."""
    state = make_state(tmp_path)
    checkout = OresCheckout(tmp_path / "ORES", None, None, {}, liftwing=True)
    php = evaluate(tmp_path, render(state, state.wikis["ruwiki"], checkout))
    assert php["wgOresUseLiftwing"] is True
    assert php["wgOresLiftWingBaseUrl"] == "http://127.0.0.1:9000/service/lw/inference/"
    assert php["wgOresModelVersions"] == {
        "models": {m: {"version": v} for m, v in MODEL_VERSIONS.items()}
    }
    thresholds = php["wgOresFiltersThresholds"]
    assert thresholds == numeric_thresholds_config(SPECS_BY_ID["ruwiki"].ores_levels)
    for model, levels in thresholds.items():
        for level, bounds in levels.items():
            assert isinstance(bounds, dict), (model, level)  # ruwiki offers every level
            assert all(isinstance(v, int | float) for v in bounds.values()), (model, level)
    v3_checkout = OresCheckout(tmp_path / "ORES", None, None, {})
    v3 = evaluate(tmp_path, render(state, state.wikis["ruwiki"], v3_checkout))
    assert v3["wgOresUseLiftwing"] is False


def test_numeric_thresholds_keep_every_level_and_its_rows() -> None:
    """The numbers are the service's answers to the formulas: the same levels, and the same score
    cycle rows in each level, as the extension computes from the formulas on 1.39."""
    levels = SPECS_BY_ID["frwiki"].ores_levels
    formulas, numbers = thresholds_config(levels), numeric_thresholds_config(levels)
    for model in formulas:
        for level, bounds in formulas[model].items():
            assert (bounds is False) == (numbers[model][level] is False)
    damaging = numbers["damaging"]["likelybad"]
    assert isinstance(damaging, dict)
    low, high = float(damaging["min"]), float(damaging["max"])
    rows = [d for d, _ in SCORE_CYCLE if low <= d <= high]
    assert rows == [0.5, 0.75, 0.95]
