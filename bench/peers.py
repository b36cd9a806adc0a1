"""The peers of the side-by-side scenario: a Playwright Test suite and a pytest-playwright suite.

Both load the spec's URLs the way their users write it (a new context and page per test, the
runners' own fixtures), with Debian's Chromium by executable path. Their packages live under
tools/ and are installed here on first use (``PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1``: no browser
download): ``npm ci`` for @playwright/test, a virtualenv of its own for pytest-playwright (its
``--headed``/``--browser`` options clash with smoke's pytest plugin in the project's .venv).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.env import REPO, SetupError, log
from bench.spec import SPEC_ENV

PEERS = ("playwright-test", "pytest-playwright")

PLAYWRIGHT_TEST_TOOL = REPO / "tools" / "playwright-test"
PLAYWRIGHT_TEST_SUITE = REPO / "bench" / "playwright_test"
PYTEST_PLAYWRIGHT_TOOL = REPO / "tools" / "pytest-playwright"
PYTEST_PLAYWRIGHT_SUITE = REPO / "bench" / "pytest_playwright"
NO_DOWNLOAD = {"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}


def _install(argv: list[str], what: str, env: dict[str, str]) -> None:
    log(f"installing {what}: {' '.join(argv)}")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SetupError(f"bench: could not install {what}: {done.stderr.strip()[-800:]}")


def playwright_test_bin(env: dict[str, str]) -> Path:
    """tools/playwright-test/node_modules/.bin/playwright, installed (npm ci) when missing."""
    binary = PLAYWRIGHT_TEST_TOOL / "node_modules" / ".bin" / "playwright"
    if not binary.exists():
        argv = ["npm", "ci", "--prefix", str(PLAYWRIGHT_TEST_TOOL), "--no-audit", "--no-fund"]
        _install(argv, "@playwright/test", {**env, **NO_DOWNLOAD})
    return binary


def pytest_playwright_python(env: dict[str, str]) -> Path:
    """The python of tools/pytest-playwright/venv, made and filled when missing."""
    venv = PYTEST_PLAYWRIGHT_TOOL / "venv"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    requirements = PYTEST_PLAYWRIGHT_TOOL / "requirements.txt"
    if marker.exists() and marker.stat().st_mtime >= requirements.stat().st_mtime:
        return python
    if not python.exists():
        made = [sys.executable, "-m", "venv", str(venv)]
        _install(made, "a virtualenv for pytest-playwright", env)
    argv = [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)]
    _install(argv, "pytest-playwright", {**env, **NO_DOWNLOAD})
    marker.touch()
    return python


def peer_command(
    mode: str, spec: Path, workers: int, env: dict[str, str]
) -> tuple[list[str], Path, dict[str, str]]:
    """argv, working directory and environment of one peer's run of ``spec``."""
    run_env = {**env, **NO_DOWNLOAD, SPEC_ENV: str(spec)}
    if mode == "playwright-test":
        binary = playwright_test_bin(env)
        node_path = str(PLAYWRIGHT_TEST_TOOL / "node_modules")
        run_env["NODE_PATH"] = os.pathsep.join(filter(None, (node_path, env.get("NODE_PATH"))))
        run_env["BENCH_WORKERS"] = str(workers)
        config = PLAYWRIGHT_TEST_SUITE / "playwright.config.js"
        return [str(binary), "test", "--config", str(config)], PLAYWRIGHT_TEST_SUITE, run_env
    if mode == "pytest-playwright":
        python = pytest_playwright_python(env)
        argv = [str(python), "-m", "pytest", "test_loads.py", "-q", "-p", "no:cacheprovider"]
        argv += ["--browser", "chromium", "--output", str(spec.parent / "pytest-playwright")]
        argv += ["-n", str(workers), "--dist", "load"] if workers > 1 else ["-p", "no:xdist"]
        return argv, PYTEST_PLAYWRIGHT_SUITE, run_env
    raise ValueError(f"not a peer: {mode}")
