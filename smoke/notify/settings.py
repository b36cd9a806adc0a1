"""Where a run's metrics and alerts go (``--metrics``, ``--pushgateway``, ``--alertmanager``,
``--report-url``), and the checks of what users type there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from smoke.model.values import BadValue

RUN_HOLD_S = 26 * 3600.0  # a run's firing alerts last until the next nightly run, plus slack
WATCH_HOLD_MIN_S = 300.0  # a watch's firing alerts: at least this, else four rounds
TIMEOUT_S = 5.0  # per request: a slow Alertmanager must not hold the end of a run


@dataclass(frozen=True)
class NotifySettings:
    metrics_file: Path | None = None
    pushgateway: str | None = None
    alertmanager: str | None = None
    report_url: str | None = None  # "{run_id}" is replaced by the run's id
    timeout_s: float = TIMEOUT_S

    @property
    def active(self) -> bool:
        return bool(self.metrics_file or self.pushgateway or self.alertmanager)

    def report_link(self, run_dir: Path) -> str:
        if self.report_url:
            return self.report_url.replace("{run_id}", run_dir.name)
        return (run_dir.resolve() / "summary.md").as_uri()


def parse_http_url(text: str) -> str:
    """An http(s) URL with a host (user:password@ allowed; it is never printed)."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadValue(f"{shown_url(text)!r} is not an http:// or https:// URL with a host")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        raise BadValue(f"{shown_url(text)!r}: {exc}") from None
    return text.strip()


def parse_report_url(text: str) -> str:
    """A report link template: an http(s) URL, ``{run_id}`` standing for the run's id."""
    parse_http_url(text.replace("{run_id}", "RUN"))
    return text.strip()


def parse_metrics_file(text: str) -> Path:
    """A textfile path whose directory exists (node_exporter's textfile directory)."""
    path = Path(text).expanduser()
    if not text or path.is_dir():
        raise BadValue(f"{text!r} is a directory, not a file to write metrics to (e.g. smoke.prom)")
    if not path.parent.is_dir():
        raise BadValue(f"the directory of {text!r} does not exist")
    if path.suffix != ".prom":
        raise BadValue(f"{text!r}: node_exporter reads only files ending in .prom")
    return path


def shown_url(url: str) -> str:
    """The URL as it may be printed: no user, password, query or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparsable URL>"
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))
