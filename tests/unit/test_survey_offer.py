"""Reading what a wiki offers of ORES from hand-built pages: wgStructuredChangeFilters in the page
head (no browser) and api.php's meta=ores|siteinfo."""

from __future__ import annotations

import pytest

from smoke.model.checks import ORES_LEVELS
from smoke.survey.http import ReadError
from smoke.survey.offer import (
    PageShapeError,
    _notes,
    describe_levels,
    filter_groups,
    ores_levels,
    page_config,
    parse_api,
)
from tests.unit.survey_pages import ERROR_PAGE, api_answer, rc_head

DEFAULTS = {"damaging": ORES_LEVELS, "goodfaith": ("likelygood", "maybebad", "likelybad")}


@pytest.mark.parametrize("style", ["rlconf", "debug", "mwconfig"])
def test_levels_from_a_1_39_page_head(style: str) -> None:
    html = rc_head(DEFAULTS, style=style)
    assert ores_levels(filter_groups(html)) == DEFAULTS


def test_the_whole_mw_config_is_decoded_with_mediawikis_escapes() -> None:
    config = page_config(rc_head(DEFAULTS))
    assert config is not None
    assert config["wgCanonicalSpecialPageName"] == "Recentchanges"
    assert config["wgPageName"] == "Служебная:Свежие_правки"
    # JSON_HEX_TAG / JSON_HEX_AMP: '<' and '&' arrive as \u003C and \u0026.
    message = config["wgStructuredChangeFiltersMessages"]
    assert message["rcfilters-filter-editsbyself-description"].startswith('Ваш <a href="/x">')


def test_levels_come_out_in_canonical_order_and_unknown_names_are_ignored() -> None:
    html = rc_head({"goodfaith": ["verylikelybad", "likelygood", "someday"], "damaging": []})
    assert ores_levels(filter_groups(html)) == {"goodfaith": ("likelygood", "verylikelybad")}


def test_a_page_without_ores_groups_offers_nothing() -> None:
    assert ores_levels(filter_groups(rc_head({}))) == {}
    assert describe_levels({}) == "none"


def test_an_error_page_or_a_foreign_page_has_no_filters() -> None:
    with pytest.raises(PageShapeError, match="no wgStructuredChangeFilters"):
        filter_groups(ERROR_PAGE)
    with pytest.raises(PageShapeError, match="not a MediaWiki page"):
        filter_groups("<html><body>Hello</body></html>")


def test_a_broken_first_config_object_does_not_hide_a_later_one() -> None:
    html = "<script>RLCONF={oops;</script>" + rc_head({"damaging": ["likelybad"]})
    assert ores_levels(filter_groups(html)) == {"damaging": ("likelybad",)}


def test_describe_levels() -> None:
    assert describe_levels({"goodfaith": ORES_LEVELS}) == "goodfaith (4 levels)"
    assert describe_levels({"damaging": ("likelybad",), "goodfaith": ()}) == "damaging (1 level)"


def test_api_facts() -> None:
    facts = parse_api(
        api_answer(
            server="//ru.wikipedia.org",
            scriptpath="/w",
            generator="MediaWiki 1.42.0-wmf.5",
            models=("damaging", "goodfaith", "revertrisklanguageagnostic"),
            ores_extension={"vcs-system": "git", "vcs-version": "b025e9e97f274334aca2"},
        ),
        "https://ru.wikipedia.org/w/api.php?action=query",
    )
    assert facts.base_url == "https://ru.wikipedia.org/w"  # protocol-relative $wgServer
    assert facts.mediawiki == "1.42.0-wmf.5"
    assert facts.ores_extension == "b025e9e"
    assert facts.ores_models == ("damaging", "goodfaith")
    assert "revertrisklanguageagnostic" in facts.models and facts.has_meta_ores


def test_api_facts_without_ores() -> None:
    facts = parse_api(api_answer(models=None), "http://127.0.0.1:8484/api.php")
    assert not facts.has_meta_ores and facts.models == () and facts.ores_extension == ""
    assert facts.base_url == "http://127.0.0.1:8482"
    with_version = parse_api(api_answer(ores_extension={"version": "1.0"}), "http://x/api.php")
    assert with_version.ores_extension == "1.0"


@pytest.mark.parametrize("answer", [{}, {"query": {}}, [], {"error": {"code": "readapidenied"}}])
def test_an_answer_without_siteinfo_is_not_mediawiki(answer: object) -> None:
    with pytest.raises(ReadError, match="not a MediaWiki API"):
        parse_api(answer, "http://x/api.php")


def test_api_facts_of_a_1_43_wiki_on_lift_wing() -> None:
    # REL1_43's meta=ores has the 2022 shape; its ores_model is filled from $wgOresModelVersions
    # for every configured model, so disabled ones are listed too (PopulatedSqlModelLookup).
    everything = ("articlequality", "damaging", "draftquality", "goodfaith", "reverted",
                  "revertrisklanguageagnostic", "wp10")  # fmt: skip
    facts = parse_api(
        api_answer(generator="MediaWiki 1.43.9", models=everything, ores_extension={}),
        "http://127.0.0.1:8482/api.php",
    )
    assert facts.mediawiki == "1.43.9"
    assert facts.ores_models == ("damaging", "goodfaith")
    assert facts.has_meta_ores
    # A model listed there but without filters on the page is worth a note, not a level.
    note = " ".join(_notes(facts, {"damaging": ORES_LEVELS}))
    assert "goodfaith" in note and "disabled" in note
