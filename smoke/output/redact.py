"""Removing secrets from anything smoke writes: HTML, console logs, URLs.

MediaWiki embeds the user's tokens in every logged-in page (``mw.user.tokens.set({...
"csrfToken":"…+\\"})``); session cookies and passwords must never reach a report either.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

REDACTED = "<redacted>"
_TOKEN_JSON = re.compile(r'("[A-Za-z]*[Tt]oken"\s*:\s*)"(?:[^"\\]|\\.)*"')
# Cookie / Set-Cookie / Authorization header values as Playwright traces store them.
_SECRET_HEADER = re.compile(
    r'("name"\s*:\s*"(?:cookie|set-cookie|authorization)"\s*,\s*"value"\s*:\s*)'
    r'"(?:[^"\\]|\\.)*"',
    re.I,
)
# Cookie objects as traces and storage states list them: {"name": "enwiki_session", "value": ...}.
_SECRET_COOKIE = re.compile(
    r'("name"\s*:\s*"[^"]*(?:session|token)[^"]*"\s*,\s*"value"\s*:\s*)"(?:[^"\\]|\\.)*"',
    re.I,
)
_TOKEN_PARAM = re.compile(r"([?&](?:[a-z]*token|password|lgpassword)=)[^&#\s\"']+", re.I)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with MediaWiki tokens, token/password URL parameters and given secrets removed."""
    text = _TOKEN_JSON.sub(rf'\1"{REDACTED}"', text)
    text = _TOKEN_PARAM.sub(rf"\1{REDACTED}", text)
    text = _SECRET_HEADER.sub(rf'\1"{REDACTED}"', text)
    text = _SECRET_COOKIE.sub(rf'\1"{REDACTED}"', text)
    for secret in secrets:
        if secret and len(secret) >= 4:  # never blank out tiny strings everywhere
            text = text.replace(secret, REDACTED)
    return text


def redact_trace(source: Path, target: Path, secrets: Iterable[str] = ()) -> None:
    """Copy a Playwright trace zip, redacting every text member (actions, DOM snapshots,
    network log, response bodies); binary members (images) are copied as they are."""
    known = tuple(secrets)
    with (
        zipfile.ZipFile(source) as src,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                dst.writestr(info.filename, data)
                continue
            dst.writestr(info.filename, redact(text, known).encode("utf-8"))
    source.unlink()
