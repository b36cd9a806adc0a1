"""``server-error``: the document is an HTTP 5xx or a MediaWiki error page.

Rule (a page is a server error when any of these holds):

1. The document status is >= 500, whatever the body says.
2. An *exception box* is on the page, whatever the status. An error box is an element with class
   ``errorbox`` (MediaWiki <= 1.38), ``mw-message-box-error`` (1.39) or ``cdx-message--error``
   (Codex, newer). Those classes are also used for ordinary messages (form validation on
   Special:Contributions, for one), so a box only counts when the page is an exception page:
   the box text starts with the language-independent exception prefix ``[<reqId>] <timestamp>:``
   (details off) or ``[<reqId>] <url>   <Class>: `` (details on), or it contains one of the
   fatal texts below, or the page's title/h1 is "Internal error".
3. A fatal text (``Fatal exception of type``, ``MediaWiki internal error``, ``Exception caught
   inside exception handler``, ``Sorry! This site is experiencing technical difficulties``) on a
   page without the skin (no ``#mw-content-text``). Those bare pages are what MediaWiki prints when
   it cannot render through the skin. On a skinned page the same words outside an error box may be
   user content (an edit summary on RecentChanges), so there they count only inside a box (2).

The message names the exception class and the request id (bracketed id of the error text, else
``wgRequestId``). Evidence keys ``status``, ``exception_class`` and ``request_id`` are always
present; an unknown value is the empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from smoke.judge.detectors.registry import detector, truncate
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

NAME = "server-error"

ERROR_BOX_CLASSES = frozenset({"errorbox", "mw-message-box-error", "cdx-message--error"})

# English texts of MediaWiki's fatal pages, with the label used in the finding message.
FATAL_TEXTS: tuple[tuple[str, str], ...] = (
    ("Fatal exception of type", "fatal exception (class not recognised)"),
    ("Exception caught inside exception handler", "MediaWiki internal error"),
    ("MediaWiki internal error", "MediaWiki internal error"),
    (
        "Sorry! This site is experiencing technical difficulties",
        'database error page ("Sorry! This site is experiencing technical difficulties.")',
    ),
)

INTERNAL_ERROR_HEADING = "Internal error"

_CLASS = r"[A-Za-z_\\][\w\\]*"  # PHP class name, namespaced ones included
_REQID = r"\[(?P<reqid>[^\]\s]{4,})\]"
# Details off: "[reqId] 2024-05-01 12:00:00: Fatal exception of type "RuntimeException"".
_TIMESTAMP_FORM = re.compile(_REQID + r"\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\s*(?P<rest>.*)")
# Details on: "[reqId] /w/index.php?title=…   RuntimeException: message" then "Backtrace:".
_DETAILS_FORM = re.compile(
    _REQID + r"\s+(?P<url>\S+)\s+(?P<cls>" + _CLASS + r"):\s*(?P<msg>.*?)\s*(?:Backtrace:|$)"
)
_FATAL_TYPE = re.compile(r"Fatal exception of type\s*[\"'«“„]?(?P<cls>" + _CLASS + ")")
# The fatal-exception sentence is translated on non-English wikis; the class is still quoted.
# French and others put (non-breaking) spaces inside guillemets: « RuntimeException ».
_QUOTED_CLASS = re.compile(r"[\"'«“„]\s*(?P<cls>" + _CLASS + r")\s*[\"'»”“]")

# Rules 2 and 3 need an error-box class or a fatal text somewhere in the raw HTML. Looking for
# them with one regex first spares parsing every healthy page (parsing a RecentChanges DOM costs
# ~0.1 CPU-s; the search ~1 ms): the parser runs only when the raw text leaves a doubt. Between
# the words of a fatal text, allow what the parser's text would turn into a single space.
_GAP = r"(?:\s|&nbsp;|&#160;|&#[xX][aA]0;|<[^>]*>)+"
_ERROR_PAGE_HINT = re.compile(
    "|".join(
        [re.escape(name) for name in sorted(ERROR_BOX_CLASSES)]
        + [_GAP.join(re.escape(word) for word in text.split()) for text, _ in FATAL_TEXTS]
    )
)


def may_be_error_page(html: str) -> bool:
    """False only when ``html`` can hold neither an error box nor a fatal text (rules 2, 3)."""
    return _ERROR_PAGE_HINT.search(html) is not None


@dataclass
class _Box:
    tag: str
    depth: int = 1
    chunks: list[str] = field(default_factory=list)


class _PageScan(HTMLParser):
    """Collects the parts of a page that tell an error page apart: title, h1s, error boxes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.headings: list[list[str]] = []
        self.boxes: list[list[str]] = []
        self.text: list[str] = []
        self.skinned = False
        self._open_boxes: list[_Box] = []
        self._in_title = False
        self._in_h1 = False
        self._skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if values.get("id") == "mw-content-text":
            self.skinned = True
        for box in self._open_boxes:
            if box.tag == tag:
                box.depth += 1
        if ERROR_BOX_CLASSES & set(values.get("class", "").split()):
            box = _Box(tag)
            self._open_boxes.append(box)
            self.boxes.append(box.chunks)
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._in_h1 = True
            self.headings.append([])

    def handle_endtag(self, tag: str) -> None:
        for box in self._open_boxes:
            if box.tag == tag:
                box.depth -= 1
        self._open_boxes = [box for box in self._open_boxes if box.depth > 0]
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._in_title:
            self.title.append(data)
        if self._in_h1 and self.headings:
            self.headings[-1].append(data)
        for box in self._open_boxes:
            box.chunks.append(data)


