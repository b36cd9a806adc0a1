"""``javascript``: uncaught exceptions and console errors, minus the allowlisted noise.

Browser-generated "Failed to load resource: …" console lines are skipped here: each one echoes a
sub-request that failed, and the record holds those requests with URL and status. Judging them is
the ``subrequests`` detector's business (same-origin 5xx and network failures are findings, 4xx
are not), so reporting the console echo too would count one failure twice. The well-known
favicon 404 of a healthy wiki is one of these lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from smoke.judge.detectors.registry import detector, truncate
from smoke.model.checks import AllowEntry, Expectation
from smoke.model.findings import Finding
from smoke.model.record import ConsoleMessage, PageError, PageRecord

NAME = "javascript"

RESOURCE_FAILURE_PREFIX = "Failed to load resource"


def allowed(allowlist: Iterable[AllowEntry], *texts: str) -> AllowEntry | None:
    """The first entry whose pattern is found (``re.search``) in any of ``texts``, or None."""
    for entry in allowlist:
        if any(text and re.search(entry.pattern, text) for text in texts):
            return entry
    return None


def _page_error(error: PageError) -> Finding:
    first_line = error.message.splitlines()[0] if error.message else "(no message)"
    evidence = {"message": truncate(error.message)}
    if error.stack:
        evidence["stack"] = truncate(error.stack)
    return Finding(NAME, f"uncaught JavaScript exception: {truncate(first_line, 200)}", evidence)


def _console_error(message: ConsoleMessage) -> Finding:
    evidence = {"text": truncate(message.text)}
    if message.url:
        evidence["url"] = truncate(message.url)
    return Finding(NAME, f"console error: {truncate(message.text, 200)}", evidence)


def _is_resource_failure(message: ConsoleMessage) -> bool:
    return message.text.startswith(RESOURCE_FAILURE_PREFIX)


@detector(NAME)
def javascript(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """Uncaught JavaScript exceptions and console errors not on the allowlist."""
    allowlist = expectation.allowlist
    for error in record.page_errors:
        if not allowed(allowlist, error.message):
            yield _page_error(error)
    for message in record.console:
        if message.type != "error" or _is_resource_failure(message):
            continue
        # The URL counts too: the browser's text often does not name the resource or script.
        if not allowed(allowlist, message.text, message.url):
            yield _console_error(message)
