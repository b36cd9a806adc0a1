"""wikis.yaml loading: valid shapes, YAML-level errors, and bounded work for hostile files."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from bench.config_scale import big_target
from smoke.cli.main import main
from smoke.config import ConfigError, load_config
from smoke.model.checks import Page
from tests.unit.config_files import MINIMAL, assert_at, error_of, load

# --- valid files ----------------------------------------------------------------------------


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    assert list(config.targets) == ["local"]
    wiki = config.targets["local"].wikis[0]
    assert wiki.id == "enwiki"
    # The list form means the extension's default levels (goodfaith without verylikelybad).
    assert wiki.ores == {
        "damaging": ("likelygood", "maybebad", "likelybad", "verylikelybad"),
        "goodfaith": ("likelygood", "maybebad", "likelybad"),
    }
    assert wiki.ores_models == ("damaging", "goodfaith")
    assert wiki.selected_pages() == tuple(Page)
    assert config.variants is None
    assert config.allowlist == ()
    assert config.source is not None and config.source.file == str(tmp_path / "wikis.yaml")


def test_full_shape_loads(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        contact: "ops@example.org"
        timeouts: {navigation: 45, ready: 10.5}
        detectors: {http_status: {enabled: false}, console: {}}
        allowlist:
          - pattern: 'favicon\\.ico'
            reason: no favicon
            task: T123456
            expires: 2027-06-30
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            login: {username_env: SMOKE_U, password_env: SMOKE_P}
            contributions_user: Bot
            wikis:
              - id: enwiki
                lang: en
                ores: [damaging, goodfaith]
                pages: [recentchanges, contributions]
                timeouts: {ready: 5}
                skip_variants: [highlight]
              - {id: wikidatawiki, url: "https://wikidata.beta.wmcloud.org/w/", ores: []}
        """,
    )
    assert config.contact == "ops@example.org"
    assert config.detectors["http_status"].enabled is False
    assert config.detectors["console"].enabled is True
    assert config.allowlist[0].expires == date(2027, 6, 30)
    beta = config.targets["beta"]
    assert beta.wikis[0].selected_pages() == (Page.RECENTCHANGES, Page.CONTRIBUTIONS)
    assert beta.wikis[1].url == "https://wikidata.beta.wmcloud.org/w"  # trailing / dropped


def test_models_are_frozen(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    with pytest.raises(ValueError):
        config.targets["local"].wikis[0].id = "other"


def test_yaml_11_booleans_stay_strings(tmp_path: Path) -> None:
    # YAML 1.1 would read `no` (Norwegian) as False.
    config = load(
        tmp_path,
        """\
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            wikis: [{id: nowiki, lang: no, ores: []}]
        """,
    )
    assert config.targets["beta"].wikis[0].lang == "no"


def test_merge_keys_are_supported(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            wikis:
              - &full {id: enwiki, lang: en, ores: [damaging, goodfaith]}
              - {<<: *full, id: frwiki, lang: fr}
        """,
    )
    assert [w.id for w in config.targets["beta"].wikis] == ["enwiki", "frwiki"]
    assert config.targets["beta"].wikis[1].ores_models == ("damaging", "goodfaith")


# --- file-level errors ----------------------------------------------------------------------


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert str(info.value) == f"{missing}: no such file"


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, "targets:\n  local:\n    wikis: [a, b\n    testbed: true\n")
    assert err.file == str(tmp_path / "wikis.yaml")
    assert err.line == 4
    assert "invalid YAML" in str(err)


def test_empty_file(tmp_path: Path) -> None:
    err = error_of(tmp_path, "")
    assert "empty" in str(err) and "targets" in str(err)


def test_top_level_list(tmp_path: Path) -> None:
    err = error_of(tmp_path, "- a\n- b\n")
    assert str(err).startswith(f"{tmp_path / 'wikis.yaml'}:1: ")
    assert "mapping" in str(err)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "targets: {}\n")
    assert_at(err, tmp_path, 6, "targets", "duplicate key 'targets' (first at line 1)")


def test_missing_targets(tmp_path: Path) -> None:
    err = error_of(tmp_path, "contact: me\n")
    assert "missing required key 'targets'" in str(err)


# --- aliases and large files ----------------------------------------------------------------


def alias_bomb() -> str:
    """The 'billion laughs': nine levels of ten aliases each, 10**9 strings from ~600 bytes."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    text = alias_bomb()
    assert 500 < len(text) < 700
    path = tmp_path / "wikis.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.process_time()  # CPU time: other processes on the machine do not count
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert time.process_time() - started < 1.0
    err = info.value
    assert "too many aliases" in err.message
    # Where the expansion first passes the limit (100,000 added nodes): in l4, on line 5.
    assert (err.file, err.line, err.field) == (str(path), 5, "l4[7]")


def test_alias_bomb_exits_4_from_smoke_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wikis.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    started = time.process_time()
    assert main(["validate", "--config", str(path)]) == 4
    assert time.process_time() - started < 1.0
    assert "too many aliases" in capsys.readouterr().err


def test_a_few_anchors_keep_working(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            timeouts: &slow {navigation: 60, ready: 30}
            wikis:
              - {id: enwiki, ores: &all {damaging: [likelygood, likelybad], goodfaith: [maybebad]}}
              - {id: ruwiki, ores: *all, timeouts: *slow}
              - {id: frwiki, ores: *all}
        """,
    )
    wikis = config.targets["local"].wikis
    assert [w.ores for w in wikis] == [
        {"damaging": ("likelygood", "likelybad"), "goodfaith": ("maybebad",)}
    ] * 3
    assert wikis[1].timeouts is not None and wikis[1].timeouts.ready == 30


def test_problem_under_an_alias_points_at_the_alias(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        timeouts: &t {navigation: 5, ready: 5}
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            login: *t
            wikis: [{id: enwiki, lang: en, ores: []}]
        """,
    )
    assert_at(err, tmp_path, 5, "targets.beta.login.navigation", "unknown key 'navigation'")


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "targets: &t\n  local: *t\n")
    assert "recursive alias" in str(err) and err.line == 2


def test_unsupported_tag(tmp_path: Path) -> None:
    err = error_of(tmp_path, "targets: !!set {local: null}\n")
    assert_at(err, tmp_path, 1, "targets", "YAML tag", "not supported")


def test_impossible_date_has_a_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, "allowlist:\n  - {pattern: x, reason: y, expires: 2027-13-45}\n")
    assert err.line == 2 and "2027-13-45" in str(err)


def test_a_target_of_5000_wikis_validates_and_counts_every_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Correctness at scale, without a clock: every wiki is read and counted. How the time grows
    # with the wiki count (56,521 wikis once took 488 s through quadratic lookups) is measured
    # by `python -m bench.config_scale` (ratio of 50,000 wikis to 5,000 in one invocation).
    path = tmp_path / "wikis.yaml"
    path.write_text(big_target(5_000), encoding="utf-8")
    assert main(["validate", "--config", str(path)]) == 0
    # One variant of two pages per wiki: 10,000 checks.
    assert capsys.readouterr().out.strip() == f"{path}: OK (1 targets, 10000 checks in all)"
