"""What every scenario gets: the options, the farm, a scratch directory, the children's env."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from bench.env import SMOKE, log
from bench.farm import Farm
from bench.options import Options
from bench.selection import TARGET, Patterns
from smoke.plan.workers import default_workers


@dataclass
class Session:
    options: Options
    farm: Farm
    tmp: Path  # logs, specs, smoke's reports; removed at the end unless kept
    keep: bool = False  # set when something must be looked at (an incomplete run)
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # A measured child must not inherit our pytest context nor another farm.
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "SMOKE_TESTBED_DIR"))
        }
        self.keep = self.keep or self.options.keep

    def workers(self, n_checks: int) -> int:
        given = self.options.workers
        return given if given is not None else default_workers(n_checks, remote=False)

    def cores_and_load(self) -> str:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        return f"{os.cpu_count()} cores; load average before: {load}"

    def smoke_run_argv(
        self, patterns: Patterns, workers: int, reports: Path, run_id: str
    ) -> list[str]:
        """``smoke run`` on the farm with this selection, its reports under ``reports/run_id``."""
        return [
            SMOKE,
            "run",
            "--config",
            str(self.options.config),
            "--target",
            TARGET,
            "--testbed-dir",
            str(self.farm.state_dir),
            "--reports-dir",
            str(reports),
            "--run-id",
            run_id,
            "-n",
            str(workers),
            *patterns.smoke_args(),
            *shlex.split(self.options.smoke_args),
        ]

    def keep_if(self, incomplete: bool) -> None:
        """Keep the scratch directory when some run did not complete (its log is the why)."""
        if incomplete or self.keep:
            log(f"logs and generated files kept in {self.tmp}")
            self.keep = True


def smoke_outcomes(reports: Path, run_id: str) -> dict[str, str] | None:
    """check id -> outcome from the run's results.json; None when the run wrote none."""
    path = reports / run_id / "results.json"
    if not path.exists():
        return None
    body = json.loads(path.read_text("utf-8"))
    return {str(c["id"]): str(c["outcome"]) for c in body["checks"]}


def smoke_loaded(reports: Path, run_id: str) -> dict[str, int]:
    """How the run's checks were loaded ({"full": N, "in-app": M}, results.json's "loaded")."""
    path = reports / run_id / "results.json"
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text("utf-8")).get("loaded") or {}
    return {str(k): int(v) for k, v in loaded.items()}
