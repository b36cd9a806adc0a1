"""The shipped `production` target: Wikimedia's ORES wikis as a reference that is never swept."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from smoke.config import ConfigError, load_config
from smoke.model.checks import ORES_LEVELS
from smoke.plan.planner import PlanOptions, make_plan
from smoke.plan.safety import is_production
from smoke.survey.parity import base_urls

SHIPPED = Path(__file__).resolve().parents[2] / "wikis.yaml"


def words(text: str) -> list[str]:
    return text.split()


# mediawiki-ores.md §4: the `ores` dblist, and where damaging/goodfaith are off.
DBLIST = words(
    "af ar az be bn bs ca cs cy en es eswikibooks eswikiquote et eu fa fi fr ha he hu id is it kk "
    "ko la lv mk ml mr nl nn pa pl pt ro ru simple sq sr sv sw test2 test te th tl tr uk "
    "wikidatawiki zh"
)
REVERT_RISK_ONLY = set(words("af az be bn cy ha id is kk la mk ml mr nn pa sw te th tl"))
NO_GOODFAITH = {"ar", "sr"}
UI_OFF = {"eu"}  # models on, RecentChanges shows no ORES filters


def test_production_lists_the_ores_dblist_with_its_models() -> None:
    target = load_config(SHIPPED).target("production")
    ids = {"eswikibooks", "eswikiquote", "wikidatawiki"}
    expected = {n if n in ids else f"{n}wiki": n for n in DBLIST}
    assert sorted(w.id for w in target.wikis) == sorted(expected)
    for wiki in target.wikis:
        short = expected[wiki.id]
        if short in REVERT_RISK_ONLY | UI_OFF:
            assert list(wiki.ores) == [], wiki.id
        elif short in NO_GOODFAITH:
            assert list(wiki.ores) == ["damaging"], wiki.id
        else:
            assert list(wiki.ores) == ["damaging", "goodfaith"], wiki.id
    # The one wiki whose levels the doc states in full: every level of both models.
    assert target.wiki("ruwiki").ores == {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS}


def test_production_urls_are_production_hosts() -> None:
    urls = base_urls(load_config(SHIPPED), "production", None)
    assert urls["ruwiki"] == "https://ru.wikipedia.org/w"
    assert urls["wikidatawiki"] == "https://www.wikidata.org/w"
    assert urls["eswikiquote"] == "https://es.wikiquote.org/w"
    assert urls["test2wiki"] == "https://test2.wikipedia.org/w"
    assert all(is_production(urlsplit(u).hostname or "") for u in urls.values())


def test_sweeping_production_stays_refused() -> None:
    with pytest.raises(ConfigError, match="--allow-production"):
        make_plan(PlanOptions(config_path=SHIPPED, target="production"))
    plan = make_plan(
        PlanOptions(
            config_path=SHIPPED, target="production", wikis=("ruwiki",), allow_production=True
        )
    )
    assert plan.checks and all(c.url.startswith("https://ru.wikipedia.org/w/") for c in plan.checks)
