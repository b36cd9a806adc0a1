"""Running `smoke run` as a user would (a subprocess) and reading what it wrote."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smoke.testbed.state import FarmState

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunOutput:
    code: int
    stdout: str
    stderr: str
    run_dir: Path

    @property
    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.run_dir / "results.json").read_text("utf-8"))
        return data

    def by_outcome(self, outcome: str) -> set[str]:
        return {c["id"] for c in self.results["checks"] if c["outcome"] == outcome}

    def check(self, check_id: str) -> dict[str, Any]:
        for check in self.results["checks"]:
            if check["id"] == check_id:
                return dict(check)
        raise KeyError(check_id)

    def junit(self) -> ET.Element:
        return ET.parse(self.run_dir / "junit.xml").getroot()


def smoke_run(
    farm: FarmState,
    reports: Path,
    *args: str,
    run_id: str = "run",
    config: Path | None = None,
    timeout: float = 900,
) -> RunOutput:
    argv = [
        sys.executable,
        "-m",
        "smoke.cli.main",
        "run",
        "--testbed-dir",
        farm.state_dir,
        "--reports-dir",
        str(reports),
        "--run-id",
        run_id,
    ]
    if config is not None:
        argv += ["--config", str(config)]
    result = subprocess.run(
        [*argv, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    return RunOutput(result.returncode, result.stdout, result.stderr, reports / run_id)
