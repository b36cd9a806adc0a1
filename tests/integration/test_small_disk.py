"""The verdict before the evidence: failing checks whose reports sit on a filesystem of 6 MB.

Every failing check would keep a screenshot, the page, its console log and a Playwright trace
(and Allure copies of them): more than the filesystem holds. Evidence that does not fit is
skipped with a note in the check's record and one warning line; results.json and junit.xml are
complete for every check; nothing prints a traceback. The filesystem is a real one (tmpfs,
mounted for the test: root only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT, smoke_run

# Every failing check writes its record; three of the one cause keep evidence (screenshot, page,
# console, trace, and their Allure copies): these four checks write about 14 MB.
SELECTION = (
    "--wiki", "ruwiki", "--page", "recentchanges", "--variant", "plain", "--variant",
    "damaging=likelybad", "--variant", "goodfaith=likelybad", "--variant", "hidenondamaging",
)  # fmt: skip


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI's container runs as root)")
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_skips_evidence_but_never_the_verdict(
    farm_state: FarmState, small_disk: Path, fault: Callable[..., None]
) -> None:
    fault("ruwiki", "js-error")
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "smoke.cli.main",
            "list",
            "--testbed-dir",
            farm_state.state_dir,
            *SELECTION,
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = {c["id"] for c in json.loads(listed.stdout)}
    out = smoke_run(
        farm_state,
        small_disk,
        *SELECTION,
        "--screenshots",
        "always",
        "--tracing",
        "retain-on-failure",
        "-n",
        "2",
    )
    console = out.stdout + out.stderr
    assert out.code == 1, console[-3000:]
    assert "Traceback" not in console and "INTERNALERROR" not in console, console[-3000:]
    results = out.results
    assert {c["id"] for c in results["checks"]} == expected
    assert results["counts"]["failed"] >= 1
    skipped = [
        c
        for c in results["checks"]
        if any(n.startswith("evidence not written") for n in c.get("notes", []))
    ]
    assert skipped, "the disk never filled: make the filesystem smaller"
    assert any("evidence of" in n and "was not written" in n for n in results["run"]["notes"])
    assert console.count("warning: evidence of") == 1
    junit = ET.parse(out.run_dir / "junit.xml").getroot()
    assert {case.get("name") for case in junit.iter("testcase")} == expected
    assert (out.run_dir / "summary.md").read_text("utf-8").strip()
    assert not (out.run_dir / ".auth").exists() and not (out.run_dir / ".reserve").exists()
