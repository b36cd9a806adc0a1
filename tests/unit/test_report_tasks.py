"""Phabricator task ids of known issues (smoke.finished.report.tasks)."""

from __future__ import annotations

import pytest

from smoke.finished.report.tasks import phabricator_url, task_id


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("T123", "T123"),
        (" T42 ", "T42"),
        ("phab:T987654", "T987654"),
        ("https://phabricator.wikimedia.org/T180000", "T180000"),
        ("see T5 and T6", "T5"),
        ("T0123", None),
        ("AT123", None),
        ("t123", None),
        ("", None),
    ],
)
def test_task_id_finds_the_phabricator_task(text: str, task: str | None) -> None:
    assert task_id(text) == task


def test_phabricator_url_only_for_a_bare_task_id() -> None:
    assert phabricator_url("T123") == "https://phabricator.wikimedia.org/T123"
    for bad in ("123", "T", "T12a", "phab:T12", "T0"):
        with pytest.raises(ValueError):
            phabricator_url(bad)
