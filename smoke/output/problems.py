"""The first problem of a check record: (detector or could-not-check kind, message), and what
the server logged for it (the ``server`` record smoke.serverlog adds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def problem_parts(check: Mapping[str, Any]) -> tuple[str, str] | None:
    """(detector or could-not-check kind, message) of the first finding, else of the error.

    Works on a plain results.json record too (older or hand-made ones may lack fields).
    """
    findings = check.get("findings") or []
    if findings and isinstance(findings[0], Mapping):
        first = findings[0]
        return str(first.get("detector", "?")), str(first.get("message", ""))
    error = check.get("error")
    if isinstance(error, Mapping):
        return str(error.get("kind", "?")), str(error.get("message", ""))
    return None


def server_message(check: Mapping[str, Any]) -> str:
    """``Class: message`` the server logged for the check's request, in one line ("" if none)."""
    record = check.get("server")
    if not isinstance(record, Mapping) or not record.get("message"):
        return ""
    cls = str(record.get("exception_class") or "")
    message = " ".join(str(record["message"]).split())
    return f"{cls}: {message}" if cls else message
