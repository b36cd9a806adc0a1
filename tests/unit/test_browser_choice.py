"""The documented order in which smoke picks a Chromium (smoke/browser.py), on fake installs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from smoke.browser import chromium as browser
from smoke.browser.chromium import NoBrowser, find_chromium


def make_executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty machine: no managed browsers, nothing on PATH, no Debian headless shell."""
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("SMOKE_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "DEBIAN_HEADLESS_SHELL", str(tmp_path / "lib" / "shell"))
    return tmp_path


def test_nothing_installed_says_what_to_install(machine: Path) -> None:
    with pytest.raises(NoBrowser, match="apt-get install chromium-headless-shell chromium"):
        find_chromium()


def test_headed_without_full_chromium_says_why(machine: Path) -> None:
    make_executable(machine / "bin" / "chromium-headless-shell")
    with pytest.raises(NoBrowser, match="--headed needs a full Chromium"):
        find_chromium(headless=False)


def test_explicit_path_wins_over_everything(machine: Path) -> None:
    make_executable(machine / "bin" / "chromium-headless-shell")
    mine = make_executable(machine / "mine" / "chrome")
    choice = find_chromium(str(mine))
    assert choice.executable == str(mine) and "--browser-path" in choice.source


def test_environment_variable_is_the_explicit_choice(
    machine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = make_executable(machine / "mine" / "chrome")
    monkeypatch.setenv("SMOKE_CHROMIUM", str(mine))
    assert find_chromium().executable == str(mine)


def test_explicit_path_that_is_not_executable_is_refused(machine: Path) -> None:
    (machine / "notes.txt").write_text("x")
    with pytest.raises(NoBrowser, match=r"notes\.txt.*is not an executable file"):
        find_chromium(str(machine / "notes.txt"))


def test_headless_prefers_a_headless_shell_to_a_full_chromium(machine: Path) -> None:
    make_executable(machine / "ms-playwright" / "chromium-1200" / "chrome-linux64" / "chrome")
    shell = make_executable(machine / "bin" / "chromium-headless-shell")
    choice = find_chromium()
    assert choice.executable == str(shell)
    assert choice.source == "system Chromium headless shell"


def test_debian_real_binary_is_preferred_to_its_shell_wrapper(machine: Path) -> None:
    make_executable(machine / "bin" / "chromium-headless-shell")
    real = make_executable(machine / "lib" / "shell")
    assert find_chromium().executable == str(real)


def test_managed_headless_shell_newest_build_first(machine: Path) -> None:
    root = machine / "ms-playwright"
    make_executable(root / "chromium_headless_shell-1100" / "chrome-linux" / "headless_shell")
    newest = make_executable(
        root
        / "chromium_headless_shell-1200"
        / "chrome-headless-shell-linux64"
        / "chrome-headless-shell"
    )
    make_executable(machine / "lib" / "shell")
    choice = find_chromium()
    assert choice.executable == str(newest)
    assert "managed" in choice.source


def test_headed_skips_the_headless_shell(machine: Path) -> None:
    make_executable(machine / "lib" / "shell")
    full = make_executable(machine / "bin" / "chromium")
    choice = find_chromium(headless=False)
    assert choice.executable == str(full)
    assert choice.source == "system chromium on PATH"


def test_managed_full_chromium_before_system_one(machine: Path) -> None:
    managed = make_executable(
        machine / "ms-playwright" / "chromium-1200" / "chrome-linux64" / "chrome"
    )
    make_executable(machine / "bin" / "chromium")
    assert find_chromium(headless=False).executable == str(managed)
    # No headless shell anywhere: a headless run falls back to the full Chromium.
    assert find_chromium().executable == str(managed)


def test_non_executable_managed_file_is_skipped(machine: Path) -> None:
    broken = machine / "ms-playwright" / "chromium-1300" / "chrome-linux" / "chrome"
    broken.parent.mkdir(parents=True)
    broken.write_text("")
    full = make_executable(machine / "bin" / "google-chrome")
    assert find_chromium(headless=False).executable == str(full)
