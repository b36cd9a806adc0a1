"""`smoke parity` against the local farm (real MediaWiki 1.39 and Extension:ORES): one wiki id
pointed at wikis whose ORES levels differ by configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT


def write_targets(tmp_path: Path, reference: str, target: str) -> Path:
    """Two targets with one wiki, `xwiki`, at the given farm URLs."""
    path = tmp_path / "wikis.yaml"
    path.write_text(
        "targets:\n"
        f'  ref:\n    wikis:\n      - {{id: xwiki, url: "{reference}", ores: []}}\n'
        f'  tgt:\n    wikis:\n      - {{id: xwiki, url: "{target}", ores: []}}\n'
    )
    return path


def parity(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "smoke.cli.main", "parity", "--config", str(config)),
            *("--target", "tgt", "--reference", "ref", *extra),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_target_at_the_extension_defaults_lacks_goodfaith_verylikelybad(
    farm_state: FarmState, tmp_path: Path
) -> None:
    # ruwiki offers every level of both models; enwiki the extension's defaults.
    wikis = farm_state.wikis
    config = write_targets(tmp_path, wikis["ruwiki"].url, wikis["enwiki"].url)
    result = parity(config)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "Tgt cannot show a goodfaith verylikelybad fault on xwiki: ref offers it, tgt does not"
        in result.stdout
    ), result.stdout
    document = parity(config, "--json")
    assert document.returncode == 1
    doc = json.loads(document.stdout)
    assert [(g["model"], g["level"]) for g in doc["gaps"]] == [("goodfaith", "verylikelybad")]
    side = doc["wikis"][0]["target"]
    assert side["mediawiki"].startswith("1.39") and side["levels"]["damaging"]


def test_identical_configurations_cover_each_other(farm_state: FarmState, tmp_path: Path) -> None:
    ruwiki = farm_state.wikis["ruwiki"].url
    result = parity(write_targets(tmp_path, ruwiki, ruwiki))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no gap" in result.stdout


def test_damaging_without_maybebad_is_one_gap(farm_state: FarmState, tmp_path: Path) -> None:
    # frwiki: damaging without maybebad, goodfaith as the defaults.
    wikis = farm_state.wikis
    result = parity(write_targets(tmp_path, wikis["enwiki"].url, wikis["frwiki"].url), "--json")
    assert result.returncode == 1, result.stderr
    gaps = [(g["model"], g["level"]) for g in json.loads(result.stdout)["gaps"]]
    assert gaps == [("damaging", "maybebad")]
