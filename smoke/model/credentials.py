"""A wiki login (user name and password), kept out of reprs, tracebacks and logs.

Apart from :mod:`smoke.browser.login` (which drives the browser) so that planning a run, which every
process does, never imports Playwright.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def __repr__(self) -> str:  # keep the password out of tracebacks and logs
        return f"Credentials(username={self.username!r}, password=<hidden>)"
