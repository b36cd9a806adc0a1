"""Finding a Chromium to drive, in a documented order, and saying which one was used.

Order: ``--browser-path`` / ``$SMOKE_CHROMIUM``; Playwright's own managed Chromium; a system
Chromium on PATH (Debian's ``chromium``, ``chromium-browser``, ``google-chrome``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class NoBrowser(Exception):
    """No usable Chromium was found."""


@dataclass(frozen=True)
class BrowserChoice:
    executable: str | None  # None: let Playwright use its own managed build
    source: str  # human-readable: where it came from

    def describe(self) -> str:
        return f"{self.executable or 'Playwright-managed Chromium'} ({self.source})"


def playwright_managed_chromium() -> str | None:
    """Path of Playwright's own Chromium when it is installed, else None.

    Looked up on disk (``$PLAYWRIGHT_BROWSERS_PATH`` or ``~/.cache/ms-playwright``) rather than by
    starting a Playwright driver, which costs about a CPU-second per call.
    """
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(
        Path.home() / ".cache" / "ms-playwright"
    )
    if root == "0":  # browsers installed inside the playwright package itself
        import playwright

        root = str(Path(playwright.__file__).parent / "driver" / "package" / ".local-browsers")
    candidates = sorted(
        Path(root).glob("chromium-*/chrome-linux*/chrome"),
        key=lambda p: p.parent.parent.name,
        reverse=True,  # the newest build first
    )
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_chromium(explicit: str | None = None) -> BrowserChoice:
    explicit = explicit or os.environ.get("SMOKE_CHROMIUM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return BrowserChoice(explicit, "--browser-path/$SMOKE_CHROMIUM")
        raise NoBrowser(
            f"the browser given by --browser-path/$SMOKE_CHROMIUM ({explicit}) "
            "is not an executable file"
        )
    managed = playwright_managed_chromium()
    if managed:
        return BrowserChoice(managed, "Playwright's managed Chromium")
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return BrowserChoice(found, f"system {name} on PATH")
    raise NoBrowser(
        "no Chromium found: install one with `apt-get install chromium` (Debian/Ubuntu) or "
        "`playwright install chromium`, or give its path with --browser-path"
    )
