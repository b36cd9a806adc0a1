"""ORES levels in wikis.yaml: both forms of `ores:`, their errors, and variants fitted per wiki."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from smoke.config import build_checks
from smoke.config.ores import fit_variant
from smoke.config.variants import DEFAULT_VARIANTS, Variant, make_variant
from smoke.model.checks import ORES_DEFAULT_LEVELS, ORES_LEVELS, ORES_MODELS, Check, Page
from tests.unit.config_files import assert_at, error_of, load

TODAY = date(2026, 1, 15)
RC_WL = (Page.RECENTCHANGES, Page.WATCHLIST)
ALL = ORES_LEVELS


def wiki_file(*wikis: str) -> str:
    lines = ["targets:", "  local:", "    testbed: true", "    wikis:"]
    return "\n".join(lines + [f"      {wiki}" for wiki in wikis]) + "\n"


def variant(name: str) -> Variant:
    return next(v for v in DEFAULT_VARIANTS if v.name == name)


# --- the two forms of `ores:` -----------------------------------------------------------------


def test_defaults_table_is_the_extensions() -> None:
    assert tuple(ORES_DEFAULT_LEVELS) == ORES_MODELS
    assert ORES_DEFAULT_LEVELS["damaging"] == ALL
    assert ORES_DEFAULT_LEVELS["goodfaith"] == ("likelygood", "maybebad", "likelybad")


# $SMOKE_ORES_EXTENSION, else the 2022 copy kept beside the clone (the one whose defaults are
# formulas per level; REL1_43's are numbers).
ORES_CHECKOUT = Path(
    os.environ.get("SMOKE_ORES_EXTENSION")
    or Path(__file__).resolve().parents[3] / "shared" / "vendor" / "ORES"
)


@pytest.mark.skipif(
    not (ORES_CHECKOUT / "extension.json").is_file(),
    reason=f"no Extension:ORES checkout to compare with at {ORES_CHECKOUT}",
)
def test_defaults_table_matches_the_checkout() -> None:
    manifest = ORES_CHECKOUT / "extension.json"
    thresholds = json.loads(manifest.read_text())["config"]["OresFiltersThresholds"]["value"]
    for model in ORES_MODELS:
        offered = tuple(lv for lv in ALL if thresholds[model].get(lv, False) is not False)
        assert offered == ORES_DEFAULT_LEVELS[model], model


def test_mapping_form_in_canonical_order(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        wiki_file(
            "- id: frwiki",
            "  ores:",
            "    goodfaith: [likelybad, likelygood]",
            "    damaging: [verylikelybad, likelygood, likelybad]",
        ),
    )
    wiki = config.targets["local"].wikis[0]
    assert list(wiki.ores.items()) == [
        ("damaging", ("likelygood", "likelybad", "verylikelybad")),
        ("goodfaith", ("likelygood", "likelybad")),
    ]
    assert wiki.ores_models == ("damaging", "goodfaith")


def test_list_form_means_the_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, wiki_file("- {id: arwiki, ores: [damaging]}"))
    assert config.targets["local"].wikis[0].ores == {"damaging": ALL}


@pytest.mark.parametrize("empty", ["[]", "{}"])
def test_no_ores(tmp_path: Path, empty: str) -> None:
    config = load(tmp_path, wiki_file(f"- {{id: nooreswiki, ores: {empty}}}"))
    assert config.targets["local"].wikis[0].ores == {}


def test_unknown_model_in_mapping(tmp_path: Path) -> None:
    err = error_of(tmp_path, wiki_file("- id: enwiki", "  ores:", "    damagin: [likelybad]"))
    assert_at(
        err,
        tmp_path,
        7,
        "targets.local.wikis[0].ores.damagin",
        "unknown ORES model 'damagin' (did you mean 'damaging'?)",
    )


def test_unknown_level(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        wiki_file(
            "- id: enwiki",
            "  ores:",
            "    damaging:",
            "      - likelygood",
            "      - verylikleybad",
        ),
    )
    assert_at(
        err,
        tmp_path,
        9,
        "targets.local.wikis[0].ores.damaging[1]",
        "unknown damaging level 'verylikleybad' (did you mean 'verylikelybad'?)",
        "likelygood, maybebad, likelybad, verylikelybad",
    )


def test_empty_level_list_says_leave_the_model_out(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        wiki_file("- id: arwiki", "  ores:", "    damaging: [likelybad]", "    goodfaith: []"),
    )
    assert_at(
        err,
        tmp_path,
        8,
        "targets.local.wikis[0].ores.goodfaith",
        "goodfaith lists no level; leave goodfaith out instead",
    )


def test_duplicate_level(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        wiki_file("- id: enwiki", "  ores:", "    damaging: [likelybad, maybebad, likelybad]"),
    )
    assert_at(
        err,
        tmp_path,
        7,
        "targets.local.wikis[0].ores.damaging[2]",
        "damaging level 'likelybad' is listed twice",
    )


def test_levels_must_be_a_list(tmp_path: Path) -> None:
    err = error_of(tmp_path, wiki_file("- {id: enwiki, ores: {damaging: likelybad}}"))
    assert_at(
        err,
        tmp_path,
        5,
        "targets.local.wikis[0].ores.damaging",
        "expected a list of damaging levels",
        "got a string",
    )


def test_ores_left_empty(tmp_path: Path) -> None:
    err = error_of(tmp_path, wiki_file("- id: enwiki", "  ores:"))
    assert_at(err, tmp_path, 6, "targets.local.wikis[0].ores", "got an empty value")


# --- fitting a variant to a wiki's levels -----------------------------------------------------


def test_single_level_not_offered_is_lacking() -> None:
    fitted = fit_variant(variant("goodfaith=verylikelybad"), ORES_DEFAULT_LEVELS)
    assert fitted.lacking == "goodfaith=verylikelybad"


def test_offered_level_is_unchanged() -> None:
    original = variant("damaging=maybebad")
    fitted = fit_variant(original, ORES_DEFAULT_LEVELS)
    assert (fitted.lacking, fitted.params) == (None, original.params)
    assert fitted.requested_filters == {"damaging": ("maybebad",)}


def test_combined_variant_drops_what_the_wiki_lacks() -> None:
    fitted = fit_variant(variant("damaging+goodfaith"), ORES_DEFAULT_LEVELS)
    assert fitted.lacking is None
    assert fitted.params == {"damaging": "likelybad;verylikelybad", "goodfaith": "likelybad"}
    assert fitted.requested_filters == {
        "damaging": ("likelybad", "verylikelybad"),
        "goodfaith": ("likelybad",),
    }


def test_combined_variant_with_nothing_left_of_a_model() -> None:
    levels = {"damaging": ALL, "goodfaith": ("likelygood", "maybebad")}
    fitted = fit_variant(variant("damaging+goodfaith"), levels)
    assert fitted.lacking == "goodfaith=likelybad;verylikelybad"


def test_highlight_drops_or_lacks_colors() -> None:
    highlight = variant("highlight")
    no_very = {"damaging": ("likelygood", "maybebad", "likelybad")}
    fitted = fit_variant(highlight, no_very)
    assert fitted.lacking is None
    assert fitted.params == {"highlight": "1", "damaging__likelybad_color": "c4"}
    lacking = fit_variant(highlight, {"damaging": ("likelygood", "maybebad")})
    assert lacking.lacking == "damaging=likelybad;verylikelybad"


def test_missing_model_is_left_to_its_own_skip() -> None:
    original = variant("goodfaith=likelybad")
    fitted = fit_variant(original, {"damaging": ALL})
    assert fitted.lacking is None and fitted.params == original.params


def test_non_ores_parameters_stay() -> None:
    original = make_variant("x", RC_WL, {"enhanced": "1", "damaging": "maybebad;likelybad"})
    fitted = fit_variant(original, {"damaging": ("likelybad",)})
    assert fitted.params == {"enhanced": "1", "damaging": "likelybad"}


# --- expansion per wiki -----------------------------------------------------------------------

LEVELS_CONFIG = wiki_file(
    "- {id: enwiki, ores: [damaging, goodfaith]}",
    "- id: frwiki",
    "  ores: {damaging: [likelygood, likelybad, verylikelybad], goodfaith: [likelygood]}",
    "- {id: lowwiki, ores: {damaging: [likelygood, maybebad]}}",
)
FARM = {w: f"http://127.0.0.1:{8401 + i}" for i, w in enumerate(("enwiki", "frwiki", "lowwiki"))}


def checks_of(tmp_path: Path, text: str = LEVELS_CONFIG) -> dict[str, Check]:
    config = load(tmp_path, text)
    return {c.id: c for c in build_checks(config, "local", base_urls=FARM, today=TODAY)}


def test_level_variant_skipped_with_the_reason(tmp_path: Path) -> None:
    checks = checks_of(tmp_path)
    check = checks["enwiki/recentchanges/goodfaith=verylikelybad"]
    assert check.skip_reason == "goodfaith=verylikelybad: not enabled on enwiki in wikis.yaml"
    # The skipped check still shows what it would have asked for.
    assert check.url.endswith("&goodfaith=verylikelybad")
    assert checks["frwiki/watchlist/damaging=maybebad"].skip_reason == (
        "damaging=maybebad: not enabled on frwiki in wikis.yaml"
    )
    assert checks["frwiki/watchlist/damaging=likelybad"].skip_reason is None


def test_combined_variant_per_wiki(tmp_path: Path) -> None:
    checks = checks_of(tmp_path)
    fr = checks["frwiki/recentchanges/damaging+goodfaith"]
    assert (
        fr.skip_reason == "goodfaith=likelybad;verylikelybad: not enabled on frwiki in wikis.yaml"
    )
    low = checks["lowwiki/recentchanges/damaging+goodfaith"]
    # lowwiki has no goodfaith at all: that reason comes first.
    assert low.skip_reason is not None and low.skip_reason.startswith(
        "lowwiki has no ORES goodfaith"
    )


def test_highlight_per_wiki(tmp_path: Path) -> None:
    checks = checks_of(tmp_path)
    assert checks["frwiki/watchlist/highlight"].skip_reason is None
    assert checks["lowwiki/watchlist/highlight"].skip_reason == (
        "damaging=likelybad;verylikelybad: not enabled on lowwiki in wikis.yaml"
    )


def test_expectation_carries_the_configured_levels(tmp_path: Path) -> None:
    expectation = checks_of(tmp_path)["frwiki/recentchanges/plain"].expectation
    assert expectation.expected_models == {"damaging", "goodfaith"}
    assert expectation.expected_levels == {
        "damaging": {"likelygood", "likelybad", "verylikelybad"},
        "goodfaith": {"likelygood"},
    }


def test_user_variants_are_fitted_too(tmp_path: Path) -> None:
    text = (
        "variants:\n"
        "  - name: patrol\n"
        "    pages: [recentchanges]\n"
        "    params: {damaging: maybebad;likelybad, hidebots: 1}\n" + LEVELS_CONFIG
    )
    checks = checks_of(tmp_path, text)
    assert checks["frwiki/recentchanges/patrol"].url.endswith("&damaging=likelybad&hidebots=1")
    assert checks["frwiki/recentchanges/patrol"].expectation.requested_filters == {
        "damaging": ("likelybad",)
    }
    assert checks["lowwiki/recentchanges/patrol"].url.endswith("&damaging=maybebad&hidebots=1")
