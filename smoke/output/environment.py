"""A run's environment for its reports: the MediaWiki version a wiki reports, smoke's commit."""

from __future__ import annotations

import http.client
import json
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

from smoke.model.outcome import Outcome
from smoke.model.wikimedia import smoke_agent
from smoke.output.results import CheckResult

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the checkout smoke runs from, if any
SITEINFO_TIMEOUT = 3.0  # seconds: environment info must never hold a report up for long


def api_url(check_url: str) -> str | None:
    """``…/w/index.php?title=…`` → ``…/w/api.php`` (smoke builds every check URL that way)."""
    parts = urllib.parse.urlsplit(check_url)
    if parts.scheme not in ("http", "https") or not parts.path.endswith("/index.php"):
        return None
    path = parts.path[: -len("index.php")] + "api.php"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def siteinfo_version(api: str, timeout: float = SITEINFO_TIMEOUT) -> str:
    """The MediaWiki version a wiki reports (``generator`` of meta=siteinfo), e.g. "1.39.4".
    Raises OSError or ValueError when the wiki does not answer usefully."""
    url = api + "?action=query&meta=siteinfo&siprop=general&format=json"
    request = urllib.request.Request(
        url,
        headers={
            # Wikimedia's User-Agent policy: say who we are and where to reach the maintainers.
            "User-Agent": smoke_agent(purpose="report environment"),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read(1_000_000).decode("utf-8"))
    except http.client.HTTPException as exc:  # a truncated or garbled answer: not an OSError
        raise OSError(f"bad HTTP answer: {exc!r}") from None
    general = body.get("query") if isinstance(body, dict) else None
    general = general.get("general") if isinstance(general, dict) else None
    generator = general.get("generator") if isinstance(general, dict) else None
    if not isinstance(generator, str) or not generator.strip():
        raise ValueError("no generator in siteinfo")
    return generator.removeprefix("MediaWiki ").strip()


def git_sha(root: Path = PACKAGE_ROOT) -> str | None:
    """Short commit of the smoke checkout, or None (not a checkout, no git)."""
    if not (root / ".git").exists():  # never report the commit of some enclosing repository
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None


def environment(results: list[CheckResult]) -> dict[str, str]:
    """MediaWiki version (siteinfo of one checked wiki, asked now) and smoke's git sha."""
    found: dict[str, str] = {}
    reachable = [r for r in results if r.outcome not in (Outcome.BROKEN, Outcome.SKIPPED)]
    for result in reachable[:2]:  # bounded: a dead wiki must not stall the end of the run
        api = api_url(result.url)
        try:
            version = siteinfo_version(api) if api else ""
        except (OSError, ValueError):
            continue
        if version:
            found["MediaWiki"] = version
            break
    sha = git_sha()
    if sha:
        found["smoke git"] = sha
    return found
