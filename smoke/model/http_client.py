"""How smoke's plain HTTP clients (surveys, log searches, notifications) say what went wrong and
send Basic credentials: one reading shared by every client outside the browser."""

from __future__ import annotations

import base64


def network_reason(exc: BaseException) -> str:
    """A network error in a few words: "timed out", "connection refused", or urllib's reason."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason) or type(reason).__name__


def basic_authorization(username: str, password: str) -> str:
    """The value of an ``Authorization`` header for HTTP Basic authentication."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"
