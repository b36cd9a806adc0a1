"""Phabricator task ids of known issues: "T123", "phab:T123" or a task URL → "T123"."""

from __future__ import annotations

from smoke.model.wikimedia import TASK_IN_TEXT, task_url


def task_id(text: str) -> str | None:
    """The Phabricator task named in ``text``: "T123", "phab:T123" or a task URL → "T123"."""
    match = TASK_IN_TEXT.search(text.strip())
    return f"T{match.group(1)}" if match else None


def phabricator_url(task: str) -> str:
    """``T123`` → ``https://phabricator.wikimedia.org/T123``; anything else is a ValueError."""
    found = task_id(task)
    if found is None or found != task.strip():
        raise ValueError(f"not a Phabricator task id (T followed by digits): {task!r}")
    return task_url(found)
