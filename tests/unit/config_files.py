"""Writing a wikis.yaml into tmp_path, asserting where a ConfigError points, and a sample
config with three targets for the expansion tests."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from smoke.config import ConfigError, Selection, build_checks, load_config
from smoke.config.schema import SmokeConfig
from smoke.model.checks import Check

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


# --- a config with three targets, for expansion ----------------------------------------------

TARGETS = """\
timeouts: {navigation: 20}
allowlist:
  - {pattern: 'favicon\\.ico', reason: no favicon}
  - {pattern: 'old noise', reason: fixed soon, task: T1, expires: 2026-01-31}
targets:
  local:
    testbed: true
    contributions_user: Alice
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
      - {id: arwiki, ores: [damaging], contributions_user: Bob Smith}
      - {id: nooreswiki, ores: []}
  beta:
    url: "https://{lang}.wikipedia.beta.wmcloud.org/w/"
    login: {username_env: SMOKE_BETA_USERNAME, password_env: SMOKE_BETA_PASSWORD}
    timeouts: {ready: 25}
    wikis:
      - {id: enwiki, lang: en, ores: [damaging, goodfaith], contributions_user: Ed}
      - id: wikidatawiki
        url: "https://wikidata.beta.wmcloud.org/w"
        ores: [damaging, goodfaith]
        timeouts: {navigation: 90}
        login: {username_env: WD_USER, password_env: WD_PASS}
        skip_variants: [highlight]
        pages: [recentchanges, watchlist]
  nologin:
    url: "http://{id}.staging.example.org"
    wikis:
      - {id: enwiki, ores: [damaging]}
"""
BASE_URLS = {
    "enwiki": "http://127.0.0.1:8401",
    "arwiki": "http://127.0.0.1:8402/",
    "nooreswiki": "http://127.0.0.1:8403",
}
ENV = {"SMOKE_BETA_USERNAME": "bot", "SMOKE_BETA_PASSWORD": "pw", "WD_USER": "u", "WD_PASS": "p"}
TODAY = date(2026, 1, 15)


def local(
    config: SmokeConfig,
    *,
    selection: Selection | None = None,
    environ: dict[str, str] | None = None,
) -> list[Check]:
    return build_checks(
        config, "local", base_urls=BASE_URLS, environ=environ, selection=selection, today=TODAY
    )


def by_id(checks: list[Check]) -> dict[str, Check]:
    return {check.id: check for check in checks}
