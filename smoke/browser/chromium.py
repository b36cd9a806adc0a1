"""Finding a Chromium to drive, in a documented order, and saying which one was used.

Order: ``--browser-path`` / ``$SMOKE_CHROMIUM``; then, for headless runs, a Chromium *headless
shell* (Playwright's managed one, then Debian's ``chromium-headless-shell``); then a full Chromium
(Playwright's managed one, then ``chromium``, ``chromium-browser``, ``google-chrome`` on PATH).

Why the headless shell first: it is the browser Playwright itself uses for headless runs, and it
has none of the desktop browser's UI. The full Chromium, even headless, starts WebUI renderers
for its omnibox popup and more; measured on the bench (33 checks, 2 workers) the shell cut client
CPU per check by a third and peak memory per worker from ~650 MB to ~480 MB, with the same
pages, scripts and verdicts. ``--headed`` needs the full Chromium.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

FULL_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADLESS_SHELL_NAMES = ("chromium-headless-shell", "chrome-headless-shell")
# Debian's /usr/bin/chromium-headless-shell is a `sh -e` wrapper that does not exec: the real
# binary avoids one more process per browser and lets signals reach Chromium directly.
DEBIAN_HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"

# Playwright's download layout: <root>/<browser>-<revision>/<platform dir>/<executable>.
MANAGED_FULL = ("chromium-*/chrome-linux*/chrome",)
MANAGED_HEADLESS_SHELL = (
    "chromium_headless_shell-*/chrome-headless-shell-linux*/chrome-headless-shell",
    "chromium_headless_shell-*/chrome-linux*/headless_shell",
)


class NoBrowser(Exception):
    """No usable Chromium was found."""


@dataclass(frozen=True)
class BrowserChoice:
    executable: str | None  # None: let Playwright use its own managed build
    source: str  # human-readable: where it came from

    def describe(self) -> str:
        return f"{self.executable or 'Playwright-managed Chromium'} ({self.source})"


def _is_executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def playwright_browsers_root() -> Path:
    """Where Playwright keeps its downloaded browsers (``$PLAYWRIGHT_BROWSERS_PATH`` rules)."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if root == "0":  # browsers installed inside the playwright package itself
        import playwright

        return Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers"
    return Path(root) if root else Path.home() / ".cache" / "ms-playwright"


def playwright_managed_chromium(*, headless_shell: bool = False) -> str | None:
    """Path of Playwright's own Chromium (or its headless shell) when installed, else None.

    Looked up on disk rather than by starting a Playwright driver, which costs about a
    CPU-second per call.
    """
    root = playwright_browsers_root()
    patterns = MANAGED_HEADLESS_SHELL if headless_shell else MANAGED_FULL
    candidates = sorted(
        (found for pattern in patterns for found in root.glob(pattern)),
        key=lambda p: p.parent.parent.name,
        reverse=True,  # the newest build first
    )
    for candidate in candidates:
        if _is_executable(candidate):
            return str(candidate)
    return None


def system_chromium(*, headless_shell: bool = False) -> str | None:
    """A Chromium (or headless shell) installed by the system, else None."""
    if headless_shell and _is_executable(DEBIAN_HEADLESS_SHELL):
        return DEBIAN_HEADLESS_SHELL
    for name in HEADLESS_SHELL_NAMES if headless_shell else FULL_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium(explicit: str | None = None, *, headless: bool = True) -> BrowserChoice:
    explicit = explicit or os.environ.get("SMOKE_CHROMIUM")
    if explicit:
        if _is_executable(explicit):
            return BrowserChoice(explicit, "--browser-path/$SMOKE_CHROMIUM")
        raise NoBrowser(
            f"the browser given by --browser-path/$SMOKE_CHROMIUM ({explicit}) "
            "is not an executable file"
        )
    if headless:
        managed = playwright_managed_chromium(headless_shell=True)
        if managed:
            return BrowserChoice(managed, "Playwright's managed Chromium headless shell")
        system = system_chromium(headless_shell=True)
        if system:
            return BrowserChoice(system, "system Chromium headless shell")
    managed = playwright_managed_chromium()
    if managed:
        return BrowserChoice(managed, "Playwright's managed Chromium")
    system = system_chromium()
    if system:
        return BrowserChoice(system, f"system {Path(system).name} on PATH")
    raise NoBrowser(
        "no Chromium found: install one with `apt-get install chromium-headless-shell chromium` "
        "(Debian/Ubuntu) or `playwright install chromium`, or give its path with --browser-path"
        + ("" if headless else " (--headed needs a full Chromium, not a headless shell)")
    )
