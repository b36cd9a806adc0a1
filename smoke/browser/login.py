"""Logging in once per wiki per run and sharing the session with every worker.

The first worker that needs a wiki's session takes a file lock, logs in through the API
(``meta=tokens`` then ``action=clientlogin``, ~0.5 s) and saves the browser storage state in the
run directory with mode 0600; the other workers wait on the lock and reuse it. A failed login is
remembered the same way, so N workers do not hammer a wiki with N bad logins. The CLI deletes
the directory at the end of the run. Passwords are never logged or written anywhere.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from filelock import FileLock
from playwright.sync_api import Browser

from smoke.browser.errors import PlaywrightError, login_error
from smoke.model.credentials import Credentials
from smoke.model.findings import CouldNotCheck, LoginFailed, TargetUnreachable

AUTH_DIR = ".auth"


def auth_dir(run_dir: Path) -> Path:
    directory = run_dir / AUTH_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def session_secrets(run_dir: Path) -> tuple[str, ...]:
    """Cookie values of this run's login sessions, so writers can scrub them."""
    values: list[str] = []
    for path in (run_dir / AUTH_DIR).glob("*.json"):
        try:
            state = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        # Session and remember-me tokens; not e.g. the user-name cookie, which is no secret.
        values += [
            c["value"]
            for c in state.get("cookies", [])
            if c.get("value") and re.search(r"session|token", c.get("name", ""), re.I)
        ]
    return tuple(values)


def shared_session(
    browser: Browser,
    run_dir: Path,
    wiki: str,
    base_url: str,
    credentials: Credentials,
    user_agent: str,
) -> Path:
    """Path of a storage-state file logged in to ``wiki``; logs in if no worker has yet."""
    directory = auth_dir(run_dir)
    state_file = directory / f"{wiki}.json"
    failure_file = directory / f"{wiki}.failed"
    with FileLock(str(directory / f"{wiki}.lock")):
        if state_file.exists():
            return state_file
        if failure_file.exists():
            data = json.loads(failure_file.read_text("utf-8"))
            error_type = LoginFailed if data.get("kind") == "LoginFailed" else TargetUnreachable
            raise error_type(data["message"])
        try:
            _login(browser, base_url, wiki, credentials, user_agent, state_file)
        except CouldNotCheck as exc:
            failure_file.write_text(json.dumps({"kind": exc.kind, "message": str(exc)}), "utf-8")
            raise
    return state_file


# Runs in a page of the wiki, so the login goes through the browser's own network stack
# (the same proxy, --resolve mapping and TLS settings as the checks) and its cookie jar.
LOGIN_SCRIPT = """
async ({api, username, password, returnurl}) => {
  const tokens = await fetch(api + '?action=query&meta=tokens&type=login&format=json',
                             {credentials: 'same-origin'});
  if (!tokens.ok) return {step: 'token', status: tokens.status};
  const token = (await tokens.json()).query.tokens.logintoken;
  const body = new URLSearchParams({action: 'clientlogin', username, password,
    logintoken: token, loginreturnurl: returnurl, format: 'json'});
  const answer = await fetch(api, {method: 'POST', body, credentials: 'same-origin'});
  if (!answer.ok) return {step: 'login', status: answer.status};
  return {step: 'login', status: answer.status, result: (await answer.json()).clientlogin || {}};
}
"""


def _login(
    browser: Browser,
    base_url: str,
    wiki: str,
    credentials: Credentials,
    user_agent: str,
    state_file: Path,
) -> None:
    api = f"{base_url.rstrip('/')}/api.php"
    context = browser.new_context(user_agent=user_agent)
    try:
        page = context.new_page()
        page.goto(f"{api}?action=query&meta=siteinfo&format=json", timeout=30_000)
        answer = page.evaluate(
            LOGIN_SCRIPT,
            {
                "api": api,
                "username": credentials.username,
                "password": credentials.password,
                "returnurl": base_url,
            },
        )
        if answer.get("status") != 200:
            raise LoginFailed(
                f"{wiki}: {api} answered HTTP {answer.get('status')} "
                f"to the {answer['step']} request"
            )
        result = answer.get("result") or {}
        if result.get("status") != "PASS":
            reason = result.get("message") or result.get("status") or "no answer"
            raise LoginFailed(
                f"{wiki}: the wiki refused the login of {credentials.username!r}: {reason}"
            )
        # Write the session 0600 from the start: it holds session cookies.
        fd = os.open(state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(context.storage_state(), handle)
    except PlaywrightError as exc:
        raise login_error(exc, wiki, api) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise LoginFailed(
            f"{wiki}: unexpected answer from {api} while logging in ({exc})"
        ) from None
    finally:
        context.close()
