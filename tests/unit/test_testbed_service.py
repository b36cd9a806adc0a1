"""The local scoring service: answer()'s shape, order and nulls, and the HTTP handler around it."""

from __future__ import annotations

import itertools
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from smoke.testbed.service import NULL_FAULTS, THRESHOLDS, answer, make_handler

THRESHOLDS_PHP = (
    Path(__file__).resolve().parents[2]
    / "smoke"
    / "testbed"
    / "assets"
    / "SmokeOres"
    / "includes"
    / "Thresholds.php"
)


def info(cls: str, stat: str) -> str:
    return f'statistics.thresholds.{cls}."{stat}"'


def php_levels() -> dict[str, list[tuple[str, str, str, str]]]:
    """Thresholds::LEVELS of the PHP extension: model -> [(level, class, statistic, bound)]."""
    text = THRESHOLDS_PHP.read_text(encoding="utf-8")
    levels: dict[str, list[tuple[str, str, str, str]]] = {}
    for model, body in re.findall(r"'(damaging|goodfaith)' => \[(.*?)\n\t\t\],", text, re.S):
        levels[model] = re.findall(r"'(\w+)' => \[ '(true|false)', '([^']+)', '(min|max)' \]", body)
    return levels


DAMAGING_REQUEST = [
    info("false", "maximum recall @ precision >= 0.995"),
    info("true", "maximum filter_rate @ recall >= 0.9"),
    info("true", "maximum recall @ precision >= 0.6"),
    info("true", "maximum recall @ precision >= 0.9"),
]


def test_answer_shape() -> None:
    body = answer("ruwiki", ["damaging"], DAMAGING_REQUEST, nulls=False)
    assert body == {
        "ruwiki": {
            "models": {
                "damaging": {
                    "statistics": {
                        "thresholds": {
                            "true": [{"threshold": 0.16}, {"threshold": 0.60}, {"threshold": 0.90}],
                            "false": [{"threshold": 0.70}],
                        }
                    }
                }
            }
        }
    }
    json.dumps(body)  # serialisable as is


