"""The farm's scoring service: formulas, thresholds and scores (scoring.py), the ORES v3 answers
Extension:ORES asks for (model list, thresholds by formula, scores by revision), the faults that
null thresholds or fail the service, and the HTTP handler around it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from smoke.testbed import scoring
from smoke.testbed.service import NULL_FAULTS, answer, level_nulls, make_handler
from smoke.testbed.wikis import LEVEL_BOUNDS, ORES_LEVELS, ORES_MODELS, level_formulas


def info(cls: str, formula: str) -> str:
    return f'statistics.thresholds.{cls}."{formula}"'


def query(**params: str) -> dict[str, list[str]]:
    return {key: [value] for key, value in params.items()}


# What ThresholdLookup asks for damaging with the extension's defaults, in its order.
DAMAGING_REQUEST = [
    info("false", "maximum recall @ precision >= 0.995"),
    info("true", "maximum filter_rate @ recall >= 0.9"),
    info("true", "maximum recall @ precision >= 0.6"),
    info("true", "maximum recall @ precision >= 0.9"),
]


def band(model: str, level: str) -> tuple[float, float]:
    """A level's [min, max] score range, derived from the service as the extension derives it."""
    bounds = []
    for bound, value in LEVEL_BOUNDS[model][level].items():
        if not isinstance(value, str):
            bounds.append(float(value))
            continue
        entry = scoring.threshold(model, "true" if bound == "min" else "false", value)
        assert entry is not None, (model, level)
        bounds.append(entry["threshold"] if bound == "min" else 1 - entry["threshold"])
    return bounds[0], bounds[1]


# --- formulas -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("maximum recall @ precision >= 0.9", ("maximum", "recall", "precision", ">=", 0.9)),
        ("maximum filter_rate @ recall >= 0.9", ("maximum", "filter_rate", "recall", ">=", 0.9)),
        ("minimum fpr @ !recall > .5", ("minimum", "fpr", "!recall", ">", 0.5)),
        ("  maximum   precision@recall<=0.25 ", ("maximum", "precision", "recall", "<=", 0.25)),
    ],
)
def test_parse_formula(text: str, parsed: tuple[str, str, str, str, float]) -> None:
    formula = scoring.parse_formula(text)
    assert formula is not None
    assert (formula.optimise, formula.target, formula.constraint, formula.op, formula.value) == (
        parsed
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "maximum recall",
        "best recall @ precision >= 0.9",  # neither maximum nor minimum
        "maximum recall @ loudness >= 0.9",  # no such statistic
        "maximum recall @ precision == 0.9",  # no such operator
        "maximum recall @ precision >= high",
    ],
)
def test_parse_formula_rejects(text: str) -> None:
    assert scoring.parse_formula(text) is None
    assert scoring.threshold("damaging", "true", text) is None


def test_threshold_object_is_deterministic_and_consistent() -> None:
    entry = scoring.threshold("damaging", "true", "maximum recall @ precision >= 0.9")
    assert entry is not None
    assert entry == scoring.threshold("damaging", "true", "maximum recall @ precision >= 0.9")
    assert set(entry) == {"threshold", *scoring.STATISTICS}
    assert entry["precision"] >= 0.9  # the constraint holds ...
    assert 0 < entry["threshold"] < 1
    assert entry["filter_rate"] + entry["match_rate"] == pytest.approx(1, abs=0.002)
    json.dumps(entry)


def test_stricter_precision_gives_a_higher_threshold() -> None:
    values = [
        scoring.threshold("damaging", "true", f"maximum recall @ precision >= {p}")
        for p in (0.3, 0.6, 0.9, 0.99)
    ]
    thresholds = [v["threshold"] for v in values if v is not None]
    assert len(thresholds) == 4 and thresholds == sorted(thresholds) and len(set(thresholds)) == 4


def test_a_formula_that_cannot_be_met_is_null() -> None:
    """What ORES answered on 2017-11-20 for thresholds it could not meet."""
    assert scoring.threshold("damaging", "true", "maximum recall @ precision >= 1.0") is None
    assert scoring.threshold("goodfaith", "false", "maximum filter_rate @ recall > 1") is None


def test_every_configured_level_gets_a_threshold_and_bad_levels_nest() -> None:
    """maybebad ⊃ likelybad ⊃ verylikelybad, as the extension marks them (setAsSupersetOf)."""
    for model in ORES_MODELS:
        bands = [band(model, level) for level in ORES_LEVELS]
        likelygood, maybebad, likelybad, verylikelybad = bands
        for wider, narrower in ((maybebad, likelybad), (likelybad, verylikelybad)):
            assert wider[0] <= narrower[0] and narrower[1] <= wider[1], (model, bands)
            assert wider != narrower, (model, bands)
        assert likelygood != maybebad


