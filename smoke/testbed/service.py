"""A small local scoring service answering the ORES v3 threshold request shape.

``GET /v3/scores/<wiki>/?models=damaging&model_info=statistics.thresholds.true."<stat>"|...``
answers ``{<wiki>: {"models": {<model>: {"statistics": {"thresholds": {"true": [...],
"false": [...]}}}}}}`` with one entry per requested statistic, in request order per class.

When the wiki's ``faults.json`` has ``null-threshold-crash`` or ``null-threshold-silent``, every
entry is ``null`` — what ORES answered on 2017-11-20 for thresholds it could not meet.

Run: ``python -m smoke.testbed.service --port 8480 --state-dir DIR``.
"""

from __future__ import annotations

import argparse
import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

NULL_FAULTS = ("null-threshold-crash", "null-threshold-silent")

# (model, class, statistic) -> threshold. Chosen so that the score rule of the extension
# (damaging % = rev_id * 37 mod 100) puts seeded revisions in every level.
THRESHOLDS: dict[tuple[str, str, str], float] = {
    ("damaging", "false", "maximum recall @ precision >= 0.995"): 0.70,
    ("damaging", "true", "maximum filter_rate @ recall >= 0.9"): 0.16,
    ("damaging", "true", "maximum recall @ precision >= 0.6"): 0.60,
    ("damaging", "true", "maximum recall @ precision >= 0.9"): 0.90,
    ("goodfaith", "true", "maximum recall @ precision >= 0.995"): 0.65,
    ("goodfaith", "false", "maximum filter_rate @ recall >= 0.9"): 0.18,
    ("goodfaith", "false", "maximum recall @ precision >= 0.6"): 0.65,
    ("goodfaith", "false", "maximum recall @ precision >= 0.9"): 0.85,
}

_MODEL_INFO = re.compile(r'^statistics\.thresholds\.(true|false)\."(.+)"$')
_SCORES_PATH = re.compile(r"^/v3/scores/([a-z0-9_]+)/?$")


def answer(wiki: str, models: list[str], model_info: list[str], nulls: bool) -> dict[str, Any]:
    """The response body for one threshold request (pure, unit-tested)."""
    out: dict[str, Any] = {}
    for model in models:
        by_class: dict[str, list[dict[str, float] | None]] = {"true": [], "false": []}
        for item in model_info:
            match = _MODEL_INFO.match(item)
            if not match:
                continue
            cls, stat = match.groups()
            value = THRESHOLDS.get((model, cls, stat))
            by_class[cls].append(None if nulls or value is None else {"threshold": value})
        out[model] = {"statistics": {"thresholds": by_class}}
    return {wiki: {"models": out}}


def _faults(state_dir: Path, wiki: str) -> dict[str, Any]:
    try:
        data = json.loads((state_dir / "wikis" / wiki / "faults.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def make_handler(state_dir: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path in ("/", "/health"):
                self._send(200, {"service": "smoke scoring service", "ok": True})
                return
            match = _SCORES_PATH.match(parts.path)
            if not match:
                self._send(404, {"error": {"code": "not found", "message": parts.path}})
                return
            wiki = match.group(1)
            query = parse_qs(parts.query)
            models = "|".join(query.get("models", [""])).split("|")
            model_info = "|".join(query.get("model_info", [""])).split("|")
            nulls = any(name in _faults(state_dir, wiki) for name in NULL_FAULTS)
            self._send(200, answer(wiki, [m for m in models if m], model_info, nulls))

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the farm runs it in the background

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.state_dir))
    server.serve_forever()


if __name__ == "__main__":
    main()