def test_answer_keeps_request_order_within_each_class() -> None:
    forward = answer("enwiki", ["damaging"], DAMAGING_REQUEST, nulls=False)
    backward = answer("enwiki", ["damaging"], DAMAGING_REQUEST[::-1], nulls=False)
    fwd = forward["enwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    bwd = backward["enwiki"]["models"]["damaging"]["statistics"]["thresholds"]
    assert [e["threshold"] for e in fwd["true"]] == [0.16, 0.60, 0.90]
    assert [e["threshold"] for e in bwd["true"]] == [0.90, 0.60, 0.16]
    assert fwd["false"] == bwd["false"] == [{"threshold": 0.70}]


def test_answer_with_nulls_keeps_positions_but_every_entry_is_null() -> None:
    """What ORES answered on 2017-11-20: the same list, each threshold `null`."""
    body = answer("frwiki", ["damaging", "goodfaith"], DAMAGING_REQUEST, nulls=True)
    for model in ("damaging", "goodfaith"):
        thresholds = body["frwiki"]["models"][model]["statistics"]["thresholds"]
        assert thresholds == {"true": [None, None, None], "false": [None]}


def test_answer_unknown_statistic_or_model_gives_null_in_place() -> None:
    request = [
        info("true", "maximum recall @ precision >= 0.6"),
        info("true", "maximum recall @ precision >= 0.42"),  # not a statistic we know
        info("true", "maximum recall @ precision >= 0.9"),
    ]
    body = answer("enwiki", ["damaging", "reverted"], request, nulls=False)
    models = body["enwiki"]["models"]
    assert models["damaging"]["statistics"]["thresholds"]["true"] == [
        {"threshold": 0.60},
        None,
        {"threshold": 0.90},
    ]
    assert models["reverted"]["statistics"]["thresholds"] == {
        "true": [None, None, None],
        "false": [],
    }


def test_answer_ignores_model_info_it_cannot_parse() -> None:
    request = ["version", 'statistics.thresholds.maybe."x"', "", *DAMAGING_REQUEST[:1]]
    body = answer("enwiki", ["damaging"], request, nulls=False)
    assert body["enwiki"]["models"]["damaging"]["statistics"]["thresholds"] == {
        "true": [],
        "false": [{"threshold": 0.70}],
    }


def test_answer_without_models_is_empty() -> None:
    assert answer("enwiki", [], DAMAGING_REQUEST, nulls=False) == {"enwiki": {"models": {}}}


def test_service_knows_every_statistic_the_extension_asks_for() -> None:
    """The PHP extension reads the answer by position in its LEVELS order; no level may be null."""
    levels = php_levels()
    assert set(levels) == {"damaging", "goodfaith"}
    for model, rows in levels.items():
        assert [row[0] for row in rows] == ["likelygood", "maybebad", "likelybad", "verylikelybad"]
        request = [info(cls, stat) for _level, cls, stat, _bound in rows]
        got = answer("enwiki", [model], request, nulls=False)
        thresholds = got["enwiki"]["models"][model]["statistics"]["thresholds"]
        assert None not in thresholds["true"] + thresholds["false"], model
        assert len(thresholds["true"]) + len(thresholds["false"]) == 4
        assert {(model, cls, stat) for _l, cls, stat, _b in rows} <= set(THRESHOLDS)


def test_thresholds_give_strictly_nested_bad_levels() -> None:
    """maybebad ⊃ likelybad ⊃ verylikelybad, as the score ranges the extension derives."""
    for model, rows in php_levels().items():
        ranges = []
        for _level, cls, stat, bound in rows[1:]:
            value = THRESHOLDS[(model, cls, stat)]
            ranges.append((value, 1.0) if bound == "min" else (0.0, 1 - value))
        for wider, narrower in itertools.pairwise(ranges):
            assert wider[0] <= narrower[0] and narrower[1] <= wider[1], (model, ranges)
            assert wider != narrower, (model, ranges)


# --- the HTTP handler -------------------------------------------------------------------------


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


def scores_url(base: str, wiki: str, models: str, model_info: list[str]) -> str:
    query = urlencode({"models": models, "model_info": "|".join(model_info)})
    return f"{base}/v3/scores/{wiki}/?{query}"


def test_http_health(service: tuple[str, Path]) -> None:
    base, _ = service
    assert get(base + "/health") == (200, {"service": "smoke scoring service", "ok": True})


def test_http_unknown_path_is_404_json(service: tuple[str, Path]) -> None:
    base, _ = service
    status, body = get(base + "/v2/whatever")
    assert status == 404
    assert body["error"]["code"] == "not found"


def test_http_answers_the_ores_v3_request(service: tuple[str, Path]) -> None:
    base, _ = service
    status, body = get(scores_url(base, "enwiki", "damaging", DAMAGING_REQUEST))
    assert status == 200
    assert body == answer("enwiki", ["damaging"], DAMAGING_REQUEST, nulls=False)


@pytest.mark.parametrize("fault", NULL_FAULTS)
def test_http_null_faults_are_read_per_request(service: tuple[str, Path], fault: str) -> None:
    base, state_dir = service
    wiki_dir = state_dir / "wikis" / "ruwiki"
    wiki_dir.mkdir(parents=True)
    url = scores_url(base, "ruwiki", "damaging|goodfaith", DAMAGING_REQUEST)

    (wiki_dir / "faults.json").write_text(json.dumps({fault: {}}), encoding="utf-8")
    _, body = get(url)
    assert body == answer("ruwiki", ["damaging", "goodfaith"], DAMAGING_REQUEST, nulls=True)
    # Another wiki of the same service is unaffected.
    _, other = get(scores_url(base, "frwiki", "damaging", DAMAGING_REQUEST))
    assert other == answer("frwiki", ["damaging"], DAMAGING_REQUEST, nulls=False)

    (wiki_dir / "faults.json").write_text(json.dumps({"js-error": {}}), encoding="utf-8")
    _, body = get(url)
    assert body == answer("ruwiki", ["damaging", "goodfaith"], DAMAGING_REQUEST, nulls=False)


@pytest.mark.parametrize("content", ["{broken", '["null-threshold-crash"]', ""])
def test_http_garbled_faults_file_means_no_faults(service: tuple[str, Path], content: str) -> None:
    base, state_dir = service
    wiki_dir = state_dir / "wikis" / "enwiki"
    wiki_dir.mkdir(parents=True)
    (wiki_dir / "faults.json").write_text(content, encoding="utf-8")
    status, body = get(scores_url(base, "enwiki", "damaging", DAMAGING_REQUEST))
    assert status == 200
    assert body == answer("enwiki", ["damaging"], DAMAGING_REQUEST, nulls=False)
