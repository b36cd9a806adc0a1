"""`smoke parity` logic on hand-built readings: gaps in plain words, exit codes, JSON, --write."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
import yaml

from smoke.cli.main import main
from smoke.config import parse_config
from smoke.model.checks import ORES_LEVELS
from smoke.model.exit_codes import ExitCode
from smoke.survey.offer import ApiFacts, WikiOffer
from smoke.survey.parity import ParityReport, base_urls, compare
from smoke.survey.parity_report import expectations_yaml, gap_lines, to_json
from smoke.testbed.state import FarmState, ProcessState, WikiState, save_state

NAMES = ("beta", "production")
ALL = {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS}
DEFAULTS = {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS[:3]}

CONFIG = """\
targets:
  beta:
    url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
    login: {username_env: SMOKE_BETA_USERNAME, password_env: SMOKE_BETA_PASSWORD}
    timeouts: {navigation: 60}
    wikis:
      - {id: enwiki, lang: en, ores: [damaging, goodfaith]}
      - {id: ruwiki, lang: ru, ores: [damaging, goodfaith], pages: [recentchanges, watchlist]}
      - {id: srwiki, lang: sr, ores: [damaging]}
  production:
    url: "https://{lang}.wikipedia.org/w"
    wikis:
      - {id: enwiki, lang: en, ores: [damaging, goodfaith]}
      - {id: ruwiki, lang: ru, ores: [damaging, goodfaith]}
      - {id: arwiki, lang: ar, ores: [damaging]}
      - {id: afwiki, lang: af, ores: []}
      - {id: wikidatawiki, url: "https://www.wikidata.org/w", ores: [damaging, goodfaith]}
