"""SmokeFarm's ConfigFaults.php: the faults of configuration applied to the ORES globals (PHP CLI,
no MediaWiki)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from smoke.testbed.settings import ASSETS

SCRIPT = ASSETS / "SmokeFarm" / "includes" / "ConfigFaults.php"
PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="no php on PATH")

SETTINGS = {
    "wgOresFiltersThresholds": {
        "damaging": {
            "likelygood": {"min": 0, "max": 0.699},
            "likelybad": {"min": 0.629, "max": 1},
        },
        "goodfaith": {"likelybad": {"min": 0, "max": 0.647}, "verylikelybad": False},
    },
    "wgOresModels": {"damaging": {"enabled": True}, "goodfaith": {"enabled": True}},
    "wgOresLiftWingBaseUrl": "http://127.0.0.1:8480/service/lw/inference/",
}


def apply(tmp_path: Path, faults: dict[str, Any] | str) -> dict[str, Any]:
    """The globals after smokeFarmApplyConfigFaults() with ``faults`` as faults.json."""
    faults_file = tmp_path / "faults.json"
    faults_file.write_text(faults if isinstance(faults, str) else json.dumps(faults))
    code = (
        f"require {json.dumps(str(SCRIPT))};"
        f"foreach (json_decode({json.dumps(json.dumps(SETTINGS))}, true) as $k => $v) "
        "{ $GLOBALS[$k] = $v; }"
        f"smokeFarmApplyConfigFaults({json.dumps(str(faults_file))});"
        "echo json_encode([$wgOresFiltersThresholds, $wgOresModels, $wgOresLiftWingBaseUrl]);"
    )
    assert PHP is not None
    out = subprocess.run([PHP, "-r", code], capture_output=True, text=True, check=True, timeout=30)
    thresholds, models, base = json.loads(out.stdout)
    return {"thresholds": thresholds, "models": models, "base": base}


def test_no_faults_change_nothing(tmp_path: Path) -> None:
    after = apply(tmp_path, {"js-error": {}})
    assert after["thresholds"] == SETTINGS["wgOresFiltersThresholds"]
    assert after["models"] == SETTINGS["wgOresModels"]
    assert after["base"] == SETTINGS["wgOresLiftWingBaseUrl"]


def test_each_configuration_fault(tmp_path: Path) -> None:
    after = apply(
        tmp_path,
        {
            "threshold-off": {"levels": [["damaging", "likelygood"]]},
            "threshold-string": {"levels": [["damaging", "likelybad"], ["goodfaith", "likelybad"]]},
            "model-off": {"models": ["goodfaith"]},
            "liftwing-refused": {},
        },
    )
    damaging = after["thresholds"]["damaging"]
    assert damaging["likelygood"] is False
    # The threshold itself becomes '0,629' (not numeric for PHP); the 0/1 ends stay numbers.
    assert damaging["likelybad"] == {"min": "0,629", "max": 1}
    assert after["thresholds"]["goodfaith"]["likelybad"] == {"min": 0, "max": "0,647"}
    assert after["thresholds"]["goodfaith"]["verylikelybad"] is False
    assert after["models"]["goodfaith"]["enabled"] is False
    assert after["models"]["damaging"]["enabled"] is True
    assert after["base"].startswith("http://127.0.0.1:9/")


def test_a_garbled_faults_file_changes_nothing(tmp_path: Path) -> None:
    after = apply(tmp_path, "{not json")
    assert after["models"] == SETTINGS["wgOresModels"]
