"""Whether a record shows that the check itself could not be made (sent to the login page).

A record can itself show that the check could not be made (we were sent to the login page):
that is decided here, before the detectors run, so it never counts as a product defect.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from smoke.model.findings import RedirectedToLogin
from smoke.model.record import PageRecord


def could_not_check(record: PageRecord) -> RedirectedToLogin | None:
    """The page is the login form instead of the page we asked for."""
    if record.mw_config.canonical_special_page == "Userlogin" or _is_login_url(record.final_url):
        return RedirectedToLogin(
            f"redirected to the login page ({record.final_url}) instead of {record.requested_url}"
        )
    return None


def _is_login_url(url: str) -> bool:
    # Fallback for pages without mw.config (JS off or failed): the canonical title in the URL.
    parts = urlsplit(url)
    title = parse_qs(parts.query).get("title", [""])[0] or unquote(parts.path)
    return "special:userlogin" in title.lower()