@dataclass(frozen=True)
class _Page:
    title: str
    headings: tuple[str, ...]
    boxes: tuple[str, ...]
    text: str
    skinned: bool


def _squash(chunks: list[str]) -> str:
    return " ".join(" ".join(chunks).split())


def _scan(html: str) -> _Page:
    parser = _PageScan()
    parser.feed(html)
    parser.close()
    return _Page(
        title=_squash(parser.title),
        headings=tuple(_squash(h) for h in parser.headings),
        boxes=tuple(_squash(b) for b in parser.boxes),
        text=_squash(parser.text),
        skinned=parser.skinned,
    )


def _fatal_label(text: str) -> str | None:
    for needle, label in FATAL_TEXTS:
        if needle in text:
            return label
    return None


def _looks_like_exception(text: str) -> bool:
    return bool(_TIMESTAMP_FORM.search(text) or _DETAILS_FORM.search(text) or _fatal_label(text))


def _has_internal_error_heading(page: _Page) -> bool:
    return page.title.startswith(INTERNAL_ERROR_HEADING) or INTERNAL_ERROR_HEADING in page.headings


def _exception_text(page: _Page) -> str | None:
    """The text that shows this is an error page (rules 2 and 3), or None."""
    heading = _has_internal_error_heading(page)
    boxes = [box for box in page.boxes if heading or _looks_like_exception(box)]
    if boxes:
        return " ".join(boxes)
    if not page.skinned and _fatal_label(page.text):
        return page.text
    return None


@dataclass(frozen=True)
class _Details:
    exception_class: str = ""
    exception_message: str = ""
    request_id: str = ""


def _details(text: str) -> _Details:
    """Exception class, message and request id as MediaWiki printed them in ``text``."""
    if match := _DETAILS_FORM.search(text):
        return _Details(match["cls"], match["msg"], match["reqid"])
    if match := _TIMESTAMP_FORM.search(text):
        rest = match["rest"]
        cls = _FATAL_TYPE.search(rest) or _QUOTED_CLASS.search(rest)
        return _Details(cls["cls"] if cls else "", "", match["reqid"])
    if match := _FATAL_TYPE.search(text):
        return _Details(match["cls"])
    return _Details()


def _describe(details: _Details, text: str | None) -> str:
    if details.exception_class:
        return f'Fatal exception of type "{details.exception_class}"'
    if text is None:
        return "server error (no MediaWiki error page recognised)"
    return _fatal_label(text) or "MediaWiki error page"


@detector(NAME)
def server_error(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """HTTP 5xx document, or a MediaWiki exception/fatal error page (any markup, any status)."""
    is_5xx = record.status is not None and record.status >= 500
    if not is_5xx and not may_be_error_page(record.html):
        return
    page = _scan(record.html)
    text = _exception_text(page)
    if text is None and not is_5xx:
        return
    # Only parse text already known to be MediaWiki's error report: on an unrecognised 5xx body
    # (a proxy's page) the patterns could pick up a random "[word] …" as a request id.
    details = _details(text) if text is not None else _Details()
    request_id = details.request_id or record.mw_config.request_id or ""
    status = "" if record.status is None else str(record.status)
    prefix = f"HTTP {status}" if status else "HTTP status unknown"
    evidence = {
        "status": status,
        "exception_class": details.exception_class,
        "request_id": request_id,
    }
    if details.exception_message:
        evidence["exception_message"] = truncate(details.exception_message)
    if shown := (text if text is not None else page.text):
        evidence["error_text"] = truncate(shown)
    yield Finding(
        detector=NAME,
        message=f"{prefix}: {_describe(details, text)} (request id {request_id or 'unknown'})",
        evidence=evidence,
    )
