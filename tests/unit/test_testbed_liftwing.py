"""Lift Wing as REL1_43's LiftWingService asks it: paths, bodies, answers, and the fault hook."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from smoke.testbed import liftwing, scoring
from smoke.testbed.liftwing import NOT_FOUND_MESSAGE, LiftWingRequest, Reply


def body(reply: Reply) -> Any:
    return json.loads(reply.body)


@pytest.mark.parametrize(
    "path",
    [
        "/service/lw/inference/v1/models/enwiki-damaging:predict",
        "/v1/models/enwiki-damaging:predict",
    ],
)
def test_parse_a_model_request(path: str) -> None:
    request = liftwing.parse(path, b'{"rev_id": 12}')
    assert request == LiftWingRequest("enwiki", "damaging", 12)
    assert liftwing.is_liftwing_path(path)


def test_parse_revert_risk_and_bad_bodies() -> None:
    path = "/service/lw/inference/v1/models/revertrisk-language-agnostic:predict"
    assert liftwing.parse(path, b'{"rev_id": 5, "lang": "ru"}') == LiftWingRequest(
        "", liftwing.REVERTRISK, 5, "ru"
    )
    model = "/v1/models/ruwiki-goodfaith:predict"
    assert liftwing.parse(model, b"not json") == LiftWingRequest("ruwiki", "goodfaith", None)
    assert liftwing.parse(model, b'{"rev_id": "5"}') == LiftWingRequest("ruwiki", "goodfaith", None)
    assert liftwing.parse(model, b'{"rev_id": true}') == LiftWingRequest(
        "ruwiki", "goodfaith", None
    )
    assert liftwing.parse("/v3/scores/enwiki/", b"") is None
    assert liftwing.parse("/v1/models/enwiki-damaging", b"") is None


def test_healthy_answer_is_what_the_extension_reads() -> None:
    """ScoreFetcher reads {wiki}.scores.{rev}.{model}.score.probability, {wiki}.models.version."""
    reply = liftwing.healthy_reply(LiftWingRequest("frwiki", "damaging", 19))
    assert reply.status == 200 and not reply.drop
    data = body(reply)
    assert list(data) == ["frwiki"]
    assert data["frwiki"]["models"] == {"damaging": {"version": scoring.MODEL_VERSIONS["damaging"]}}
    assert data["frwiki"]["scores"] == {"19": {"damaging": scoring.score("damaging", 19)}}
    probability = data["frwiki"]["scores"]["19"]["damaging"]["score"]["probability"]
    assert probability["true"] == scoring.probability("damaging", 19)


def test_errors_the_extension_knows() -> None:
    missing = liftwing.healthy_reply(LiftWingRequest("enwiki", "damaging", None))
    assert missing.status == 400 and body(missing)["error"].startswith(NOT_FOUND_MESSAGE)
    unknown = liftwing.healthy_reply(LiftWingRequest("enwiki", "articlequality", 3))
    assert unknown.status == 404


def test_revert_risk_answer() -> None:
    reply = liftwing.healthy_reply(LiftWingRequest("", liftwing.REVERTRISK, 5, "ru"))
    data = body(reply)
    assert data["wiki_db"] == "ruwiki" and data["revision_id"] == 5
    assert data["output"]["probabilities"]["true"] == scoring.probability("damaging", 5)
    assert isinstance(data["output"]["prediction"], bool)


@pytest.fixture
def a_fault() -> Iterator[None]:
    def refuse(request: LiftWingRequest, options: Mapping[str, Any]) -> Reply:
        return Reply(int(options.get("status", 503)), b"<html>down</html>")

    liftwing.FAULT_REPLIES["test-fault"] = refuse
    yield
    del liftwing.FAULT_REPLIES["test-fault"]


@pytest.mark.usefixtures("a_fault")
def test_a_fault_replaces_the_healthy_reply() -> None:
    request = LiftWingRequest("enwiki", "damaging", 4)
    assert liftwing.reply(request, {}).status == 200
    assert liftwing.reply(request, {"js-error": {}}).status == 200  # not a Lift Wing fault
    faulty = liftwing.reply(request, {"test-fault": {"status": 502}})
    assert faulty == Reply(502, b"<html>down</html>")
