"""One exception as the server logged it, and the record a check result carries of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_FRAMES = 8  # the first frames of the trace: where it was thrown and what called that
MAX_MESSAGE = 2000  # characters of the exception message kept (JSON payloads can be long)
_FRAME = re.compile(r"^#\d+ ")


@dataclass(frozen=True)
class ServerException:
    request_id: str
    exception_class: str  # "" when the log line names none (PHP fatal errors)
    message: str
    frames: tuple[str, ...] = ()
    logged_at: str = ""
    wiki: str = ""

    def headline(self) -> str:
        """``RuntimeException: Unable to parse threshold: …`` in one line."""
        text = " ".join(self.message.split())
        return f"{self.exception_class}: {text}" if self.exception_class else text

    def to_record(self, source: str, link: str | None = None) -> dict[str, Any]:
        """The ``server`` field of a check in results.json."""
        record: dict[str, Any] = {
            "source": source,
            "request_id": self.request_id,
            "exception_class": self.exception_class,
            "message": self.message[:MAX_MESSAGE],
            "frames": list(self.frames[:MAX_FRAMES]),
        }
        if self.logged_at:
            record["logged_at"] = self.logged_at
        if link:
            record["link"] = link
        return record


def split_trace(text: str) -> tuple[tuple[str, ...], str]:
    """(frames, text before the first frame) of a PHP trace as MediaWiki prints it."""
    frames: list[str] = []
    before: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if _FRAME.match(line):
            frames.append(line)
        elif not frames and line:
            before.append(line)
    return tuple(frames), "\n".join(before)
