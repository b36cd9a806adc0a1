"""Switching faults: the options each switch records, and bad switches refused in one sentence
(`smoke testbed fault` exits 4 on them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from smoke.testbed.db_faults import database, set_registered
from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.faults import FAULTS, describe, switched

RU = {"damaging": ["likelygood", "maybebad", "likelybad", "verylikelybad"],
      "goodfaith": ["likelygood", "maybebad", "likelybad", "verylikelybad"]}  # fmt: skip
EN = {"damaging": RU["damaging"], "goodfaith": ["likelygood", "maybebad", "likelybad"]}


def switch(
    faults: Mapping[str, dict[str, Any]], *args: Any, **kw: Any
) -> dict[str, dict[str, Any]]:
    kw.setdefault("wiki_id", "ruwiki")
    kw.setdefault("ores_levels", RU)
    return switched(faults, *args, **kw)


def test_every_fault_says_what_it_does_and_what_smoke_reports() -> None:
    assert {"level-null", "service-500"} <= set(FAULTS)
    for fault in FAULTS.values():
        assert fault.what.endswith(".") and fault.expect.endswith("."), fault.name
        assert "smokeores" not in (fault.what + fault.expect).lower(), fault.name


def test_plain_switches_and_slow_delay() -> None:
    faults = switch({}, "js-error", True)
    assert faults == {"js-error": {}}
    faults = switch(faults, "slow", True)
    assert faults["slow"] == {"delay": 40}
    assert switch(faults, "slow", True, delay=3)["slow"] == {"delay": 3}
    assert switch(faults, "js-error", False) == {"slow": {"delay": 40}}
    assert switch({}, "down", False) == {}


def test_level_null_collects_levels_and_clears() -> None:
    faults = switch({}, "level-null", True, model="goodfaith", level="likelybad")
    assert faults == {"level-null": {"levels": [["goodfaith", "likelybad"]]}}
    faults = switch(faults, "level-null", True, model="damaging", level="maybebad")
    faults = switch(faults, "level-null", True, model="damaging", level="maybebad")  # once
    assert faults["level-null"]["levels"] == [["damaging", "maybebad"], ["goodfaith", "likelybad"]]
    assert describe("level-null", faults["level-null"]) == (
        "level-null (damaging/maybebad, goodfaith/likelybad)"
    )
    one_left = switch(faults, "level-null", False, model="damaging", level="maybebad")
    assert one_left == {"level-null": {"levels": [["goodfaith", "likelybad"]]}}
    assert switch(one_left, "level-null", False, model="goodfaith", level="likelybad") == {}
    assert switch(faults, "level-null", False) == {}  # off without a level: all of them


def test_the_input_is_not_modified() -> None:
    faults: dict[str, dict[str, Any]] = {"level-null": {"levels": [["goodfaith", "likelybad"]]}}
    switch(faults, "level-null", True, model="damaging", level="likelygood")
    assert faults == {"level-null": {"levels": [["goodfaith", "likelybad"]]}}


@pytest.mark.parametrize(
    ("args", "kw", "words"),
    [
        (("meltdown", True), {}, ["'meltdown'", "null-threshold-crash", "service-500"]),
        (("level-null", True), {}, ["--model", "--level", "damaging or goodfaith"]),
        (("level-null", True), {"model": "goodfath", "level": "likelybad"}, ["'goodfath'"]),
        (("level-null", True), {"model": "goodfaith", "level": "bad"}, ["'bad'", "likelygood"]),
        (
            ("level-null", True),
            {
                "model": "goodfaith",
                "level": "verylikelybad",
                "wiki_id": "enwiki",
                "ores_levels": EN,
            },
            ["enwiki does not offer goodfaith verylikelybad", "likelygood, maybebad, likelybad"],
        ),
        (
            ("level-null", True),
            {"model": "damaging", "level": "likelybad", "wiki_id": "nooreswiki", "ores_levels": {}},
            ["nooreswiki has no ORES"],
        ),
        (("slow", True), {"model": "damaging"}, ["--model applies to", "level-null", "slow"]),
        (("model-off", True), {"level": "likelybad"}, ["--level applies to", "model-off"]),
        (("model-off", True), {}, ["model-off needs --model"]),
        (("model-off", True), {"model": "revert"}, ["'revert'"]),
        (
            ("model-off", True),
            {"model": "damaging", "wiki_id": "nooreswiki", "ores_levels": {}},
            ["nooreswiki does not have the ORES model damaging"],
        ),
        (("threshold-off", True), {"model": "damaging"}, ["threshold-off needs --model"]),
    ],
)
def test_bad_switches_are_one_sentence(
    args: tuple[object, ...], kw: dict[str, object], words: list[str]
) -> None:
    with pytest.raises(BadInput) as refused:
        switch({}, *args, **kw)
    message = str(refused.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_level_faults_each_keep_their_own_levels() -> None:
    faults = switch({}, "threshold-off", True, model="damaging", level="likelybad")
    faults = switch(faults, "threshold-string", True, model="goodfaith", level="maybebad")
    assert faults == {
        "threshold-off": {"levels": [["damaging", "likelybad"]]},
        "threshold-string": {"levels": [["goodfaith", "maybebad"]]},
    }
    assert describe("threshold-string", faults["threshold-string"]) == (
        "threshold-string (goodfaith/maybebad)"
    )
    assert switch(faults, "threshold-off", False) == {
        "threshold-string": {"levels": [["goodfaith", "maybebad"]]}
    }


def test_model_faults_collect_models_and_default_where_one_is_obvious() -> None:
    faults = switch({}, "model-off", True, model="goodfaith")
    faults = switch(faults, "model-off", True, model="damaging")
    assert faults == {"model-off": {"models": ["damaging", "goodfaith"]}}
    assert describe("model-off", faults["model-off"]) == "model-off (damaging, goodfaith)"
    assert switch(faults, "model-off", False, model="damaging") == {
        "model-off": {"models": ["goodfaith"]}
    }
    assert switch(faults, "model-off", False) == {}
    assert switch({}, "model-unregistered", True) == {
        "model-unregistered": {"models": ["damaging"]}
    }


def test_every_fault_names_the_generations_it_applies_to() -> None:
    from smoke.testbed.faults import BOTH, OLD, TODAY

    for fault in FAULTS.values():
        assert fault.generations and set(fault.generations) <= set(BOTH), fault.name
    assert FAULTS["null-threshold-crash"].generations == (OLD,)
    assert FAULTS["liftwing-500"].generations == (TODAY,)
    assert set(FAULTS["crash"].generations) == set(BOTH)


def test_model_unregistered_marks_the_models_rows_and_back(tmp_path: Path) -> None:
    db = database(tmp_path, "enwiki")
    db.parent.mkdir()
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute(
            "CREATE TABLE ores_model (oresm_id INTEGER PRIMARY KEY, oresm_name TEXT, "
            "oresm_version TEXT, oresm_is_current INTEGER)"
        )
        connection.executemany(
            "INSERT INTO ores_model VALUES (?, ?, ?, ?)",
            [(1, "damaging", "0.4", 0), (2, "damaging", "0.5.1", 1), (3, "goodfaith", "0.5.1", 1)],
        )

    def current() -> list[tuple[int, int]]:
        with closing(sqlite3.connect(db)) as connection:
            rows = connection.execute("SELECT oresm_id, oresm_is_current FROM ores_model")
            return sorted(rows.fetchall())

    set_registered(db, ["damaging"], False)
    assert current() == [(1, 0), (2, 0), (3, 1)]
    set_registered(db, ["damaging"], True)
    assert current() == [(1, 0), (2, 1), (3, 1)]  # the newest row, not the old version


def test_model_unregistered_without_a_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="bring the farm up first"):
        set_registered(database(tmp_path, "enwiki"), ["damaging"], False)
