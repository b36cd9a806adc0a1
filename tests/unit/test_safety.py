from __future__ import annotations

from pathlib import Path

import pytest

from smoke.browser.politeness import HostSlots
from smoke.cli.main import main
from smoke.config import ConfigError
from smoke.model.exit_codes import ExitCode
from smoke.plan.planner import PlanOptions, make_plan
from smoke.plan.safety import (
    Refused,
    Resolve,
    host_resolver_rules,
    hosts_of,
    is_production,
    refuse_production,
)

PRODUCTION = """\
targets:
  prod:
    url: "https://{lang}.wikipedia.org/w"
    contributions_user: Alice
    wikis: [{id: enwiki, lang: en, ores: [damaging]}]
"""


@pytest.mark.parametrize(
    "host",
    [
        "en.wikipedia.org",
        "WWW.WIKIDATA.ORG",
        "commons.wikimedia.org",
        "www.mediawiki.org",
        "wikipedia.org",
    ],
)
def test_production_hosts(host: str) -> None:
    assert is_production(host)


@pytest.mark.parametrize(
    "host",
    ["en.wikipedia.beta.wmcloud.org", "127.0.0.1", "notwikipedia.org", "wikipedia.org.example.com"],
)
def test_not_production(host: str) -> None:
    assert not is_production(host)


def test_refuse_production_names_the_host_and_the_way_out() -> None:
    with pytest.raises(Refused, match=r"en\.wikipedia\.org.*--allow-production"):
        refuse_production(hosts_of(["https://en.wikipedia.org/w/index.php?title=X"]))
    refuse_production(hosts_of(["https://en.wikipedia.beta.wmcloud.org/w/index.php"]))


def test_plan_refuses_production_unless_allowed(tmp_path: Path) -> None:
    config = tmp_path / "wikis.yaml"
    config.write_text(PRODUCTION)
    with pytest.raises(ConfigError, match="--allow-production"):
        make_plan(PlanOptions(config_path=config, target="prod"), environ={})
    plan = make_plan(
        PlanOptions(config_path=config, target="prod", allow_production=True), environ={}
    )
    assert plan.checks


def test_cli_refuses_production_with_usage_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wikis.yaml"
    config.write_text(PRODUCTION)
    assert main(["list", "--config", str(config), "--target", "prod"]) == ExitCode.USAGE
    assert "refusing" in capsys.readouterr().err


def test_resolve_parsing_and_rules() -> None:
    rules = [
        Resolve.parse("en.wikipedia.beta.wmcloud.org=127.0.0.1"),
        Resolve.parse("*.beta.wmcloud.org = 10.0.0.5"),
    ]
    assert host_resolver_rules(rules) == (
        "MAP en.wikipedia.beta.wmcloud.org 127.0.0.1, MAP *.beta.wmcloud.org 10.0.0.5"
    )
    assert rules[1].matches("fr.wikipedia.beta.wmcloud.org")
    for bad in ("nohost", "=1.2.3.4", "a b=1.2.3.4", "host="):
        with pytest.raises(ValueError, match="HOST=IP"):
            Resolve.parse(bad)


def test_host_slots_exclude_each_other_within_one_process(tmp_path: Path) -> None:
    slots = HostSlots(tmp_path, 2)
    with slots.hold("wiki:1"), slots.hold("wiki:1"):
        third = HostSlots(tmp_path, 2)
        with pytest.raises(TimeoutError, match="wiki:1"), third.hold("wiki:1", timeout=0.2):
            pass  # pragma: no cover - the third slot must not be granted
    with slots.hold("wiki:1"):  # released again
        pass
