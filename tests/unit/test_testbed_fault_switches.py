"""Switching faults: the options each switch records, and bad switches refused in one sentence
(`smoke testbed fault` exits 4 on them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from smoke.testbed.errors import BadInput
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
        (("slow", True), {"model": "damaging"}, ["--model and --level", "level-null", "slow"]),
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