"""


def offer(
    levels: Mapping[str, Sequence[str]] | None,
    *,
    mediawiki: str = "1.39.17",
    ores: str = "1.0",
    problem: str = "",
) -> WikiOffer:
    api = ApiFacts(
        base_url="https://x.example/w",
        lang="xx",
        sitename="X",
        generator=f"MediaWiki {mediawiki}",
        ores_extension=ores,
        has_meta_ores=bool(levels),
        models=tuple(levels or ()),
    )
    frozen = None if levels is None else {m: tuple(v) for m, v in levels.items()}
    return WikiOffer("https://x.example/w", api, frozen, problem=problem)


def test_a_missing_level_is_a_gap_in_plain_words() -> None:
    row = compare("ruwiki", offer(ALL), offer(DEFAULTS), NAMES)
    assert [g.text for g in row.gaps] == [
        "Beta cannot show a goodfaith verylikelybad fault on ruwiki: production offers it, "
        "beta does not"
    ]
    assert (row.gaps[0].kind, row.gaps[0].model, row.gaps[0].level) == (
        "level",
        "goodfaith",
        "verylikelybad",
    )


def test_a_missing_model_is_one_gap_naming_its_levels() -> None:
    row = compare("ruwiki", offer(ALL), offer({"damaging": ORES_LEVELS}), NAMES)
    assert [g.text for g in row.gaps] == [
        "Beta cannot show a goodfaith fault on ruwiki: production offers goodfaith (4 levels), "
        "beta none"
    ]


def test_offering_more_than_the_reference_is_no_gap() -> None:
    row = compare("frwiki", offer({"damaging": ("likelybad",)}), offer(ALL), NAMES)
    assert row.gaps == () and row.unreadable == ()


def test_a_wiki_the_target_does_not_list() -> None:
    with_ores = compare("ruwiki", offer(ALL), None, NAMES)
    assert [g.kind for g in with_ores.gaps] == ["wiki"]
    assert "beta does not list ruwiki" in with_ores.gaps[0].text
    # Nothing ORES could show there, so nothing lost: a note, not a gap.
    without = compare("afwiki", offer({}), None, NAMES)
    assert without.gaps == () and "offers no ORES filters" in without.notes[0]


def test_unreadable_sides_give_no_verdict() -> None:
    row = compare("ruwiki", offer(ALL), offer(None, problem="api.php: timed out"), NAMES)
    assert row.gaps == () and row.unreadable == ("beta: api.php: timed out",)
    ref_down = compare("ruwiki", WikiOffer("u", problem="api.php: HTTP 503"), None, NAMES)
    assert ref_down.gaps == () and ref_down.unreadable == ("production: api.php: HTTP 503",)


def test_different_versions_are_notes_not_gaps() -> None:
    row = compare("enwiki", offer(ALL, mediawiki="1.42.0-wmf.5"), offer(ALL, ores=""), NAMES)
    assert row.gaps == ()
    assert row.notes == (
        "MediaWiki: production 1.42.0-wmf.5, beta 1.39.17",
        "ORES extension: production 1.0, beta absent",
    )


def report(*rows: tuple[str, WikiOffer, WikiOffer | None]) -> ParityReport:
    return ParityReport("beta", "production", tuple(compare(*r, NAMES) for r in rows))


def test_exit_codes() -> None:
    covered = ("enwiki", offer(DEFAULTS), offer(DEFAULTS))
    gap = ("ruwiki", offer(ALL), offer(DEFAULTS))
    unread = ("srwiki", offer({"damaging": ORES_LEVELS}), offer(None, problem="HTTP 500"))
    assert int(report(covered).exit_code) == 0
    assert int(report(covered, gap).exit_code) == 1
    assert int(report(covered, unread).exit_code) == 3
    assert report(gap, unread).exit_code == ExitCode.DEFECT  # a gap outweighs "not read"
    lines = gap_lines(report(gap, unread))
    assert lines[0] == "1 gap: beta offers less than production"
    assert any("srwiki: beta: HTTP 500" in line for line in lines)
    assert gap_lines(report(covered))[0].startswith("no gap")


def test_json_document_shape() -> None:
    doc = to_json(report(("ruwiki", offer(ALL), offer(DEFAULTS)), ("afwiki", offer({}), None)))
    assert json.loads(json.dumps(doc)) == doc
    assert (doc["target"], doc["reference"], doc["exit_code"], doc["covers"]) == (
        "beta",
        "production",
        1,
        False,
    )
    assert doc["gaps"] == [
        {
            "wiki": "ruwiki",
            "kind": "level",
            "model": "goodfaith",
            "level": "verylikelybad",
            "text": doc["gaps"][0]["text"],
        }
    ]
    ruwiki, afwiki = doc["wikis"]
    assert ruwiki["reference"]["levels"]["goodfaith"] == list(ORES_LEVELS)
    assert ruwiki["target"]["levels"]["goodfaith"] == list(ORES_LEVELS[:3])
    assert ruwiki["target"]["mediawiki"] == "1.39.17" and ruwiki["listed"] is True
    assert afwiki["listed"] is False and afwiki["target"] is None
    assert doc["unreadable"] == []


def test_write_turns_the_reference_levels_into_the_targets_expectations() -> None:
    config = parse_config(CONFIG)
    rows = report(
        ("enwiki", offer(DEFAULTS), offer(DEFAULTS)),
        ("ruwiki", offer(ALL), offer(DEFAULTS)),
        ("arwiki", offer({"damaging": ORES_LEVELS}), None),
        ("wikidatawiki", WikiOffer("u", problem="api.php: timed out"), None),
    )
    text = expectations_yaml(config, rows)
    data = yaml.safe_load(text)
    wikis = {w["id"]: w for w in data["targets"]["beta"]["wikis"]}
    assert wikis["ruwiki"]["ores"] == {
        "damaging": list(ORES_LEVELS),
        "goodfaith": list(ORES_LEVELS),
    }
    assert wikis["ruwiki"]["pages"] == ["recentchanges", "watchlist"]  # the rest is kept
    assert wikis["enwiki"]["ores"] == {
        "damaging": list(ORES_LEVELS),
        "goodfaith": list(ORES_LEVELS[:3]),
    }
    assert data["targets"]["beta"]["login"]["username_env"] == "SMOKE_BETA_USERNAME"
    assert "# arwiki: not in beta" in text
    # The section is a wikis.yaml of its own: it validates and expands.
    written = parse_config(text, file="parity.yaml")
    assert [w.id for w in written.target("beta").wikis] == ["enwiki", "ruwiki", "srwiki"]
    # Not compared (production has no srwiki): kept as configured.
    assert written.target("beta").wiki("srwiki").ores == config.target("beta").wiki("srwiki").ores


def test_base_urls_from_templates_and_from_the_farm(tmp_path: Path) -> None:
    config = parse_config(CONFIG)
    urls = base_urls(config, "production", None)
    assert urls["ruwiki"] == "https://ru.wikipedia.org/w"
    assert urls["wikidatawiki"] == "https://www.wikidata.org/w"
    local = parse_config(
        "targets:\n  local:\n    testbed: true\n    wikis:\n"
        "      - {id: enwiki, ores: []}\n      - {id: dewiki, ores: []}\n"
    )
    state = FarmState(str(tmp_path), 8480, ProcessState(8480))
    state.wikis["enwiki"] = WikiState(
        "enwiki", "en", "En", "http://127.0.0.1:8481/", 8481, None, [], "S", "p", "Alice"
    )
    save_state(state)
    assert base_urls(local, "local", tmp_path) == {"enwiki": "http://127.0.0.1:8481"}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--target", "betta", "--reference", "production"], ["betta", "beta"]),
        (["--target", "beta", "--reference", "prodution"], ["prodution", "production"]),
        (["--target", "beta", "--reference", "production", "--wiki", "zz*"], ["zz*"]),
        (["--target", "beta", "--reference", "production", "--json", "--write", "-"], ["stdout"]),
    ],
    ids=["unknown-target", "unknown-reference", "empty-glob", "json-and-yaml-on-stdout"],
)
def test_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: list[str]
) -> None:
    path = tmp_path / "wikis.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    code, output = run_cli(capsys, "parity", "--config", str(path), *args)
    assert code == ExitCode.USAGE, output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1, output
    for text in expected:
        assert text in output, (text, output)


def test_a_testbed_target_without_a_farm_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wikis.yaml"
    path.write_text(
        CONFIG + "  local:\n    testbed: true\n    wikis:\n      - {id: enwiki, ores: []}\n"
    )
    code, output = run_cli(
        capsys,
        "parity",
        "--config",
        str(path),
        "--target",
        "local",
        "--reference",
        "beta",
        "--testbed-dir",
        str(tmp_path / "none"),
    )
    assert code == ExitCode.USAGE and "smoke testbed up" in output, output
