"""wikis.yaml schema errors: every bad key, type and value named with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config_files import MINIMAL, assert_at, error_of, load

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
    assert_at(
        err,
        tmp_path,
        5,
        "targets.local.wikis[0].ores",
        "expected a list of models ([damaging, goodfaith]",
        "or a mapping model -> levels",
        "got a string",
    )


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
