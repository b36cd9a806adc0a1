"""The farm's one table of wikis and ORES levels: what each wiki offers, and how that becomes
``$wgOresFiltersThresholds``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from smoke.testbed.ores import ENV_VAR, read_checkout
from smoke.testbed.wikis import (
    EXTENSION_DEFAULT_LEVELS,
    LEVEL_BOUNDS,
    ORES_LEVELS,
    ORES_MODELS,
    SPECS_BY_ID,
    WIKI_SPECS,
    configured_levels,
    level_formulas,
    thresholds_config,
)

ALL = ORES_LEVELS
GOODFAITH_DEFAULTS = ("likelygood", "maybebad", "likelybad")
VENDOR = Path(__file__).resolve().parents[2].parent / "shared" / "vendor" / "ORES"


def test_levels_per_wiki_as_production_configures_them() -> None:
    assert configured_levels("enwiki") == {"damaging": ALL, "goodfaith": GOODFAITH_DEFAULTS}
    assert configured_levels("ruwiki") == {"damaging": ALL, "goodfaith": ALL}
    assert configured_levels("frwiki") == {
        "damaging": ("likelygood", "likelybad", "verylikelybad"),
        "goodfaith": GOODFAITH_DEFAULTS,
    }
    assert configured_levels("nooreswiki") == {}
    with pytest.raises(KeyError):
        configured_levels("dewiki")


def test_models_follow_the_levels() -> None:
    assert [spec.ores for spec in WIKI_SPECS] == [
        ("damaging", "goodfaith"),
        ("damaging", "goodfaith"),
        ("damaging", "goodfaith"),
        (),
    ]
    for spec in WIKI_SPECS:
        for model, levels in spec.ores_levels.items():
            assert model in ORES_MODELS
            assert list(levels) == [lv for lv in ORES_LEVELS if lv in levels], spec.id  # in order
    assert list(SPECS_BY_ID) == ["enwiki", "ruwiki", "frwiki", "nooreswiki"]


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        SPECS_BY_ID["enwiki"].ores_levels["goodfaith"] = ALL  # type: ignore[index]
    assert hash(SPECS_BY_ID["enwiki"])  # usable as a key despite the mapping


def test_thresholds_config_names_every_level() -> None:
    config = thresholds_config(SPECS_BY_ID["frwiki"].ores_levels)
    assert set(config) == set(ORES_MODELS)
    assert config["damaging"]["maybebad"] is False
    assert config["goodfaith"]["verylikelybad"] is False
    assert config["damaging"]["likelybad"] == {"min": "maximum recall @ precision >= 0.6", "max": 1}
    ru = thresholds_config(SPECS_BY_ID["ruwiki"].ores_levels)
    formula = "maximum recall @ precision >= 0.9"
    assert ru["goodfaith"]["verylikelybad"] == {"min": 0, "max": formula}
    assert all(v is False for m in thresholds_config({}).values() for v in m.values())
    json.dumps(config)


def test_level_formulas_read_min_from_true_and_max_from_false() -> None:
    assert level_formulas("damaging", "likelygood") == [
        ("false", "maximum recall @ precision >= 0.995")
    ]
    assert level_formulas("goodfaith", "likelygood") == [
        ("true", "maximum recall @ precision >= 0.995")
    ]
    for model in ORES_MODELS:
        formulas = [f for level in ORES_LEVELS for f in level_formulas(model, level)]
        assert len(formulas) == len(set(formulas)) == 4, model  # one formula per level


def test_the_default_levels_are_the_extensions() -> None:
    """enwiki runs the extension's defaults; checked against a checkout when there is one."""
    assert EXTENSION_DEFAULT_LEVELS == {"damaging": ALL, "goodfaith": GOODFAITH_DEFAULTS}
    where = Path(os.environ[ENV_VAR]) if os.environ.get(ENV_VAR) else VENDOR
    if not (where / "extension.json").exists():
        pytest.skip(f"no Extension:ORES checkout at {where} (${ENV_VAR}, else {VENDOR})")
    checkout = read_checkout(where)
    assert checkout.defaults_differ() == []
    defaults = checkout.default_bounds
    for model in ORES_MODELS:
        offered = tuple(lv for lv in ORES_LEVELS if defaults[model].get(lv, False) is not False)
        assert offered == EXTENSION_DEFAULT_LEVELS[model]
        for level in offered:
            assert defaults[model][level] == dict(LEVEL_BOUNDS[model][level])
