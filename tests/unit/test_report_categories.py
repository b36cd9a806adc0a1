"""Allure categories and the allurerc.mjs that carries them (smoke.finished.report.categories,
smoke.finished.report.allurerc)."""

from __future__ import annotations

import json
from pathlib import Path

from smoke.finished.report.allurerc import allure_config, config_module
from smoke.finished.report.categories import CATEGORIES
from smoke.model.wikimedia import TASK_PATTERN


def test_categories_order_known_issue_first_then_flaky() -> None:
    # First match wins in Allure 3: the order is the meaning.
    assert [c["name"] for c in CATEGORIES] == [
        "Known issue",
        "Flaky",
        "Product defect",
        "Could not check",
    ]
    known = CATEGORIES[0]["matchers"]
    assert known["labels"] == {"known_issue": TASK_PATTERN}
    # The plugin xfails a known issue (Allure: skipped); a passed check is just passed.
    assert set(known["statuses"]) == {"failed", "broken", "skipped"}
    # smoke's flaky (passed on a retry), never Allure's history guess about a failed check.
    assert CATEGORIES[1]["matchers"] == {"labels": {"smoke_outcome": "^flaky$"}}


def test_config_module_is_data_whatever_the_names() -> None:
    config = allure_config(
        name='smoke "x" </script> ${evil}',
        output=Path("/o"),
        history=Path("/h.jsonl"),
        single_file=True,
    )
    text = config_module(config)
    assert text.startswith("export default {")
    parsed = json.loads(text.removeprefix("export default ").rstrip().removesuffix(";"))
    assert parsed["name"] == 'smoke "x" </script> ${evil}'
    assert parsed["historyPath"] == "/h.jsonl"
    assert parsed["plugins"]["awesome"]["options"]["singleFile"] is True
