"""Root causes: failed and broken checks grouped by what went wrong, one line per cause.

A deploy usually breaks many checks the same way (2017: one exception on three pages of two
wikis, every filter variant). Two checks share a cause when they have the same outcome, the same
detector (or could-not-check kind) and the same message once the parts that differ from check to
check are taken out: URLs, request ids, timestamps, numbers, and the check's own wiki and page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smoke.model.findings import problem_line
from smoke.model.outcome import Outcome
from smoke.output.problems import problem_parts

GROUPED_OUTCOMES = (Outcome.FAILED.value, Outcome.BROKEN.value)

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_HOST_PORT = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"
)
# MediaWiki request ids: 24+ characters of letters and digits, often in brackets.
_REQUEST_ID = re.compile(r"\[?\b(?=[A-Za-z0-9@-]*\d)[A-Za-z0-9@-]{20,}\b\]?")
_NAMED_REQUEST_ID = re.compile(r"(request id )[^\s)]+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PARENTHESISED_IDS = re.compile(r"\([^()]*/[^()]*\)")  # "(wiki/page/variant, …)" lists
_SPACES = re.compile(r"\s+")


def normalise(message: str, wiki: str = "", page: str = "") -> str:
    """The message with what differs between checks of one cause replaced by placeholders."""
    text = _URL.sub("<url>", message)
    text = _TIMESTAMP.sub("<time>", text)
    text = _NAMED_REQUEST_ID.sub(r"\1<id>", text)
    text = _REQUEST_ID.sub("<id>", text)
    text = _HOST_PORT.sub("<host>", text)
    text = _PARENTHESISED_IDS.sub("(<checks>)", text)
    if wiki:
        text = re.sub(rf"\b{re.escape(wiki)}\b", "<wiki>", text)
    if page:
        text = re.sub(rf"\b{re.escape(page)}\b", "<page>", text, flags=re.IGNORECASE)
    text = _NUMBER.sub("<n>", text)
    return _SPACES.sub(" ", text).strip()


def _problem(check: Mapping[str, Any]) -> tuple[str, str]:
    """(detector or error kind, message) of the first problem of a results.json record."""
    return problem_parts(check) or ("?", "")


def cause_key(check: Mapping[str, Any]) -> str | None:
    """The cause a failed or broken check belongs to (None for any other outcome)."""
    outcome = str(check.get("outcome", ""))
    if outcome not in GROUPED_OUTCOMES:
        return None
    kind, message = _problem(check)
    wiki, page = str(check.get("wiki", "")), str(check.get("page", ""))
    return f"{outcome}|{kind}|{normalise(message, wiki, page)}"


def cause_text(check: Mapping[str, Any]) -> str | None:
    """The cause in words, the same for every check it covers (Allure groups by it)."""
    key = cause_key(check)
    if key is None:
        return None
    _, kind, message = key.split("|", 2)
    return problem_line(kind, message)


def cause_id(key: str) -> str:
    """A short, stable id for a cause (the same cause gets the same id in every run)."""
    return "cause-" + hashlib.sha1(key.encode()).hexdigest()[:8]


def group_id(check: Mapping[str, Any]) -> str | None:
    key = cause_key(check)
    return cause_id(key) if key is not None else None


@dataclass
class Cause:
    """Checks that went wrong the same way."""

    id: str
    outcome: str
    kind: str  # detector name, or could-not-check kind
    message: str  # the example check's own message
    checks: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def wikis(self) -> list[str]:
        return _unique(str(c.get("wiki", "")) for c in self.checks)

    @property
    def pages(self) -> list[str]:
        return _unique(str(c.get("page", "")) for c in self.checks)

    @property
    def example(self) -> Mapping[str, Any]:
        return self.checks[0]

    def one_line(self) -> str:
        count = len(self.checks)
        return (
            f"{self.message} — {', '.join(self.wikis)} · {', '.join(self.pages)} · "
            f"{count} check{'s' if count != 1 else ''}"
        )


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def group_causes(checks: Sequence[Mapping[str, Any]]) -> list[Cause]:
    """Causes of the failed and broken checks: failed first, then by number of checks."""
    causes: dict[str, Cause] = {}
    for check in sorted(checks, key=lambda c: str(c.get("id", ""))):
        key = cause_key(check)
        if key is None:
            continue
        kind, message = _problem(check)
        cause = causes.get(key)
        if cause is None:
            cause = causes[key] = Cause(cause_id(key), str(check["outcome"]), kind, message)
        cause.checks.append(check)
    order = {outcome: n for n, outcome in enumerate(GROUPED_OUTCOMES)}
    return sorted(causes.values(), key=lambda c: (order[c.outcome], -len(c.checks), c.message))
