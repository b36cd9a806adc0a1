"""The import contracts of pyproject.toml hold, and would catch an import against the stages.

import-linter runs as ``lint-imports`` in a subprocess (it puts its working directory on
``sys.path`` and builds a graph of the package found there): once on the repository, once on a
copy of the package with a forbidden import added, to prove the contracts can break.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the `lint-imports` console script runs; no dependence on PATH or the venv's bin/.
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"

Contract = dict[str, Any]


def contracts() -> list[Contract]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    found: list[Contract] = config["tool"]["importlinter"]["contracts"]
    return found


def lint_imports(cwd: Path) -> tuple[int, dict[str, str]]:
    """Exit code and {contract name: "KEPT" | "BROKEN"} of lint-imports run in ``cwd``."""
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "pyproject.toml", "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    verdicts = {
        m["name"]: m["verdict"]
        for m in re.finditer(r"^(?P<name>\S.*?) (?P<verdict>KEPT|BROKEN)$", output, re.M)
    }
    assert verdicts, f"no contract verdicts in lint-imports' output:\n{output}"
    return result.returncode, verdicts


def test_every_contract_is_kept() -> None:
    code, verdicts = lint_imports(ROOT)
    names = [c["name"] for c in contracts()]
    assert len(names) >= 4  # the stage layers, browser and report fences, no cycles
    assert verdicts == dict.fromkeys(names, "KEPT")
    assert code == 0


def _stage_layers(contract: Contract) -> bool:
    # The stages of ARCHITECTURE.md: the layers contract whose lowest layer is smoke.model.
    return contract["type"] == "layers" and list(contract["layers"])[-1:] == ["smoke.model"]


def _no_browser_in_judge(contract: Contract) -> bool:
    return (
        contract["type"] == "forbidden"
        and "smoke.judge" in contract["source_modules"]
        and "smoke.browser" in contract["forbidden_modules"]
    )


@pytest.mark.parametrize(
    ("module", "forbidden_import", "must_break"),
    [
        (
            "smoke/judge/login_redirect.py",
            "import smoke.browser.worker",
            [_stage_layers, _no_browser_in_judge],
        ),
        ("smoke/model/checks.py", "from smoke.cli import main", [_stage_layers]),
    ],
    ids=["judge-imports-the-worker", "model-imports-the-cli"],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path,
    module: str,
    forbidden_import: str,
    must_break: list[Callable[[Contract], bool]],
) -> None:
    shutil.copytree(
        ROOT / "smoke", tmp_path / "smoke", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / module
    target.write_text(target.read_text("utf-8") + f"\n{forbidden_import}  # on purpose\n", "utf-8")

    code, verdicts = lint_imports(tmp_path)

    expected = []
    for rule in must_break:
        (name,) = [c["name"] for c in contracts() if rule(c)]  # one contract of pyproject.toml
        expected.append(name)
    # Other contracts may break too (an import up the stages can close a cycle): these must.
    assert {name: verdicts.get(name) for name in expected} == dict.fromkeys(expected, "BROKEN")
    assert code == 1
