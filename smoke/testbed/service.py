"""The farm's scoring service: the ORES v3 API and Lift Wing, as Extension:ORES asks them.

Lift Wing (REL1_43's ``$wgOresUseLiftwing``, the 1.43 farm): ``POST
…/v1/models/<wiki>-<model>:predict`` with ``{"rev_id": N}``, one request per revision and model;
see :mod:`smoke.testbed.liftwing`
(shapes, and the fault hook :data:`smoke.testbed.liftwing.FAULT_REPLIES`).

ORES v3 (the 2022 extension, the 1.39 farm):

``GET /v3/scores/<wiki>/`` answers, in the shapes of ORES v3:

- no ``models``/``revids``/``model_info``: the model list, ``{wiki: {models: {m: {version}}}}``
  (PopulatedSqlModelLookup fills ``ores_model`` from it);
- ``models=a|b&model_info=statistics.thresholds.true."<formula>"|…``: per model and class, one
  threshold object per requested formula, in request order (ThresholdLookup);
- ``models=a|b&revids=1|2``: ``{wiki: {models: {m: {version}}, scores: {rev: {m: {score}}}}}``
  (ScoreFetcher, run by the ORESFetchScoreJob after each edit).

Thresholds and scores come from :mod:`smoke.testbed.scoring`. The wiki's ``faults.json`` is read
per request: ``null-threshold-crash``/``null-threshold-silent`` make every threshold ``null``
(what ORES answered on 2017-11-20), ``level-null`` only the formulas of the levels it names, and
``service-500`` makes every request of that wiki fail with HTTP 500.

Run: ``python -m smoke.testbed.service --port 8480 --state-dir DIR``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from smoke.testbed import liftwing, scoring
from smoke.testbed.wikis import level_formulas

NULL_FAULTS = ("null-threshold-crash", "null-threshold-silent")
LEVEL_NULL = "level-null"
SERVICE_500 = "service-500"

_MODEL_INFO = re.compile(r'^statistics\.thresholds\.(true|false)\."(.+)"$')
_SCORES_PATH = re.compile(r"^/v3/scores/([a-z0-9_]+)/?$")

NullSet = frozenset[tuple[str, str, str]]  # (model, class, formula) answered with null


def _split(query: Mapping[str, list[str]], key: str) -> list[str]:
    return [item for item in "|".join(query.get(key, [])).split("|") if item]


def thresholds_answer(
    models: Iterable[str], model_info: Iterable[str], *, all_null: bool, nulls: NullSet
) -> dict[str, Any]:
    """``{model: {statistics: {thresholds: {class: [...]}}}}`` for the requested formulas.

    Entries keep the request order within each class; only the requested classes appear.
    A formula that cannot be met or parsed, or that a fault nulls, is ``null``.
    """
    requested = [m.groups() for m in map(_MODEL_INFO.match, model_info) if m]
    out: dict[str, Any] = {}
    for model in models:
        by_class: dict[str, list[dict[str, float] | None]] = {}
        for cls, formula in requested:
            entry = None
            if not all_null and (model, cls, formula) not in nulls:
                entry = scoring.threshold(model, cls, formula)
            by_class.setdefault(cls, []).append(entry)
        out[model] = {"statistics": {"thresholds": by_class}}
    return out


def scores_answer(models: Iterable[str], revids: Iterable[str]) -> dict[str, Any]:
    """``{rev: {model: score}}``; a revision id that is not a number gets an error per model."""
    out: dict[str, Any] = {}
    for rev in revids:
        if not rev.isdigit():
            out[rev] = {m: {"error": {"type": "RevisionNotFound", "message": rev}} for m in models}
            continue
        out[rev] = {model: scoring.score(model, int(rev)) for model in models}
    return out


def answer(wiki: str, query: Mapping[str, list[str]], faults: Mapping[str, Any]) -> dict[str, Any]:
    """The body for one ``/v3/scores/<wiki>/`` request (pure, unit-tested)."""
    models = _split(query, "models")
    model_info = _split(query, "model_info")
    revids = _split(query, "revids")
    if not models:
        models = list(scoring.MODEL_VERSIONS)
    body: dict[str, Any] = {}
    if model_info:
        body["models"] = thresholds_answer(
            models,
            model_info,
            all_null=any(name in faults for name in NULL_FAULTS),
            nulls=level_nulls(faults),
        )
    else:
        body["models"] = {
            m: {"version": scoring.MODEL_VERSIONS[m]} for m in models if m in scoring.MODEL_VERSIONS
        }
    if revids:
        body["scores"] = scores_answer(models, revids)
    return {wiki: body}


def level_nulls(faults: Mapping[str, Any]) -> NullSet:
    """The (model, class, formula) triples the ``level-null`` fault answers with null."""
    options = faults.get(LEVEL_NULL)
    levels = options.get("levels", []) if isinstance(options, dict) else []
    nulls: set[tuple[str, str, str]] = set()
    for pair in levels:
        try:
            model, level = pair
            nulls.update((model, cls, formula) for cls, formula in level_formulas(model, level))
        except (KeyError, TypeError, ValueError):
            continue  # a garbled entry nulls nothing
    return frozenset(nulls)


def read_faults(state_dir: Path, wiki: str) -> dict[str, Any]:
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
            faults = read_faults(state_dir, wiki)
            if SERVICE_500 in faults:
                message = f"smoke fault {SERVICE_500}: the scoring service fails for {wiki}"
                self._send(500, {"error": {"code": "internal error", "message": message}})
                return
            self._send(200, answer(wiki, parse_qs(parts.query), faults))

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1 << 20)) if length > 0 else b""
            request = liftwing.parse(path, body)
            if request is None:
                self._send(404, {"error": f"no Lift Wing model at {path}"})
                return
            wiki = request.wiki or f"{request.lang or 'en'}wiki"
            faults = read_faults(state_dir, wiki)
            if SERVICE_500 in faults:
                message = f"smoke fault {SERVICE_500}: Lift Wing fails for {wiki}"
                self._send(500, {"error": message})
                return
            answer_ = liftwing.reply(request, faults)
            if answer_.drop:
                self.close_connection = True
                return  # nothing sent: the extension's HTTP client sees the connection close
            self._send_bytes(answer_.status, answer_.body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            self._send_bytes(status, json.dumps(body).encode())

        def _send_bytes(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            # One line per request in logs/service.log: what the extension asked, and when.
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} {format % args}\n")

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.state_dir))
    server.serve_forever()


if __name__ == "__main__":
    main()
