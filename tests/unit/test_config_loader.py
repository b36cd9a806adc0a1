"""wikis.yaml loading: valid shapes, and every bad-config case naming file, line and field."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from smoke.config import ConfigError, load_config
from smoke.config.schema import SmokeConfig
from smoke.model.checks import Page

MINIMAL = """\
targets:
  local:
    testbed: true
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> SmokeConfig:
    return load_config(write(tmp_path, text))


def error_of(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def assert_at(err: ConfigError, tmp_path: Path, line: int, field: str, *fragments: str) -> None:
    """The message starts with file:line: field: and contains every fragment."""
    text = str(err)
    assert text.startswith(f"{tmp_path / 'wikis.yaml'}:{line}: {field}: "), text
    assert (err.line, err.field) == (line, field)
    for fragment in fragments:
        assert fragment in text, text


# --- valid files ----------------------------------------------------------------------------


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    assert list(config.targets) == ["local"]
    wiki = config.targets["local"].wikis[0]
    assert wiki.id == "enwiki"
    assert wiki.ores == ("damaging", "goodfaith")
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
    assert config.targets["beta"].wikis[1].ores == ("damaging", "goodfaith")


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


# --- key and type errors --------------------------------------------------------------------


def test_unknown_key_suggests_nearest(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - id: enwiki
                ores: []
                contributons_user: Alice
        """,
    )
    assert_at(
        err,
        tmp_path,
        7,
        "targets.local.wikis[0].contributons_user",
        "unknown key 'contributons_user' (did you mean 'contributions_user'?)",
    )


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = error_of(tmp_path, "alowlist: []\n" + MINIMAL)
    assert_at(err, tmp_path, 1, "alowlist", "did you mean 'allowlist'?")


def test_wrong_type(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - {id: enwiki, ores: damaging}
        """,
    )
    assert_at(err, tmp_path, 5, "targets.local.wikis[0].ores", "expected a list, got a string")


def test_wrong_type_timeout(tmp_path: Path) -> None:
    err = error_of(tmp_path, "timeouts:\n  navigation: soon\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "timeouts.navigation", "expected a number")


def test_negative_timeout(tmp_path: Path) -> None:
    err = error_of(tmp_path, "timeouts:\n  ready: 0\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "timeouts.ready", "greater than 0")


def test_missing_ores_points_at_the_wiki(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - {id: enwiki, ores: []}
              - {id: ruwiki}
        """,
    )
    assert_at(err, tmp_path, 6, "targets.local.wikis[1]", "missing required key 'ores'", "[]")


def test_unknown_ores_model(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - id: enwiki
                ores:
                  - goodfaith
                  - damagin
        """,
    )
    assert_at(
        err,
        tmp_path,
        8,
        "targets.local.wikis[0].ores[1]",
        "unknown ORES model 'damagin' (did you mean 'damaging'?)",
    )


def test_duplicate_ores_model(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("goodfaith", "damaging"))
    assert "ores[1]" in str(err) and "listed twice" in str(err)


def test_unknown_page(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - id: enwiki
                ores: []
                pages: [watchlst]
        """,
    )
    assert_at(
        err,
        tmp_path,
        7,
        "targets.local.wikis[0].pages[0]",
        "unknown page 'watchlst' (did you mean 'watchlist'?)",
        "recentchanges, watchlist, contributions",
    )


def test_bad_wiki_id(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("id: enwiki", "id: En-Wiki"))
    assert_at(err, tmp_path, 5, "targets.local.wikis[0].id", "a-z, 0-9 and _")


def test_duplicate_wiki_id(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - {id: enwiki, ores: []}
              - {id: ruwiki, ores: []}
              - {id: enwiki, ores: [damaging]}
        """,
    )
    assert_at(
        err, tmp_path, 7, "targets.local.wikis[2].id", "duplicate wiki id 'enwiki'", "wikis[0]"
    )


def test_same_wiki_id_in_two_targets_is_fine(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        MINIMAL + "  other:\n    testbed: true\n    wikis:\n      - {id: enwiki, ores: []}\n",
    )
    assert set(config.targets) == {"local", "other"}


def test_empty_wikis(tmp_path: Path) -> None:
    err = error_of(tmp_path, "targets:\n  local:\n    testbed: true\n    wikis: []\n")
    assert_at(err, tmp_path, 4, "targets.local.wikis", "must not be empty")


def test_more_problems_are_counted(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - {id: enwiki, ores: [damagin]}
              - {id: ruwiki, ores: [godfaith]}
        """,
    )
    assert err.line == 5
    assert "(and 1 more problem)" in str(err)


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["password", "username"])
def test_credentials_in_login_are_rejected(tmp_path: Path, key: str) -> None:
    err = error_of(
        tmp_path,
        f"""\
        targets:
          beta:
            url: "https://{{lang}}.wikipedia.beta.wmcloud.org/w"
            login:
              {key}: hunter2
            wikis: [{{id: enwiki, lang: en, ores: []}}]
        """,
    )
    assert_at(err, tmp_path, 5, f"targets.beta.login.{key}", "credentials must not be written")
    assert "hunter2" not in str(err)


def test_password_anywhere_is_rejected(tmp_path: Path) -> None:
    err = error_of(
        tmp_path, MINIMAL.replace("ores: [damaging, goodfaith]", "ores: [], password: x")
    )
    assert "credentials must not be written" in str(err)
    assert err.field == "targets.local.wikis[0].password"


def test_env_name_that_looks_like_a_secret_is_rejected_without_echo(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            login: {username_env: SMOKE_U, password_env: "s3cr3t pa$$"}
            wikis: [{id: enwiki, lang: en, ores: []}]
        """,
    )
    assert_at(
        err, tmp_path, 4, "targets.beta.login.password_env", "name of an environment variable"
    )
    assert "s3cr3t" not in str(err)


def test_login_needs_both_names(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            login: {username_env: SMOKE_U}
            wikis: [{id: enwiki, lang: en, ores: []}]
        """,
    )
    assert_at(err, tmp_path, 4, "targets.beta.login", "missing required key 'password_env'")


# --- urls and targets -----------------------------------------------------------------------


def test_testbed_target_rejects_url(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("testbed: true", "testbed: true\n    url: http://x/w"))
    assert_at(err, tmp_path, 4, "targets.local.url", "testbed")


def test_non_testbed_wiki_without_url(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("    testbed: true\n", ""))
    assert_at(err, tmp_path, 4, "targets.local.wikis[0]", "has no URL")


def test_lang_template_without_lang(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          beta:
            url: "https://{lang}.wikipedia.beta.wmcloud.org/w"
            wikis:
              - {id: enwiki, lang: en, ores: []}
              - {id: wikidatawiki, ores: []}
        """,
    )
    assert_at(err, tmp_path, 6, "targets.beta.wikis[1]", "needs a lang", "{lang}")


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://{site}.example.org/w", "unknown placeholder {site}"),
        ("ftp://{id}.example.org", "http:// or https://"),
        ("https://example.org/w/index.php", "directory holding index.php"),
        ("https://example.org/{id", "not a valid template"),
    ],
)
def test_bad_url_templates(tmp_path: Path, url: str, fragment: str) -> None:
    err = error_of(
        tmp_path, f'targets:\n  s:\n    url: "{url}"\n    wikis: [{{id: enwiki, ores: []}}]\n'
    )
    assert_at(err, tmp_path, 3, "targets.s.url", fragment)


def test_bad_target_name(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("local:", "'my target':"))
    assert_at(err, tmp_path, 2, "targets.my target", "target name")


# --- allowlist and skip_variants ------------------------------------------------------------


def test_allowlist_bad_task(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        "allowlist:\n  - pattern: x\n    reason: y\n    task: 123456\n" + MINIMAL,
    )
    assert_at(err, tmp_path, 4, "allowlist[0].task", "expected a string")


def test_allowlist_task_pattern(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        "allowlist:\n  - pattern: x\n    reason: y\n    task: '123456'\n" + MINIMAL,
    )
    assert_at(err, tmp_path, 4, "allowlist[0].task", "T[1-9][0-9]*")


def test_allowlist_bad_regex(tmp_path: Path) -> None:
    err = error_of(tmp_path, "allowlist:\n  - pattern: 'favicon(\\.ico'\n    reason: y\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "allowlist[0].pattern", "not a valid regular expression")


def test_allowlist_bad_date(tmp_path: Path) -> None:
    err = error_of(
        tmp_path, "allowlist:\n  - pattern: x\n    reason: y\n    expires: soon\n" + MINIMAL
    )
    assert_at(err, tmp_path, 4, "allowlist[0].expires", "a date like 2027-06-30")


def test_allowlist_needs_reason(tmp_path: Path) -> None:
    err = error_of(tmp_path, "allowlist:\n  - pattern: x\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "allowlist[0]", "missing required key 'reason'")


def test_unknown_skip_variant(tmp_path: Path) -> None:
    err = error_of(
        tmp_path,
        """\
        targets:
          local:
            testbed: true
            wikis:
              - id: enwiki
                ores: []
                skip_variants:
                  - highlight
                  - damaging=likleybad
        """,
    )
    assert_at(
        err,
        tmp_path,
        9,
        "targets.local.wikis[0].skip_variants[1]",
        "unknown variant 'damaging=likleybad' (did you mean 'damaging=likelybad'?)",
    )


def test_detectors_setting_must_be_a_mapping(tmp_path: Path) -> None:
    err = error_of(tmp_path, "detectors:\n  console: off\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "detectors.console", "expected a mapping")


def test_detectors_unknown_setting(tmp_path: Path) -> None:
    err = error_of(tmp_path, "detectors:\n  console: {enable: false}\n" + MINIMAL)
    assert_at(err, tmp_path, 2, "detectors.console.enable", "did you mean 'enabled'?")
