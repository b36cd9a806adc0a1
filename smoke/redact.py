"""Removing secrets from anything smoke writes: HTML, console logs, URLs.

MediaWiki embeds the user's tokens in every logged-in page (``mw.user.tokens.set({...
"csrfToken":"…+\\"})``); session cookies and passwords must never reach a report either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "<redacted>"
_TOKEN_JSON = re.compile(r'("[A-Za-z]*[Tt]oken"\s*:\s*)"(?:[^"\\]|\\.)*"')
_TOKEN_PARAM = re.compile(r"([?&](?:[a-z]*token|password|lgpassword)=)[^&#\s\"']+", re.I)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with MediaWiki tokens, token/password URL parameters and given secrets removed."""
    text = _TOKEN_JSON.sub(rf'\1"{REDACTED}"', text)
    text = _TOKEN_PARAM.sub(rf"\1{REDACTED}", text)
    for secret in secrets:
        if secret and len(secret) >= 4:  # never blank out tiny strings everywhere
            text = text.replace(secret, REDACTED)
    return text
