"""Polite HTTP reads for the survey: smoke's User-Agent, one request in flight per host, counted.

The survey commands read production wikis too (``smoke parity --reference production``), so
every read goes through one :class:`PoliteReader`: it names smoke and its contact in the
User-Agent (Wikimedia's User-Agent policy), asks for gzip, and holds a per-host lock for the
whole request including redirects, so however many threads read, a host sees at most one of
smoke's requests at a time. No browser: these are plain GETs of api.php and index.php.
"""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.request
import zlib
from collections import Counter
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

from smoke.model.http_client import network_reason

# Enough for a Special:RecentChanges page of production (~300 KB uncompressed with 1 row).
MAX_BYTES = 8 * 1024 * 1024


class ReadError(Exception):
    """A URL could not be read; the message says why in a few words (``HTTP 500``, timed out)."""


@dataclass(frozen=True)
class Response:
    url: str  # the final URL, after redirects
    status: int
    text: str


def host_of(url: str) -> str:
    """The politeness key: scheme-less host and port (the farm's wikis differ only by port)."""
    return urlsplit(url).netloc.lower()


class _CountedRedirects(urllib.request.HTTPRedirectHandler):
    """Counts each redirect hop as the request it is (a localised special page redirects)."""

    def __init__(self, reader: PoliteReader) -> None:
        self._reader = reader

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            self._reader.count(newurl)
        return new


class PoliteReader:
    """GETs with smoke's User-Agent; at most ``per_host`` requests in flight per host."""

    def __init__(self, user_agent: str, *, timeout: float = 30.0, per_host: int = 1) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self._per_host = per_host
        self._gates: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # host -> requests made (redirect hops included)
        self._opener = urllib.request.build_opener(_CountedRedirects(self))

    def count(self, url: str) -> None:
        with self._lock:
            self.requests[host_of(url)] += 1

    def _gate(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = threading.BoundedSemaphore(self._per_host)
            return gate

    def get_text(self, url: str) -> Response:
        """The body of ``url`` as text; ReadError for HTTP errors and network failures."""
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip"}
        )
        host = host_of(url)
        with self._gate(host):
            self.count(url)
            try:
                with self._opener.open(request, timeout=self.timeout) as answer:
                    raw = answer.read(MAX_BYTES + 1)
                    encoding = answer.headers.get("Content-Encoding", "")
                    charset = answer.headers.get_content_charset() or "utf-8"
                    final_url, status = answer.geturl(), answer.status
            except urllib.error.HTTPError as exc:
                raise ReadError(f"HTTP {exc.code}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise ReadError(network_reason(exc)) from None
        if len(raw) > MAX_BYTES:
            raise ReadError(f"answer larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            if encoding == "gzip":
                raw = gzip.decompress(raw)
            elif encoding == "deflate":
                raw = zlib.decompress(raw)
        except (OSError, zlib.error, EOFError) as exc:
            raise ReadError(f"bad {encoding} body ({exc})") from None
        return Response(final_url, status, raw.decode(charset, errors="replace"))

    def get_json(self, url: str) -> Any:
        try:
            return json.loads(self.get_text(url).text)
        except ValueError:
            raise ReadError("the answer is not JSON") from None
