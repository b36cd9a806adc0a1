"""Lift Wing as Extension:ORES REL1_43 asks it (``includes/LiftWingService.php``), pure.

The extension sends one request per revision and model::

    POST {$wgOresLiftWingBaseUrl}v1/models/{wiki}-{model}:predict      {"rev_id": N}

(``$wgOresLiftWingBaseUrl`` is ``…/service/lw/inference/`` in production; the farm's service
answers under that prefix and without it) and takes the answer in the revscoring shape of ORES v3,
keyed by the wiki id::

    {wiki: {"models": {model: {"version": V}},
            "scores": {"N": {model: {"score": {"prediction": bool,
                                               "probability": {"true": p, "false": 1 - p}}}}}}}

A body that does not decode, or holds a non-empty ``error``, makes the extension throw "Bad
response from Lift Wing endpoint"; any HTTP status but 200 throws "Failed to make LiftWing
request" (after one retry on 504); a 400 whose ``error`` starts with "The MW API does not have any
info related to the rev-id" becomes a RevisionNotFound score error. The score job
(ORESFetchScoreJob) then fails and the revision stays unscored.

``revertrisklanguageagnostic`` is asked at ``v1/models/revertrisk-language-agnostic:predict``
with ``{"rev_id": N, "lang": "en"}`` and answers a flat object (``model_version``, ``wiki_db``,
``revision_id``, ``output.prediction``, ``output.probabilities``) that the extension reshapes.

Faults: :data:`FAULT_REPLIES` maps a fault name (a key of the wiki's ``faults.json``) to a function
giving the :class:`Reply` that replaces the healthy one: ``liftwing-500`` and ``liftwing-bad-body``
(their catalogue entries are in :mod:`smoke.testbed.faults`); ``service-500`` is handled by the
service itself for both APIs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smoke.testbed import scoring

# The prefix production's base URL carries; the service answers with and without it.
PREFIX = "/service/lw/inference"
REVERTRISK = "revertrisklanguageagnostic"
REVERTRISK_PATH_MODEL = "revertrisk-language-agnostic"
REVERTRISK_VERSION = "3"
NOT_FOUND_MESSAGE = "The MW API does not have any info related to the rev-id"

_PATH = re.compile(r"^(?:/service/lw/inference)?/v1/models/([a-z0-9_]+?)-([a-z_-]+):predict$")
_REVERTRISK_PATH = re.compile(
    r"^(?:/service/lw/inference)?/v1/models/revertrisk-language-agnostic:predict$"
)


@dataclass(frozen=True)
class LiftWingRequest:
    """One parsed ``:predict`` request. ``wiki`` is "" for revert risk (it sends a language)."""

    wiki: str
    model: str
    rev_id: int | None  # None: the body had no integer rev_id
    lang: str | None = None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes  # sent as is: a fault may send something that is not JSON
    drop: bool = False  # close the connection without answering (a refusing endpoint)

    @classmethod
    def json(cls, status: int, data: Any) -> Reply:
        return cls(status, json.dumps(data).encode())


FaultReply = Callable[[LiftWingRequest, Mapping[str, Any]], Reply]

# What a proxy in front of an unhealthy model server answers: a page, not JSON.
BAD_BODY = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>Service Unavailable</h1><p>upstream connect error or disconnect/reset before headers"
    b"</p></body></html>"
)


def _answers_500(request: LiftWingRequest, _options: Mapping[str, Any]) -> Reply:
    message = f"smoke fault liftwing-500: {request.wiki}-{request.model} failed"
    return Reply.json(500, {"error": message})


def _bad_body(_request: LiftWingRequest, _options: Mapping[str, Any]) -> Reply:
    return Reply(200, BAD_BODY)  # HTTP 200, but no JSON: "Bad response from Lift Wing endpoint"


# fault name -> the reply it gives instead of the healthy one (its options are the second
# argument); the faults' catalogue entries are in smoke.testbed.faults (`liftwing-refused` is
# not here: the wiki's base URL then points where nothing listens).
FAULT_REPLIES: dict[str, FaultReply] = {
    "liftwing-500": _answers_500,
    "liftwing-bad-body": _bad_body,
}


def is_liftwing_path(path: str) -> bool:
    return bool(_PATH.match(path) or _REVERTRISK_PATH.match(path))


def parse(path: str, body: bytes) -> LiftWingRequest | None:
    """The request a ``POST`` to ``path`` makes; None when the path is no Lift Wing model."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = {}
    raw = data.get("rev_id") if isinstance(data, dict) else None
    rev_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if _REVERTRISK_PATH.match(path):
        lang = data.get("lang") if isinstance(data, dict) else None
        return LiftWingRequest("", REVERTRISK, rev_id, lang if isinstance(lang, str) else None)
    match = _PATH.match(path)
    if not match:
        return None
    return LiftWingRequest(match.group(1), match.group(2), rev_id)


def healthy_reply(request: LiftWingRequest) -> Reply:
    """What Lift Wing answers when all is well (deterministic scores from :mod:`scoring`)."""
    if request.rev_id is None or request.rev_id <= 0:
        return Reply.json(400, {"error": f"{NOT_FOUND_MESSAGE} {request.rev_id}"})
    if request.model == REVERTRISK:
        return _revertrisk(request)
    if request.model not in scoring.MODEL_VERSIONS:
        return Reply.json(404, {"error": f"Model {request.wiki}-{request.model} not found"})
    rev = str(request.rev_id)
    return Reply.json(
        200,
        {
            request.wiki: {
                "models": {request.model: {"version": scoring.MODEL_VERSIONS[request.model]}},
                "scores": {rev: {request.model: scoring.score(request.model, request.rev_id)}},
            }
        },
    )


def _revertrisk(request: LiftWingRequest) -> Reply:
    assert request.rev_id is not None
    # The farm's revert risk follows its damaging score (a revert is likelier when damaging).
    p = scoring.probability("damaging", request.rev_id) or 0.0
    return Reply.json(
        200,
        {
            "model_name": REVERTRISK_PATH_MODEL,
            "model_version": REVERTRISK_VERSION,
            "wiki_db": f"{request.lang or 'en'}wiki",
            "revision_id": request.rev_id,
            "output": {
                "prediction": p >= 0.5,
                "probabilities": {"true": p, "false": round(1 - p, 3)},
            },
        },
    )


def reply(request: LiftWingRequest, faults: Mapping[str, Any]) -> Reply:
    """The reply to one request under the wiki's faults: the first fault with a reply, else
    the healthy one."""
    for name, options in faults.items():
        replier = FAULT_REPLIES.get(name)
        if replier is not None:
            return replier(request, options if isinstance(options, Mapping) else {})
    return healthy_reply(request)
