"""The default variant matrix and ORES parameter validation (built-in and from wikis.yaml)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smoke.config import DEFAULT_VARIANTS, ConfigError, load_config
from smoke.config.errors import FieldProblem
from smoke.config.variants import make_variant, param_problem
from smoke.model.checks import ORES_LEVELS, Page

RC_WL = (Page.RECENTCHANGES, Page.WATCHLIST)


# --- the default matrix ---------------------------------------------------------------------


def test_default_names_are_stable() -> None:
    assert [v.name for v in DEFAULT_VARIANTS] == [
        "plain",
        *(f"damaging={level}" for level in ORES_LEVELS),
        *(f"goodfaith={level}" for level in ORES_LEVELS),
        "damaging+goodfaith",
        "highlight",
        "hidenondamaging",
        "enhanced+damaging=likelybad",
    ]


def test_default_counts_per_page() -> None:
    assert sum(v.applies_to(Page.RECENTCHANGES) for v in DEFAULT_VARIANTS) == 13
    assert sum(v.applies_to(Page.WATCHLIST) for v in DEFAULT_VARIANTS) == 13
    contributions = [v.name for v in DEFAULT_VARIANTS if v.applies_to(Page.CONTRIBUTIONS)]
    assert contributions == ["plain", "hidenondamaging"]


def test_default_names_are_unique() -> None:
    names = [v.name for v in DEFAULT_VARIANTS]
    assert len(names) == len(set(names))


def test_plain_needs_no_model() -> None:
    plain = DEFAULT_VARIANTS[0]
    assert plain.params == {}
    assert plain.required_models == frozenset()
    assert plain.requested_filters == {}


def test_derived_fields_of_the_combined_variant() -> None:
    variant = next(v for v in DEFAULT_VARIANTS if v.name == "damaging+goodfaith")
    assert variant.requested_filters == {
        "damaging": ("likelybad", "verylikelybad"),
        "goodfaith": ("likelybad", "verylikelybad"),
    }
    assert variant.required_models == {"damaging", "goodfaith"}


def test_highlight_requests_no_filter_but_needs_damaging() -> None:
    variant = next(v for v in DEFAULT_VARIANTS if v.name == "highlight")
    assert variant.requested_filters == {}
    assert variant.required_models == {"damaging"}


def test_hidenondamaging_needs_damaging() -> None:
    variant = next(v for v in DEFAULT_VARIANTS if v.name == "hidenondamaging")
    assert variant.required_models == {"damaging"}
    assert make_variant("off", RC_WL, {"hidenondamaging": "0"}).required_models == frozenset()


def test_goodfaith_level_needs_only_goodfaith() -> None:
    variant = next(v for v in DEFAULT_VARIANTS if v.name == "goodfaith=maybebad")
    assert variant.required_models == {"goodfaith"}
    assert variant.requested_filters == {"goodfaith": ("maybebad",)}


# --- parameter validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("damaging", "likelybad"),
        ("damaging", "likelybad;verylikelybad"),
        ("goodfaith", "likelygood;maybebad;likelybad;verylikelybad"),
        ("damaging__maybebad_color", "c1"),
        ("goodfaith__verylikelybad_color", "c5"),
        ("highlight", "1"),
        ("enhanced", "0"),
        ("hidenondamaging", "1"),
        ("hidebots", "0"),  # a core parameter: not ours to judge
        ("userExpLevel__newcomer_color", "c3"),  # a core filter's color
        ("days", "30"),
    ],
)
def test_valid_params(key: str, value: str) -> None:
    assert param_problem(key, value) is None


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("damaging", "likleybad", "unknown damaging level 'likleybad' (did you mean 'likelybad'?)"),
        ("goodfaith", "bad", "unknown goodfaith level 'bad'"),
        ("damaging", "likelybad;", "unknown damaging level ''"),
        ("damaging", "likelybad,verylikelybad", "join several with ';'"),
        ("damaging", "likelybad;likelybad", "lists a level twice"),
        ("damaging__likelybad_color", "c6", "c1, c2, c3, c4, c5"),
        ("damaging__likelbad_color", "c4", "(did you mean 'likelybad'?)"),
        ("damagin__likelybad_color", "c4", "(did you mean 'damaging'?)"),
        ("hidenondamaging", "yes", "must be 0 or 1"),
        ("highlight", "true", "must be 0 or 1"),
        ("enhanced", "2", "must be 0 or 1"),
        ("damagng", "likelybad", "unknown parameter 'damagng' (did you mean 'damaging'?)"),
        ("title", "Special:Log", "set by smoke"),
    ],
)
def test_invalid_params(key: str, value: str, fragment: str) -> None:
    problem = param_problem(key, value)
    assert problem is not None and fragment in problem


def test_level_error_lists_valid_levels() -> None:
    problem = param_problem("damaging", "bad")
    assert problem is not None
    assert "likelygood, maybebad, likelybad, verylikelybad" in problem


def test_contributions_rejects_rc_only_params() -> None:
    with pytest.raises(FieldProblem) as info:
        make_variant("x", (Page.CONTRIBUTIONS,), {"damaging": "likelybad"})
    assert info.value.subpath == ("params", "damaging")
    assert "only hidenondamaging" in info.value.message


def test_variant_name_cannot_contain_slash() -> None:
    with pytest.raises(FieldProblem) as info:
        make_variant("a/b", RC_WL, {})
    assert info.value.subpath == ("name",)


# --- variants from wikis.yaml ---------------------------------------------------------------

TARGETS = """\
targets:
  local:
    testbed: true
    wikis: [{id: enwiki, ores: [damaging]}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(textwrap.dedent(text) + TARGETS, encoding="utf-8")
    return path


def test_user_variants_replace_the_matrix(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
            variants:
              - {name: plain, pages: [recentchanges, watchlist, contributions]}
              - name: hide
                pages: [contributions]
                params: {hidenondamaging: 1}
            """,
        )
    )
    matrix = config.variant_matrix()
    assert [v.name for v in matrix] == ["plain", "hide"]
    assert matrix[1].params == {"hidenondamaging": "1"}  # YAML int -> URL string
    assert matrix[1].required_models == {"damaging"}


def test_user_variant_bad_level_points_at_the_param(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        variants:
          - name: dmg
            pages: [recentchanges]
            params:
              highlight: 1
              damaging: likelybad;verylikleybad
        """,
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:6: variants[0].params.damaging: unknown damaging level 'verylikleybad' "
        "(did you mean 'verylikelybad'?); valid levels: likelygood, maybebad, likelybad, "
        "verylikelybad (join several with ';')"
    )


def test_user_variant_unknown_page(tmp_path: Path) -> None:
    path = write(tmp_path, "variants:\n  - {name: x, pages: [recentchange]}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:2: variants[0].pages[0]: unknown page")
    assert "did you mean 'recentchanges'?" in str(info.value)


def test_user_variant_duplicate_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "variants:\n  - {name: x, pages: [watchlist]}\n  - {name: x, pages: [recentchanges]}\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3: variants[1].name: duplicate variant name 'x'")


def test_user_variant_needs_pages(tmp_path: Path) -> None:
    path = write(tmp_path, "variants:\n  - {name: x, params: {}}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}:2: variants[0]: missing required key 'pages'"


def test_skip_variants_checked_against_user_matrix(tmp_path: Path) -> None:
    path = tmp_path / "wikis.yaml"
    path.write_text(
        "variants:\n  - {name: only, pages: [watchlist]}\n"
        + TARGETS.replace("ores: [damaging]", "ores: [damaging], skip_variants: [plain]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "unknown variant 'plain'" in str(info.value)
    assert "variants: only" in str(info.value)