def test_seven_consecutive_revisions_cover_every_level_of_both_models() -> None:
    """Pages at every score level: any run of seven revisions has a row in every band."""
    for model in ORES_MODELS:
        for level in ORES_LEVELS:
            low, high = band(model, level)
            scores = [scoring.probability(model, rev) or 0.0 for rev in range(100, 107)]
            assert any(low <= p <= high for p in scores), (model, level, (low, high), scores)


def test_scores_follow_the_revision_id() -> None:
    for rev in (2, 9, 16, 1234567):
        damaging, goodfaith = scoring.SCORE_CYCLE[rev % len(scoring.SCORE_CYCLE)]
        assert scoring.score("damaging", rev) == {
            "score": {
                "prediction": damaging >= 0.5,
                "probability": {"false": round(1 - damaging, 3), "true": damaging},
            }
        }
        assert scoring.probability("goodfaith", rev) == goodfaith
    assert "error" in scoring.score("reverted", 5)


# --- the v3 answers -----------------------------------------------------------------------------


def test_model_list() -> None:
    """PopulatedSqlModelLookup: GET /v3/scores/<wiki>/?format=json fills ores_model."""
    assert answer("enwiki", query(format="json"), {}) == {
        "enwiki": {"models": {m: {"version": v} for m, v in scoring.MODEL_VERSIONS.items()}}
    }


