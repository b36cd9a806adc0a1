"""MediaWiki's ``exception.log`` (``$wgDebugLogGroups['exception']``): entries by request id.

MediaWiki 1.39 and 1.43 write the same legacy format (LegacyLogger::formatAsWfDebugLog, then
MWExceptionHandler::prettyPrintTrace with ``$wgLogExceptionBacktrace``)::

    2026-12-07 02:31:05 host enwiki: [aZ3b…] /index.php?title=…   RuntimeException: Unable to …
    #0 /usr/share/mediawiki/includes/HookContainer/HookContainer.php(338): SmokeFarm\\Hooks::…
    …
    #27 {main}

A message may span lines (database errors do); everything up to the next entry belongs to it.
Only the tail of a large file is read: the run's requests are the newest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from smoke.serverlog.model import ServerException, split_trace

MAX_BYTES = 32 * 1024 * 1024

_ENTRY = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (?P<host>\S+) (?P<wiki>\S+): "
    r"\[(?P<reqid>[^\]\s]+)\] (?P<url>\S+) {2,}(?P<rest>.*)$"
)
_CLASS = re.compile(r"^(?P<cls>[A-Za-z_\\][\w\\]*): (?P<msg>.*)$", re.DOTALL)


def parse(text: str) -> Iterator[ServerException]:
    """Every entry of an exception.log text, in file order."""
    head: re.Match[str] | None = None
    body: list[str] = []
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match is None:
            if head is not None:
                body.append(line)
            continue
        if head is not None:
            yield _entry(head, body)
        head, body = match, []
    if head is not None:
        yield _entry(head, body)


def _entry(head: re.Match[str], body: list[str]) -> ServerException:
    frames, more = split_trace("\n".join(body))
    rest = head["rest"] + ("\n" + more if more else "")
    cls = _CLASS.match(rest)
    return ServerException(
        request_id=head["reqid"],
        exception_class=cls["cls"] if cls else "",
        message=cls["msg"] if cls else rest,
        frames=frames,
        logged_at=head["time"],
        wiki=head["wiki"],
    )


def read_tail(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The last ``max_bytes`` of ``path`` from the first whole line (OSError when unreadable)."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read()
    if start:
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    return data.decode("utf-8", errors="replace")


def by_request_id(path: Path) -> dict[str, ServerException]:
    """The last entry of each request id in the file (a request's fatal comes last)."""
    return {entry.request_id: entry for entry in parse(read_tail(path))}
