"""An OpenSearch/Elasticsearch-compatible ``_search`` endpoint, asked for one request id.

The query is a JSON template with ``{reqid}`` from the environment variable the config names
(``query_env``), else :data:`DEFAULT_QUERY`: MediaWiki's structured (Logstash) logs carry the
request id as ``reqId``; ECS-formatted ones as ``trace.id``. Credentials come from the
environment too: the whole ``Authorization`` header value, or a user name and password.

A hit is read in either shape: MediaWiki's Logstash fields (``exception.class``,
``exception.message``, ``exception.trace``) or ECS (``error.type``, ``error.message``,
``error.stack_trace``), nested or with dotted keys.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smoke.model.http_client import network_reason
from smoke.serverlog.model import ServerException, split_trace

MAX_BYTES = 4 * 1024 * 1024
DEFAULT_QUERY = json.dumps(
    {
        "size": 10,
        "query": {
            "bool": {
                "should": [
                    {"match_phrase": {"reqId": "{reqid}"}},
                    {"match_phrase": {"trace.id": "{reqid}"}},
                ],
                "minimum_should_match": 1,
            }
        },
    }
)


class SearchError(Exception):
    """The search could not be asked or did not answer usefully; the message says why."""


@dataclass(frozen=True)
class LogSearch:
    url: str
    query_template: str
    authorization: str | None  # the Authorization header value (a secret)
    user_agent: str

    def query(self, request_id: str) -> bytes:
        escaped = json.dumps(request_id)[1:-1]  # safe inside the template's JSON string
        body = self.query_template.replace("{reqid}", escaped)
        try:
            json.loads(body)
        except ValueError as exc:
            raise SearchError(f"the query template is not JSON once filled in ({exc})") from None
        return body.encode()

    def find(self, request_id: str, timeout: float) -> ServerException | None:
        """The exception logged under ``request_id``, None when the search has none."""
        headers = {"Content-Type": "application/json", "User-Agent": self.user_agent}
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(
            self.url, data=self.query(request_id), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                raw = answer.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            hint = " (check the credentials)" if exc.code in (401, 403) else ""
            raise SearchError(f"HTTP {exc.code}{hint}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise SearchError(network_reason(exc)) from None
        if len(raw) > MAX_BYTES:
            raise SearchError(f"answer larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            body = json.loads(raw)
        except ValueError:
            raise SearchError("the answer is not JSON") from None
        return best_hit(body, request_id)


def _get(source: Mapping[str, Any], dotted: str) -> Any:
    """``source["a"]["b"]`` or ``source["a.b"]``, whichever the document has."""
    if dotted in source:
        return source[dotted]
    head, _, rest = dotted.partition(".")
    inner = source.get(head)
    if rest and isinstance(inner, Mapping):
        return _get(inner, rest)
    return None


def _text(source: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = _get(source, name)
        if isinstance(value, str) and value:
            return value
    return ""


def from_hit(source: Mapping[str, Any], request_id: str) -> ServerException | None:
    """The exception a log document describes, None when it describes none."""
    cls = _text(source, "exception.class", "error.type", "exception_class")
    message = _text(source, "exception.message", "error.message")
    trace = _text(source, "exception.trace", "error.stack_trace")
    if not message:
        line = _text(source, "message")
        # MediaWiki's normalised message: "[{reqId}] {exception_url}   Class: message".
        tail = line.split("   ", 1)[1] if "   " in line else line
        if cls and tail.startswith(cls + ": "):
            tail = tail[len(cls) + 2 :]
        message = tail
    if not cls and not trace:
        return None
    frames, _ = split_trace(trace)
    return ServerException(
        request_id=request_id,
        exception_class=cls,
        message=message,
        frames=frames,
        logged_at=_text(source, "@timestamp", "timestamp"),
        wiki=_text(source, "wiki", "labels.wiki", "service.name"),
    )


def best_hit(body: Any, request_id: str) -> ServerException | None:
    """The newest exception among the hits (channel ``exception`` first)."""
    hits = body.get("hits", {}).get("hits", []) if isinstance(body, Mapping) else []
    found: list[tuple[bool, str, ServerException]] = []
    for hit in hits if isinstance(hits, list) else []:
        source = hit.get("_source") if isinstance(hit, Mapping) else None
        if not isinstance(source, Mapping):
            continue
        entry = from_hit(source, request_id)
        if entry is not None:
            channel = _text(source, "channel", "log.logger") == "exception"
            found.append((channel, entry.logged_at, entry))
    if not found:
        return None
    return max(found, key=lambda item: (item[0], item[1]))[2]
