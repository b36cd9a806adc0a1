"""Hand-built MediaWiki answers for the survey tests: a 1.39 Special:RecentChanges page head and
api.php's meta=ores|siteinfo, in the shapes MediaWiki 1.39 and Extension:ORES produce; and a stub
farm serving them on loopback that records every request (never the internet)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CORE_GROUPS: list[dict[str, Any]] = [
    {
        "name": "userExpLevel",
        "type": "string_options",
        "fullCoverage": True,
        "filters": [
            {"name": "unregistered", "cssClass": "mw-changeslist-user-unregistered"},
            {"name": "newcomer", "cssClass": "mw-changeslist-user-newcomer"},
        ],
        "priority": -2,
        "title": "rcfilters-filtergroup-user-experience-level",
        "separator": ";",
        "default": "",
    },
    {
        "name": "significance",
        "type": "send_unselected_if_any",
        "fullCoverage": True,
        "filters": [{"name": "hidemajor"}, {"name": "hideminor"}],
        "priority": -5,
        "title": "rcfilters-filtergroup-significance",
    },
]


def ores_group(model: str, levels: Sequence[str], priority: int = 2) -> dict[str, Any]:
    """A group as Extension:ORES's ChangesListHooksHandler builds it (only the parsed levels)."""
    css = {"goodfaith": {"likelygood": "good", "likelybad": "bad"}}.get(model, {})
    return {
        "name": model,
        "type": "string_options",
        "fullCoverage": False,
        "filters": [
            {
                "name": level,
                "label": f"ores-rcfilters-{model}-{level}-label",
                "description": f"ores-rcfilters-{model}-{level}-desc",
                "cssClass": f"mw-changeslist-{model}-{css.get(level, level)}",
                "priority": -2 - i,
                "subset": [],
                "conflicts": [],
                "defaultHighlightColor": "c4" if level == "likelybad" else None,
            }
            for i, level in enumerate(levels)
        ],
        "priority": priority,
        "conflicts": [],
        "title": f"ores-rcfilters-{model}-title",
        "separator": ";",
        "default": "",
    }


def encode_like_mediawiki(value: Any, *, pretty: bool = False) -> str:
    """ResourceLoader::encodeJsonForScript: unescaped unicode and slashes, '<' and '&' as \\u."""
    if pretty:
        text = json.dumps(value, ensure_ascii=False, indent=4)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def rc_head(levels: Mapping[str, Sequence[str]], *, style: str = "rlconf", lang: str = "ru") -> str:
    """A Special:RecentChanges page as MediaWiki 1.39 serves it (head plus a body stub).

    style: "rlconf" (1.32+, minified), "debug" (RLCONF pretty-printed, ?debug=1),
    "mwconfig" (mw.config.set({…}) inside RLQ, before 1.32).
    """
    groups = [ores_group(m, v, priority=2 - i) for i, (m, v) in enumerate(levels.items())]
    config = {
        "wgBreakFrames": True,
        "wgSeparatorTransformTable": [",\t.", "\u00a0\t,"],
        "wgMonthNames": ["", "январь", "февраль"],
        "wgRequestId": "c6d0609d87b567b8ca695dd1",
        "wgCanonicalNamespace": "Special",
        "wgCanonicalSpecialPageName": "Recentchanges",
        "wgPageName": "Служебная:Свежие_правки",
        "wgUserName": None,
        "wgStructuredChangeFilters": groups + CORE_GROUPS,
        "wgStructuredChangeFiltersMessages": {
            "rcfilters-filter-editsbyself-description": 'Ваш <a href="/x">вклад</a> & всё'
        },
        "wgRCFiltersChangeTags": [{"name": "mw-rollback", "label": "Откат"}],
    }
    state = {"site.styles": "ready", "user.options": "loading", "ext.ores.styles": "ready"}
    modules = ["mediawiki.rcfilters.filters.ui", "ext.ores.highlighter"]
    if style == "mwconfig":
        script = (
            "<script>document.documentElement.className = document.documentElement.className"
            '.replace( /(^|\\s)client-nojs(\\s|$)/, "$1client-js$2" );</script>\n'
            "<script>(window.RLQ=window.RLQ||[]).push(function(){"
            f"mw.config.set({encode_like_mediawiki(config)});"
            f"mw.loader.state({encode_like_mediawiki(state)});}});</script>"
        )
    elif style == "debug":
        script = (
            '<script>\ndocument.documentElement.className = "client-js";\n'
            f"RLCONF = {encode_like_mediawiki(config, pretty=True)};\n"
            f"RLSTATE = {encode_like_mediawiki(state, pretty=True)};\n</script>"
        )
    else:
        script = (
            '<script>document.documentElement.className="client-js";'
            f"RLCONF={encode_like_mediawiki(config)};\n"
            f"RLSTATE={encode_like_mediawiki(state)};"
            f"RLPAGEMODULES={encode_like_mediawiki(modules)};</script>"
        )
    return (
        f'<!DOCTYPE html>\n<html class="client-nojs" lang="{lang}" dir="ltr">\n<head>\n'
        '<meta charset="UTF-8"/>\n<title>Свежие правки — Википедия</title>\n'
        f"{script}\n"
        '<script>(RLQ=window.RLQ||[]).push(function(){mw.loader.implement("user.options@12s5i",'
        'function($,jQuery,require,module){mw.user.tokens.set({"patrolToken":"+\\\\"});});});'
        "</script>\n"
        '<meta name="generator" content="MediaWiki 1.39.17"/>\n</head>\n'
        '<body class="mediawiki ltr mw-rcfilters-enabled"><div id="content">'
        '<ul class="special"></ul></div></body></html>\n'
    )


