"""Wikimedia conventions smoke follows: a contact in the User-Agent, Phabricator task ids."""

from __future__ import annotations

import re

from smoke import __version__

# Wikimedia's User-Agent policy asks automated clients for contact information; wikis.yaml's
# `contact:` replaces this default.
DEFAULT_CONTACT = "https://www.mediawiki.org/wiki/Wikimedia_Release_Engineering_Team"

PHABRICATOR = "https://phabricator.wikimedia.org/"
TASK_PATTERN = r"^T[1-9][0-9]*$"  # a Phabricator task id: T123 (never T0 or T012)
TASK_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])T([1-9][0-9]*)(?![0-9])")


def smoke_agent(contact: str | None = None, purpose: str = "") -> str:
    """The product token smoke adds to every User-Agent: name, version, contact, purpose."""
    text = f"smoke/{__version__} (+{contact or DEFAULT_CONTACT})"
    return f"{text} {purpose}" if purpose else text


def task_url(task: str) -> str:
    return PHABRICATOR + task
