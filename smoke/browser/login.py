"""Logging in once per wiki per run and sharing the session with every worker.

The first worker that needs a wiki's session takes a file lock, logs in through the API
(``meta=tokens`` then ``action=clientlogin``, ~0.5 s) and saves the browser storage state in the
run directory with mode 0600; the other workers wait on the lock and reuse it. A failed login is
remembered the same way, so N workers do not hammer a wiki with N bad logins. The CLI deletes
the directory at the end of the run. Passwords are never logged or written anywhere.

Right after logging in, the same page asks the wiki for every token it hands that user
(``meta=tokens&type=*``, the token options of ``meta=userinfo``, and the watchlist token that
Special:ResetTokens shows — derived from the user's secret token unless the user stored one) and
keeps them beside the session, also 0600: :func:`session_secrets` gives them, with the session
cookies, to whatever writes a report, which removes them in every spelling.
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
from smoke.model.findings import CouldNotCheck, LoginFailed, TargetUnreachable, error_record_of
from smoke.output.run_dir import AUTH_DIR

__all__ = ["AUTH_DIR", "auth_dir", "session_secrets", "shared_session"]

SECRETS_SUFFIX = ".secrets"  # beside <wiki>.json; not *.json, which counts sessions
# Session and remember-me cookies; not e.g. the user-name cookie, which is no secret.
SECRET_COOKIE = re.compile(r"session|token", re.I)


def auth_dir(run_dir: Path) -> Path:
    directory = run_dir / AUTH_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def session_secrets(run_dir: Path) -> tuple[str, ...]:
    """The secrets of this run's login sessions, so writers can scrub them: session cookie
    values and the tokens the wikis handed the logged-in users."""
    values: list[str] = []
    for path in sorted((run_dir / AUTH_DIR).glob("*.json")):
        state = _read_json(path)
        if isinstance(state, dict):
            values += [
                str(c["value"])
                for c in state.get("cookies", [])
                if c.get("value") and SECRET_COOKIE.search(str(c.get("name", "")))
            ]
    for path in sorted((run_dir / AUTH_DIR).glob(f"*{SECRETS_SUFFIX}")):
        stored = _read_json(path)
        if isinstance(stored, list):
            values += [str(v) for v in stored if v]
    return tuple(dict.fromkeys(values))


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None  # being written by another worker, or gone with the run


def _write_private(path: Path, data: object) -> None:
    """Write ``data`` as JSON, mode 0600 from the start (it holds secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)


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
            failure_file.write_text(json.dumps(error_record_of(exc)), "utf-8")
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

# Every token the wiki hands the logged-in user, read once (best effort: a wiki that answers
# none of it still gets the shape-based redaction). Tokens of meta=tokens embed the second they
# were made, so later pages carry other values: those are caught by their shape
# (smoke.output.redact); these values are the ones it cannot recognise, and a second net.
SECRETS_SCRIPT = r"""
async ({api, index}) => {
  const get = async (url, read) => {
    try {
      const answer = await fetch(url, {credentials: 'same-origin',
                                       signal: AbortSignal.timeout(15000)});
      return answer.ok ? read(answer) : [];
    } catch (e) { return []; }
  };
  const fromApi = async (answer) => {
    const query = (await answer.json()).query || {};
    const options = (query.userinfo || {}).options || {};
    return [...Object.values(query.tokens || {}),
            ...Object.entries(options).filter(([name]) => /token/i.test(name)).map(([, v]) => v)];
  };
  // "(resettokens-token-label: (resettokens-watchlist-token), <token>)" with uselang=qqx:
  // the watchlist token (wltoken) and any an extension adds, in every language.
  const fromResetTokens = async (answer) => [...(await answer.text()).matchAll(
    /\(resettokens-token-label: [^<]*?, ([^\s()<>"'&,]+)\)/g)].map((m) => m[1]);
  const found = (await Promise.all([
    get(api + '?action=query&meta=tokens%7Cuserinfo&type=*&uiprop=options&format=json' +
        '&formatversion=2', fromApi),
    get(index + '?title=Special:ResetTokens&uselang=qqx', fromResetTokens),
  ])).flat();
  return [...new Set(found.filter((v) => typeof v === 'string' && v.length > 0))];
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
        index = f"{api[: -len('api.php')]}index.php"
        secrets = page.evaluate(SECRETS_SCRIPT, {"api": api, "index": index})
        _write_private(state_file.with_suffix(SECRETS_SUFFIX), list(secrets or []))
        _write_private(state_file, context.storage_state())
    except PlaywrightError as exc:
        raise login_error(exc, wiki, api) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise LoginFailed(
            f"{wiki}: unexpected answer from {api} while logging in ({exc})"
        ) from None
    finally:
        context.close()