ERROR_PAGE = (
    '<!DOCTYPE html>\n<html class="client-nojs" lang="en" dir="ltr"><head>'
    "<title>Internal error - Wikipedia</title><script>document.documentElement.className="
    '"client-js";RLCONF={"wgCanonicalSpecialPageName":"Recentchanges","wgRequestId":"abc"};'
    '</script></head><body><div class="mw-message-box-error mw-message-box">[abc] '
    '2026-11-20 10:00:00: Fatal exception of type "RuntimeException"</div></body></html>'
)


def api_answer(
    *,
    models: Sequence[str] | None = ("damaging", "goodfaith"),
    generator: str = "MediaWiki 1.39.17",
    server: str = "http://127.0.0.1:8482",
    scriptpath: str = "",
    lang: str = "ru",
    ores_extension: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``action=query&meta=ores|siteinfo&siprop=general|extensions`` (format=json, version 1)."""
    query: dict[str, Any] = {
        "general": {
            "sitename": "Википедия",
            "generator": generator,
            "lang": lang,
            "server": server,
            "scriptpath": scriptpath,
            "wikiid": f"{lang}wiki",
        },
        "extensions": [
            {"type": "skin", "name": "Vector", "version": "1.0"},
            *([{"type": "other", "name": "ORES", **ores_extension}] if ores_extension else []),
        ],
    }
    answer: dict[str, Any] = {"batchcomplete": "", "query": query}
    if models is None:  # no Extension:ORES: meta=ores is an unknown value, a warning only
        answer["warnings"] = {"query": {"*": 'Unrecognized value for parameter "meta": ores'}}
    else:
        query["ores"] = {
            "baseurl": "https://ores.wikimedia.org/",
            "wikiid": f"{lang}wiki",
            "models": {m: {"version": "0.5.1"} for m in models},
            "excludebots": True,
            "damagingthresholds": {"maybebad": 0.16, "likelybad": 0.56},
            "namespaces": [0, 1],
        }
    return answer


# --- a stub farm: wikis on loopback HTTP servers, every request recorded -----------------------


@dataclass(frozen=True)
class StubWiki:
    levels: Mapping[str, Sequence[str]] | None  # None: no Extension:ORES
    lang: str = "en"
    redirect: bool = False  # Special:RecentChanges redirects to a localised name (ruwiki)
    rc_status: int = 200
    api_status: int = 200


@dataclass
class StubFarm:
    """Wikis at ``http://127.0.0.1:<port>/<wiki>/`` (api.php, index.php); one server per host."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)  # host, path, User-Agent
    max_in_flight: dict[str, int] = field(default_factory=dict)
    delay: float = 0.02  # long enough for overlapping requests to be seen
    _servers: list[ThreadingHTTPServer] = field(default_factory=list)
    _wikis: dict[tuple[str, str], StubWiki] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: dict[str, int] = field(default_factory=dict)

    def host(self, wikis: Mapping[str, StubWiki]) -> str:
        """Start one more server holding ``wikis``; returns its base URL."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for wiki_id, wiki in wikis.items():
            self._wikis[(base, wiki_id)] = wiki
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return base

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def count(self, base: str, wiki_id: str) -> int:
        host = base.removeprefix("http://")
        return sum(
            1 for h, path, _ in self.requests if h == host and path.startswith(f"/{wiki_id}/")
        )

    def answer(self, base: str, path: str, query: dict[str, list[str]]) -> tuple[int, str, str]:
        """(status, content type or Location, body) for one GET."""
        wiki_id, _, script = path.strip("/").partition("/")
        wiki = self._wikis.get((base, wiki_id))
        if wiki is None or script not in ("api.php", "index.php"):
            return 404, "text/plain", "not found"
        if script == "api.php":
            if wiki.api_status != 200:
                return wiki.api_status, "text/plain", "down"
            if query.get("action") == ["sitematrix"]:
                return 200, "application/json", json.dumps(self.sitematrix())
            answer = api_answer(
                models=tuple(wiki.levels) if wiki.levels is not None else None,
                server=base,
                scriptpath=f"/{wiki_id}",
                lang=wiki.lang,
            )
            return 200, "application/json", json.dumps(answer)
        title = query.get("title", [""])[0]
        if wiki.redirect and title == "Special:RecentChanges":
            return 302, f"/{wiki_id}/index.php?title=%D0%A1%D0%BB%D1%83%D0%B6%D0%B5%D0%B1", ""
        if wiki.rc_status != 200:
            return wiki.rc_status, "text/html", ERROR_PAGE
        return 200, "text/html; charset=UTF-8", rc_head(wiki.levels or {}, lang=wiki.lang)

    def sitematrix(self) -> dict[str, Any]:
        sites = [
            {"url": f"{base}/{wiki_id}", "dbname": wiki_id, "code": "wiki", "lang": wiki.lang}
            for (base, wiki_id), wiki in self._wikis.items()
        ]
        return {"sitematrix": {"count": len(sites), "specials": sites}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        farm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = f"127.0.0.1:{self.server.server_port}"  # type: ignore[attr-defined]
                parts = urlsplit(self.path)
                with farm._lock:
                    farm.requests.append((host, parts.path, self.headers.get("User-Agent", "")))
                    farm._in_flight[host] = farm._in_flight.get(host, 0) + 1
                    farm.max_in_flight[host] = max(
                        farm.max_in_flight.get(host, 0), farm._in_flight[host]
                    )
                try:
                    time.sleep(farm.delay)
                    status, kind, body = farm.answer(
                        f"http://{host}", parts.path, parse_qs(parts.query)
                    )
                finally:
                    # Counted out before the answer is sent: once the client has it, it may send
                    # its next request before this thread would get here (a race of the stub,
                    # not two requests in flight).
                    with farm._lock:
                        farm._in_flight[host] -= 1
                self.send_response(status)
                self.send_header("Location" if status in (301, 302) else "Content-Type", kind)
                data = body.encode("utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