def test_thresholds_shape_and_order() -> None:
    body = answer("ruwiki", query(models="damaging", model_info="|".join(DAMAGING_REQUEST)), {})
    thresholds = body["ruwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    assert list(thresholds) == ["false", "true"]  # only the requested classes
    formulas = [
        "maximum filter_rate @ recall >= 0.9",
        "maximum recall @ precision >= 0.6",
        "maximum recall @ precision >= 0.9",
    ]
    assert thresholds["true"] == [scoring.threshold("damaging", "true", f) for f in formulas]
    assert thresholds["false"] == [
        scoring.threshold("damaging", "false", "maximum recall @ precision >= 0.995")
    ]
    backward = answer(
        "ruwiki", query(models="damaging", model_info="|".join(DAMAGING_REQUEST[::-1])), {}
    )
    reordered = backward["ruwiki"]["models"]["damaging"]["statistics"]["thresholds"]["true"]
    assert reordered == thresholds["true"][::-1]


def test_thresholds_for_two_models_and_unparseable_model_info() -> None:
    request = ["version", 'statistics.thresholds.maybe."x"', DAMAGING_REQUEST[2]]
    body = answer("frwiki", query(models="damaging|goodfaith", model_info="|".join(request)), {})
    models = body["frwiki"]["models"]
    assert set(models) == {"damaging", "goodfaith"}
    for model in ("damaging", "goodfaith"):
        entries = models[model]["statistics"]["thresholds"]
        assert list(entries) == ["true"] and len(entries["true"]) == 1


def test_scores_by_revision() -> None:
    """ScoreFetcher (the ORESFetchScoreJob): ?models=damaging|goodfaith&revids=…&precache=1."""
    body = answer("enwiki", query(models="damaging|goodfaith", revids="12|13", precache="1"), {})[
        "enwiki"
    ]
    assert body["models"] == {m: {"version": v} for m, v in scoring.MODEL_VERSIONS.items()}
    assert body["scores"] == {
        rev: {m: scoring.score(m, int(rev)) for m in ("damaging", "goodfaith")}
        for rev in ("12", "13")
    }
    bad = answer("enwiki", query(models="damaging", revids="abc"), {})["enwiki"]["scores"]
    assert bad["abc"]["damaging"]["error"]["type"] == "RevisionNotFound"


@pytest.mark.parametrize("fault", NULL_FAULTS)
def test_null_faults_null_every_threshold(fault: str) -> None:
    body = answer(
        "frwiki", query(models="damaging", model_info="|".join(DAMAGING_REQUEST)), {fault: {}}
    )
    thresholds = body["frwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    assert thresholds == {"false": [None], "true": [None, None, None]}
    # Scores and the model list are not thresholds: unaffected.
    assert answer("frwiki", query(revids="3"), {fault: {}})["frwiki"]["scores"]["3"]


def test_level_null_nulls_only_that_levels_formula() -> None:
    faults = {"level-null": {"levels": [["damaging", "likelybad"]]}}
    assert level_nulls(faults) == {
        ("damaging", cls, formula) for cls, formula in level_formulas("damaging", "likelybad")
    }
    body = answer("ruwiki", query(models="damaging", model_info="|".join(DAMAGING_REQUEST)), faults)
    thresholds = body["ruwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    healthy = answer("ruwiki", query(models="damaging", model_info="|".join(DAMAGING_REQUEST)), {})
    expected = healthy["ruwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    expected["true"][1] = None  # "maximum recall @ precision >= 0.6": likelybad's formula
    assert thresholds == expected
    # The same formula of the other model stays.
    goodfaith = answer("ruwiki", query(models="goodfaith", model_info=DAMAGING_REQUEST[2]), faults)
    assert goodfaith["ruwiki"]["models"]["goodfaith"]["statistics"]["thresholds"]["true"] != [None]


@pytest.mark.parametrize(
    "options",
    [{"levels": [["damaging"]]}, {"levels": [["nomodel", "likelybad"]]}, {"levels": "x"}, "x"],
)
def test_level_null_garbled_options_null_nothing(options: Any) -> None:
    assert level_nulls({"level-null": options}) == frozenset()


# --- the HTTP handler ---------------------------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def scores_url(base: str, wiki: str, **params: str) -> str:
    return f"{base}/v3/scores/{wiki}/?{urlencode({**params, 'format': 'json'})}"


def set_faults(state_dir: Path, wiki: str, content: str) -> None:
    wiki_dir = state_dir / "wikis" / wiki
    wiki_dir.mkdir(parents=True, exist_ok=True)
    (wiki_dir / "faults.json").write_text(content, encoding="utf-8")


def test_http_health_and_unknown_path(service: tuple[str, Path]) -> None:
    base, _ = service
    assert get(base + "/health") == (200, {"service": "smoke scoring service", "ok": True})
    status, body = get(base + "/v2/whatever")
    assert status == 404 and body["error"]["code"] == "not found"


def test_http_answers_what_the_extension_asks(service: tuple[str, Path]) -> None:
    """The three request shapes of Extension:ORES, as they arrive (wfAppendQuery encoding)."""
    base, _ = service
    model_info = "|".join(DAMAGING_REQUEST)
    for params in (
        {},
        {"models": "damaging", "model_info": model_info},
        {"models": "damaging|goodfaith", "revids": "7", "precache": "1"},
    ):
        status, body = get(scores_url(base, "enwiki", **params))
        expected = answer("enwiki", {k: [v] for k, v in params.items()}, {})
        assert (status, body) == (200, expected)


def test_http_faults_are_read_per_request(service: tuple[str, Path]) -> None:
    base, state_dir = service
    url = scores_url(base, "ruwiki", models="damaging", model_info="|".join(DAMAGING_REQUEST))
    set_faults(state_dir, "ruwiki", json.dumps({"null-threshold-silent": {}}))
    _, nulled = get(url)
    assert nulled["ruwiki"]["models"]["damaging"]["statistics"]["thresholds"]["true"] == [
        None, None, None,
    ]  # fmt: skip
    # Another wiki of the same service is unaffected.
    _, other = get(scores_url(base, "frwiki", models="damaging", model_info=DAMAGING_REQUEST[1]))
    assert other["frwiki"]["models"]["damaging"]["statistics"]["thresholds"]["true"] != [None]
    set_faults(state_dir, "ruwiki", json.dumps({"js-error": {}}))
    assert get(url)[1] != nulled


def test_http_service_500(service: tuple[str, Path]) -> None:
    """service-500: every request of that wiki fails (the extension sees !$status->isOK())."""
    base, state_dir = service
    set_faults(state_dir, "frwiki", json.dumps({"service-500": {}}))
    for params in ({}, {"models": "damaging", "model_info": DAMAGING_REQUEST[0]}, {"revids": "3"}):
        status, body = get(scores_url(base, "frwiki", **params))
        assert status == 500 and "service-500" in body["error"]["message"]
    assert get(scores_url(base, "enwiki"))[0] == 200
    set_faults(state_dir, "frwiki", "{}")
    assert get(scores_url(base, "frwiki"))[0] == 200


@pytest.mark.parametrize("content", ["{broken", '["service-500"]', ""])
def test_http_garbled_faults_file_means_no_faults(service: tuple[str, Path], content: str) -> None:
    base, state_dir = service
    set_faults(state_dir, "enwiki", content)
    url = scores_url(base, "enwiki", models="damaging", model_info=DAMAGING_REQUEST[0])
    status, body = get(url)
    assert status == 200
    assert body == answer(
        "enwiki", {"models": ["damaging"], "model_info": [DAMAGING_REQUEST[0]]}, {}
    )
