"""Delivering metrics and alerts: the textfile, the Pushgateway, Alertmanager's API v2.

Each function does one delivery and returns None, or one line saying what was not delivered and
why; it never raises (a notification must not change a run's verdict or lose its results).
Credentials given in a URL (``https://user:password@host/``) are sent as HTTP basic auth and
never printed: messages show :func:`shown_url`.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from prometheus_client import push_to_gateway, write_to_textfile
from prometheus_client.exposition import basic_auth_handler, default_handler
from prometheus_client.registry import CollectorRegistry

from smoke.model.http_client import basic_authorization
from smoke.notify.settings import shown_url

Handler = Callable[..., Callable[[], None]]


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without user:password@, (user, password) or None)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, (unquote(parts.username), unquote(parts.password or ""))


def _why(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        body = ""
        try:
            body = exc.read(300).decode("utf-8", "replace").strip()
        except OSError:
            pass
        return f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return str(reason.strerror if isinstance(reason, OSError) and reason.strerror else reason)
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def write_textfile(path: Path, registry: CollectorRegistry) -> str | None:
    """node_exporter's textfile: written to a temporary file, then renamed over the old one."""
    try:
        write_to_textfile(str(path), registry)
    except Exception as exc:  # any failure is one line; the run's results are already written
        return f"metrics not written to {path}: {_why(exc)}"
    return None


def push(
    url: str, job: str, grouping: dict[str, str], registry: CollectorRegistry, timeout_s: float
) -> str | None:
    """PUT the registry to the Pushgateway group ``job`` + ``grouping`` (replacing the group)."""
    bare, credentials = split_credentials(url)
    handler: Handler = default_handler
    if credentials is not None:
        user, password = credentials

        def handler(
            url: str,
            method: str,
            timeout: float | None,
            headers: list[tuple[str, str]],
            data: bytes,
        ) -> Callable[[], None]:
            return basic_auth_handler(url, method, timeout, headers, data, user, password)

    try:
        push_to_gateway(
            bare,
            job=job,
            registry=registry,
            grouping_key=grouping,
            timeout=timeout_s,
            handler=handler,
        )
    except Exception as exc:  # unreachable, refused, HTTP error: one line, the run goes on
        return f"metrics not pushed to the Pushgateway at {shown_url(url)}: {_why(exc)}"
    return None


def post_alerts(url: str, alerts: Sequence[dict[str, Any]], timeout_s: float) -> str | None:
    """POST alerts to ``<url>/api/v2/alerts``."""
    bare, credentials = split_credentials(url)
    endpoint = bare.rstrip("/") + "/api/v2/alerts"
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(list(alerts)).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    if credentials is not None:
        request.add_header("Authorization", basic_authorization(*credentials))
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except Exception as exc:  # unreachable, refused, HTTP error: one line, the run goes on
        return f"Alertmanager at {shown_url(url)}: {_why(exc)}"
    return None
