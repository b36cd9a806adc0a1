"""`smoke discover` against a stub farm on loopback: the section it writes records each wiki's
ORES levels as its Special:RecentChanges offers them, with few requests, one at a time per host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from smoke.cli.main import main
from smoke.model.checks import ORES_LEVELS
from smoke.survey.discover import DiscoveredWiki, Site, discover, incomplete, render_yaml
from smoke.survey.section import ores_value
from tests.unit.survey_pages import StubFarm, StubWiki

DEFAULTS = {"damaging": ORES_LEVELS, "goodfaith": list(ORES_LEVELS[:3])}


@pytest.fixture
def farm() -> Iterator[StubFarm]:
    stub = StubFarm(delay=0.0)
    yield stub
    stub.close()


def test_ores_value_is_the_mapping_in_canonical_order_or_an_empty_list() -> None:
    assert ores_value({"goodfaith": ("likelygood",), "damaging": ORES_LEVELS}) == {
        "damaging": list(ORES_LEVELS),
        "goodfaith": ["likelygood"],
    }
    assert ores_value({}) == [] and ores_value({"damaging": ()}) == []


def test_discover_records_the_levels_each_wiki_offers(farm: StubFarm) -> None:
    base = farm.host(
        {
            "enwiki": StubWiki(DEFAULTS),
            "ruwiki": StubWiki(
                {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS}, lang="ru", redirect=True
            ),
            "frwiki": StubWiki({"damaging": ("likelygood", "likelybad", "verylikelybad")}),
            "nooreswiki": StubWiki(None),
        }
    )
    found = discover(f"{base}/enwiki/api.php", "smoke/test", workers=4)
    text = render_yaml("farm", found, "the stub")
    wikis = {w["id"]: w for w in yaml.safe_load(text)["targets"]["farm"]["wikis"]}
    assert wikis["enwiki"]["ores"] == {
        "damaging": list(ORES_LEVELS),
        "goodfaith": list(ORES_LEVELS[:3]),
    }
    assert wikis["ruwiki"]["ores"] == {
        "damaging": list(ORES_LEVELS),
        "goodfaith": list(ORES_LEVELS),
    }
    assert wikis["frwiki"]["ores"] == {"damaging": ["likelygood", "likelybad", "verylikelybad"]}
    assert wikis["nooreswiki"]["ores"] == []
    assert wikis["ruwiki"]["url"] == f"{base}/ruwiki" and wikis["ruwiki"]["lang"] == "ru"
    assert not any(incomplete(w) for w in found)
    # The stub serves api.php at the root of each wiki, not under /w: two api.php tries each,
    # and the page only where meta=ores answered (no page for nooreswiki).
    assert farm.count(base, "nooreswiki") == 2
    assert farm.count(base, "ruwiki") == 4  # /w/api.php, api.php, the page, its redirect
    assert farm.max_in_flight == {base.removeprefix("http://"): 1}


def test_unreadable_levels_fall_back_to_the_models_and_exit_3(
    farm: StubFarm, capsys: pytest.CaptureFixture[str]
) -> None:
    base = farm.host(
        {
            "enwiki": StubWiki(DEFAULTS),
            "ruwiki": StubWiki(DEFAULTS, rc_status=500),
            "dewiki": StubWiki(DEFAULTS, api_status=503),
        }
    )
    code = main(["discover", "--sitematrix", f"{base}/enwiki/api.php", "--config", "/nonexistent"])
    out, err = capsys.readouterr()
    assert code == 3
    wikis = {w["id"]: w for w in yaml.safe_load(out)["targets"]["local"]["wikis"]}
    assert wikis["ruwiki"]["ores"] == ["damaging", "goodfaith"]
    assert "levels unknown (Special:RecentChanges: HTTP 500)" in out
    assert "dewiki" not in wikis and "# dewiki" in out and "HTTP 503" in out
    assert "ruwiki: levels unknown" in err


def test_a_model_meta_ores_names_but_the_page_does_not_offer_is_said() -> None:
    wiki = DiscoveredWiki(
        site=Site("euwiki", "https://eu.wikipedia.org", "eu"),
        base_url="https://eu.wikipedia.org/w",
        ores=("damaging", "goodfaith"),
        levels={},
        generator="MediaWiki 1.42.0-wmf.5",
        notes=("meta=ores lists damaging, goodfaith, but Special:RecentChanges offers none",),
    )
    text = render_yaml("production", [wiki], "meta")
    assert "ores: []}  # MediaWiki 1.42.0-wmf.5; meta=ores lists damaging, goodfaith" in text
