"""Known issues (quarantine): failures with a Phabricator task that must not block a run.

Matched checks still run. A failed or broken check whose every finding (or whose error) is covered
by an entry in force is reported as **known**, with the task link, and does not fail the run. An
entry past its ``expires`` date no longer covers anything and is itself reported as a finding, so a
quarantine cannot quietly outlive its reason. An entry whose checks now pass is reported as
"stopped failing", so the task can be closed and the entry removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from smoke.model.checks import Check
from smoke.model.findings import Finding
from smoke.model.wikimedia import task_url

DETECTOR = "known-issues"


@dataclass(frozen=True)
class KnownIssue:
    task: str
    wiki: str = "*"
    page: str = "*"
    variant: str = "*"
    detector: str | None = None
    message: str | None = None  # regular expression
    reason: str | None = None
    expires: date | None = None

    @property
    def url(self) -> str:
        return task_url(self.task)

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def applies_to(self, check: Check) -> bool:
        """The check is in this entry's scope (wiki, page and variant globs)."""
        return (
            fnmatchcase(check.wiki, self.wiki)
            and fnmatchcase(check.page.value, self.page)
            and fnmatchcase(check.variant, self.variant)
        )

    def covers(self, detector: str, message: str) -> bool:
        """One finding (or a could-not-check error: detector = its kind) is this issue."""
        if self.detector is not None and self.detector != detector:
            return False
        return self.message is None or re.search(self.message, message) is not None


@dataclass(frozen=True)
class Verdict:
    """How the known-issue list judges one finished check."""

    known: KnownIssue | None = None  # the entry that quarantines this failure
    expired: tuple[KnownIssue, ...] = ()  # expired entries that would have covered it
    stopped_failing: tuple[KnownIssue, ...] = ()  # entries in scope of a check that passed

    def expired_findings(self, today: date) -> list[Finding]:
        return [
            Finding(
                DETECTOR,
                f"known issue {e.task} expired on {e.expires} and no longer quarantines this "
                f"failure (today {today}); fix it or extend the entry in wikis.yaml",
                {"task": e.task, "url": e.url, "expires": str(e.expires)},
            )
            for e in self.expired
        ]


def judge(
    check: Check,
    problems: Sequence[tuple[str, str]],
    entries: Sequence[KnownIssue],
    today: date,
) -> Verdict:
    """Judge a finished check. ``problems``: (detector or error kind, message) pairs of its
    final attempt; empty when it passed."""
    in_scope = [e for e in entries if e.applies_to(check)]
    if not problems:
        return Verdict(stopped_failing=tuple(e for e in in_scope if not e.expired(today)))
    live = [e for e in in_scope if not e.expired(today)]
    for entry in live:
        if all(entry.covers(detector, message) for detector, message in problems):
            return Verdict(known=entry)
    expired = tuple(
        e for e in in_scope if e.expired(today) and all(e.covers(d, m) for d, m in problems)
    )
    return Verdict(expired=expired)
