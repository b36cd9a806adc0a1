"""The farm's state file: round trip, missing/garbled files, no secrets, faults.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smoke.testbed.state import (
    STATE_FILE,
    FarmState,
    NoFarm,
    ProcessState,
    WikiState,
    default_state_dir,
    load_state,
    save_state,
    write_faults_file,
)

SECRET = "s3cret-Pa55word-never-in-state"


def make_state(state_dir: Path) -> FarmState:
    secrets = state_dir / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    (secrets / "ruwiki.password").write_text(SECRET + "\n", encoding="utf-8")
    wiki = WikiState(
        id="ruwiki",
        lang="ru",
        sitename="Смоук Википедия",
        url="http://127.0.0.1:9002",
        port=9002,
        pgid=4242,
        ores=["damaging", "goodfaith"],
        account="SmokeCheck",
        password_file=str(secrets / "ruwiki.password"),
        contributions_user="Alice",
        faults={"slow": {"delay": 3}, "js-error": {}},
        ores_levels={"damaging": ["likelygood", "likelybad"], "goodfaith": ["likelygood"]},
        ores_runtime="extension",
    )
    plain = WikiState(
        id="nooreswiki",
        lang="en",
        sitename="Smoke wiki without ORES",
        url="http://127.0.0.1:9004",
        port=9004,
        pgid=None,
        ores=[],
        account="SmokeCheck",
        password_file=str(secrets / "nooreswiki.password"),
        contributions_user="Alice",
    )
    return FarmState(
        state_dir=str(state_dir),
        base_port=9000,
        service=ProcessState(port=9000, pgid=17),
        wikis={"ruwiki": wiki, "nooreswiki": plain},
        ores_extension="/srv/ORES",
    )


def test_round_trip_through_json_keeps_everything(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    again = FarmState.from_dict(json.loads(state.to_json()))
    assert again == state
    assert again.wikis["ruwiki"].faults == {"slow": {"delay": 3}, "js-error": {}}
    assert again.wikis["nooreswiki"].pgid is None
    assert again.service_url == "http://127.0.0.1:9000"
    assert again.ores_extension == "/srv/ORES"
    assert again.wikis["ruwiki"].ores_levels["damaging"] == ["likelygood", "likelybad"]


def test_save_and_load(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    save_state(state)
    assert load_state(tmp_path) == state
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [STATE_FILE]  # no .tmp left
    # Non-ASCII site names survive (ruwiki's sitename is Cyrillic).
    assert load_state(tmp_path).wikis["ruwiki"].sitename == "Смоук Википедия"


def test_save_replaces_an_older_state(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    save_state(state)
    state.wikis["ruwiki"].pgid = None
    state.wikis["ruwiki"].faults = {}
    save_state(state)
    loaded = load_state(tmp_path)
    assert loaded.wikis["ruwiki"].pgid is None
    assert loaded.wikis["ruwiki"].faults == {}


def test_state_names_the_password_file_but_never_holds_the_password(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    save_state(state)
    text = (tmp_path / STATE_FILE).read_text(encoding="utf-8")
    assert SECRET not in text
    assert "ruwiki.password" in text
    assert state.wikis["ruwiki"].password() == SECRET  # stripped of the newline


def test_wiki_dir_is_derived_from_the_state_dir(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    assert state.wikis["ruwiki"].dir == tmp_path / "wikis" / "ruwiki"


def test_missing_state_is_no_farm_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(NoFarm, match="smoke testbed up"):
        load_state(tmp_path / "nowhere")


def test_garbled_state_is_no_farm_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(NoFarm, match="not valid JSON"):
        load_state(tmp_path)


def test_default_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMOKE_TESTBED_DIR", str(tmp_path / "explicit"))
    assert default_state_dir() == (tmp_path / "explicit").resolve()
    monkeypatch.delenv("SMOKE_TESTBED_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_state_dir() == tmp_path / "xdg" / "smoke" / "testbed"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "smoke" / "testbed"


def test_write_faults_file_writes_the_faults_and_creates_the_dir(tmp_path: Path) -> None:
    wiki = make_state(tmp_path).wikis["ruwiki"]
    assert not wiki.dir.exists()
    write_faults_file(wiki)
    assert json.loads((wiki.dir / "faults.json").read_text()) == {
        "slow": {"delay": 3},
        "js-error": {},
    }
    wiki.faults = {}
    write_faults_file(wiki)
    assert json.loads((wiki.dir / "faults.json").read_text()) == {}
    assert not (wiki.dir / "faults.tmp").exists()


def test_write_faults_file_is_canonical_and_restarts_the_flaky_counter(tmp_path: Path) -> None:
    """The same faults give the same bytes: the wiki's threshold cache key follows the file's
    checksum ($wgOresCacheVersion), so switching a fault off finds the healthy entry again."""
    wiki = make_state(tmp_path).wikis["ruwiki"]
    wiki.dir.mkdir(parents=True)
    keep = ["LocalSettings.php", "smoke-settings.php", "ores.log", "requests.log"]
    for name in [*keep, "flaky-counter"]:
        (wiki.dir / name).write_text("x", encoding="utf-8")
    wiki.faults = {"slow": {"delay": 3}, "level-null": {"levels": [["goodfaith", "likelybad"]]}}
    write_faults_file(wiki)
    first = (wiki.dir / "faults.json").read_bytes()
    wiki.faults = dict(reversed(wiki.faults.items()))
    write_faults_file(wiki)
    assert (wiki.dir / "faults.json").read_bytes() == first
    assert sorted(p.name for p in wiki.dir.iterdir()) == sorted([*keep, "faults.json"])


def test_write_faults_file_touches_only_its_own_wiki(tmp_path: Path) -> None:
    state = make_state(tmp_path)
    other = state.wikis["nooreswiki"].dir
    other.mkdir(parents=True)
    (other / "flaky-counter").write_text("3", encoding="utf-8")
    write_faults_file(state.wikis["ruwiki"])
    assert (other / "flaky-counter").exists()
    assert not (other / "faults.json").exists()


def test_a_state_written_before_the_ores_fields_still_loads(tmp_path: Path) -> None:
    """state.json of version 1 (no ores_extension, ores_levels, ores_runtime): `up` fills them."""
    data = json.loads(make_state(tmp_path).to_json())
    del data["ores_extension"]
    data["version"] = 1
    for wiki in data["wikis"].values():
        del wiki["ores_levels"], wiki["ores_runtime"]
    old = FarmState.from_dict(data)
    assert old.ores_extension is None
    assert old.wikis["ruwiki"].ores_levels == {} and old.wikis["ruwiki"].ores_runtime == ""


def test_a_state_from_before_generations_is_a_139_farm(tmp_path: Path) -> None:
    data = json.loads(make_state(tmp_path).to_json())
    for key in ("mediawiki", "mediawiki_dir", "ores_liftwing"):
        del data[key]
    data["version"] = 2
    old = FarmState.from_dict(data)
    assert old.mediawiki == "1.39" and old.mediawiki_dir == "" and not old.ores_liftwing
