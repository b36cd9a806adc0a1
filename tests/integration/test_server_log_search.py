"""A log search: smoke asks a real OpenSearch-compatible server (osmem-server, from PyPI; a
binary in the wheel, no JVM) by request id, as it would ask Logstash/OpenSearch on Beta.

The documents are shaped as MediaWiki's structured logs are (channel, reqId, exception.class,
exception.message, exception.trace) and as ECS ones are (trace.id, error.*).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from smoke.config.logs import LogSearchModel, LogsModel
from smoke.serverlog.read import read_server_errors

osmem_server = pytest.importorskip("osmem_server")

TRACE = (
    "#0 /srv/mediawiki/extensions/ORES/includes/Hooks.php(45): ORES\\Stats->parse()\n"
    "#1 /srv/mediawiki/includes/HookContainer/HookContainer.php(338): ORES\\Hooks::onX()\n"
    "#2 {main}"
)
REQ_ID = "9f1c0a2bd3e4f5a6b7c8d9e0"
LOGSTASH: dict[str, Any] = {
    "@timestamp": "2026-12-07T02:00:00Z",
    "channel": "exception",
    "reqId": "9f1c0a2bd3e4f5a6b7c8d9e0",
    "wiki": "enwiki",
    "message": "[9f1c0a2bd3e4f5a6b7c8d9e0] /w/index.php   RuntimeException: Unable to parse",
    "exception": {"class": "RuntimeException", "message": "Unable to parse", "trace": TRACE},
}
ECS: dict[str, Any] = {
    "@timestamp": "2026-12-07T02:00:05Z",
    "trace": {"id": "Zx81AbCdEfGhIjKlMnOpQr77"},
    "error": {
        "type": "Wikimedia\\Rdbms\\DBQueryError",
        "message": "Error 1205",
        "stack_trace": TRACE,
    },
}
OTHER: dict[str, Any] = {
    "@timestamp": "2026-12-07T02:00:01Z",
    "channel": "exception",
    "reqId": "other",
    "message": "x",
}


def _put(url: str, doc: dict[str, Any], n: int) -> None:
    request = urllib.request.Request(
        f"{url}/logstash-2026.12.07/_doc/{n}?refresh=true",
        data=json.dumps(doc).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)


@pytest.fixture(scope="module")
def search_url() -> Iterator[str]:
    with osmem_server.OsmemServer.start(japanese=False) as server:
        for n, doc in enumerate((LOGSTASH, ECS, OTHER)):
            _put(server.url, doc, n)
        yield f"{server.url}/logstash-*/_search"


def _check(check_id: str, request_id: str) -> dict[str, Any]:
    wiki, page, variant = check_id.split("/")
    return {
        "id": check_id,
        "wiki": wiki,
        "page": page,
        "variant": variant,
        "outcome": "failed",
        "request_id": request_id,
        "status": 500,
    }


def test_the_default_query_finds_both_log_shapes(search_url: str) -> None:
    logs = LogsModel(search=LogSearchModel(url=search_url, authorization_env="LOGS_AUTH"))
    checks = [
        _check("enwiki/recentchanges/plain", REQ_ID),
        _check("enwiki/watchlist/plain", "Zx81AbCdEfGhIjKlMnOpQr77"),
        _check("enwiki/contributions/plain", "NotInTheLogs00000000000a"),
    ]
    got = read_server_errors(
        checks, logs, environ={"LOGS_AUTH": "Basic c2VjcmV0OnNlY3JldA=="}, user_agent="smoke/test"
    )
    first = got.records["enwiki/recentchanges/plain"]
    assert (first["source"], first["exception_class"], first["message"]) == (
        "log search",
        "RuntimeException",
        "Unable to parse",
    )
    assert first["frames"][0].startswith("#0 /srv/mediawiki/extensions/ORES/includes/Hooks.php")
    second = got.records["enwiki/watchlist/plain"]
    assert second["exception_class"] == "Wikimedia\\Rdbms\\DBQueryError"
    assert "enwiki/contributions/plain" not in got.records
    assert got.notes == [
        f"server logs: no entry in the log search {search_url} for 1 failed check(s)' request "
        "id(s); those checks carry no server-side message"
    ]
    assert "Basic c2VjcmV0OnNlY3JldA==" in got.secrets


def test_a_query_template_from_the_environment(search_url: str) -> None:
    query = json.dumps({"size": 1, "query": {"term": {"reqId.keyword": "{reqid}"}}})
    logs = LogsModel(search=LogSearchModel(url=search_url, query_env="LOGS_QUERY"))
    got = read_server_errors(
        [_check("enwiki/recentchanges/plain", REQ_ID)],
        logs,
        environ={"LOGS_QUERY": query},
        user_agent="smoke/test",
    )
    assert got.records["enwiki/recentchanges/plain"]["message"] == "Unable to parse"
