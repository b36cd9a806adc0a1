"""`smoke discover` against the local farm: the site matrix, meta=ores, siteinfo and the ORES
levels each wiki's Special:RecentChanges offers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from smoke.config import build_checks, parse_config
from smoke.testbed.state import FarmState, load_state
from tests.integration.runner_helpers import ROOT


def test_discover_writes_a_valid_target_with_the_farms_ores_levels(
    farm_state: FarmState, tmp_path: Path
) -> None:
    out = tmp_path / "discovered.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "discover",
            "--testbed-dir",
            farm_state.state_dir,
            "--name",
            "farm",
            "--contributions-user",
            "Alice",
            "--output",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    config = parse_config(text, file=str(out))
    wikis = {w.id: w for w in config.target("farm").wikis}
    assert set(wikis) == set(farm_state.wikis)
    for wiki_id, state in farm_state.wikis.items():
        assert wikis[wiki_id].url == state.url
        assert wikis[wiki_id].lang == state.lang
    assert "MediaWiki 1.39" in text
    # The levels written are the farm's configuration (state.json's ores_levels), as the pages
    # offer them: enwiki the extension's defaults, ruwiki every level, frwiki no damaging
    # maybebad, nooreswiki nothing ([]).
    written = {w["id"]: w["ores"] for w in yaml.safe_load(text)["targets"]["farm"]["wikis"]}
    for wiki_id, state in load_state(Path(farm_state.state_dir)).wikis.items():
        expected = {m: list(levels) for m, levels in state.ores_levels.items() if levels}
        assert written[wiki_id] == (expected or []), wiki_id
    # The section is usable as it is: it expands to checks, ORES variants skipped where no ORES.
    checks = build_checks(config, "farm", environ={})
    noores = [c for c in checks if c.wiki == "nooreswiki" and c.variant == "damaging=likelybad"]
    assert noores and all(c.skip_reason for c in noores)
    # A healthy snapshot becomes the expectation: a sweep with it as wikis.yaml passes. Its
    # RecentChanges checks ask for every level written (Contributions asks for none).
    sweep = subprocess.run(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "run",
            "--config",
            str(out),
            "--target",
            "farm",
            "--page",
            "recentchanges",
            "--reports-dir",
            str(tmp_path / "reports"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert sweep.returncode == 0, sweep.stdout[-3000:] + sweep.stderr[-3000:]


def test_discover_without_a_site_matrix_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smoke.cli.main", "discover", "--target", "staging"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 4
    assert "sitematrix" in result.stderr and "Traceback" not in result.stderr
