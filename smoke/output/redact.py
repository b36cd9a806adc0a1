"""Removing secrets, in every spelling they take on the way, from anything smoke writes.

A secret reaches a report raw, HTML-escaped (``&amp;``, ``&quot;``), URL- or form-encoded
(``%2B%5C``, ``+`` for a space), JSON-escaped once (``+\\\\`` in a page's ``mw.user.tokens``) or
twice (a trace event holding page HTML), or as ``\\u002B``-style escapes. Two nets catch them:

* **by value**: the secrets smoke knows (passwords, its sessions' cookies, the tokens MediaWiki
  handed its users — :func:`smoke.browser.login.session_secrets`) are removed in every spelling;
* **by shape**: what smoke cannot know — anything in MediaWiki's token format (``Token.php``:
  32 hex of HMAC, the hex timestamp, ``+\\``; a new value every second, so the values read at
  login do not cover the tokens of later pages), token-named JSON fields, URL parameters and
  hidden inputs, secret headers and cookies — is removed whatever its value.
"""

from __future__ import annotations

import fnmatch
import functools
import html.entities
import re
import string
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from smoke.output.run_dir import ALLURE_RESULTS_DIR, ARTIFACTS_DIR, AUTH_DIR

REDACTED = "<redacted>"
MIN_SECRET_LENGTH = 4  # a shorter "secret" would blank out common text everywhere

# One backslash at escape depth 0..3 (raw, in JSON, in JSON in JSON, …): 1, 2, 4 or 8 of them.
# Exact counts, longest first: a greedy run would also eat the backslash escaping what follows.
_BACKSLASHES = r"(?:\\{8}|\\{4}|\\{2}|\\)"
# The backslashes that escape a quote (or slash) at depth 1..3: 1, 3 or 7; none at depth 0.
_ESCAPE = r"(?:\\{7}|\\{3}|\\)?"
_JSON_SHORT = {"\n": "n", "\r": "r", "\t": "t", "\b": "b", "\f": "f"}


def _hex(value: int, width: int = 1) -> str:
    """A pattern for ``value`` in hex, either case (``2[bB]``)."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{value:0{width}x}")


@functools.cache
def _entity_names() -> dict[str, tuple[str, ...]]:
    """Character → its named HTML entities (``&`` → ``&amp;``, ``&AMP;``, ``&amp``)."""
    names: dict[str, list[str]] = {}
    for name, char in html.entities.html5.items():
        if len(char) == 1:
            names.setdefault(char, []).append("&" + name)
    return {char: tuple(sorted(found, key=len, reverse=True)) for char, found in names.items()}


@functools.cache
def _char_spellings(char: str) -> str:
    """A pattern for every way ``char`` is written in HTML, URLs, JSON and JavaScript."""
    if char.isascii() and char.isalnum():
        return char  # letters and digits are never escaped by anything that writes them
    code = ord(char)
    utf8 = char.encode("utf-8")
    forms = [
        rf"{_BACKSLASHES}u{_hex(code, 4)}" if code <= 0xFFFF else _surrogates(code),
        "".join(rf"%(?:25)?{_hex(byte, 2)}" for byte in utf8),  # URL-encoded, or twice
        rf"&#0*{code};",
        rf"&#[xX]0*{_hex(code)};",
        *(re.escape(name) for name in _entity_names().get(char, ())),
    ]
    if code <= 0xFF:
        forms.append(rf"{_BACKSLASHES}x{_hex(code, 2)}")  # JavaScript's \x2b
    if char in _JSON_SHORT:
        forms.append(_BACKSLASHES + _JSON_SHORT[char])
    if char == " ":
        forms.append(r"\+")  # form encoding
    if char == "+":
        forms += [" ", "%20"]  # a raw "+" read as form encoding, and written again
    forms.append(_BACKSLASHES if char == "\\" else _ESCAPE + re.escape(char))
    return "(?:" + "|".join(forms) + ")"


def _surrogates(code: int) -> str:
    high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
    return rf"{_BACKSLASHES}u{_hex(high, 4)}{_BACKSLASHES}u{_hex(low, 4)}"


def secret_pattern(secret: str) -> str:
    """A regular expression matching ``secret`` in any of its spellings."""
    return "".join(_char_spellings(char) for char in secret)


@functools.cache
def _anchor(secret: str) -> str:
    """The longest run of ASCII letters and digits: written the same in every spelling."""
    runs = re.findall(r"[A-Za-z0-9]+", secret)
    return max(runs, key=len) if runs else ""


@functools.lru_cache(maxsize=64)
def _known_pattern(secrets: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so a secret that contains another is removed whole.
    ordered = sorted(secrets, key=len, reverse=True)
    return re.compile("|".join(secret_pattern(s) for s in ordered))


def _usable(secrets: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}))


def _remove_known(text: str, secrets: tuple[str, ...]) -> str:
    # Only the secrets whose anchor occurs can be there: usually none, and no regex runs at all.
    present = tuple(s for s in secrets if _anchor(s) in text)
    if not present:
        return text
    return _known_pattern(present).sub(REDACTED, text)


# --- by shape ------------------------------------------------------------------------------

_PLUS = (
    rf"(?:\+| |%20|%(?:25)?2[bB]|&#0*43;|&#[xX]0*2[bB];|&plus;|{_BACKSLASHES}u002[bB]"
    rf"|{_BACKSLASHES}x2[bB])"
)
_SUFFIX_BACKSLASH = (
    rf"(?:{_BACKSLASHES}u005[cC]|{_BACKSLASHES}x5[cC]|%(?:25)?5[cC]|&#0*92;|&#[xX]0*5[cC];"
    rf"|&bsol;|{_BACKSLASHES})"
)
# includes/session/Token.php: hash_hmac('md5', …) . dechex($timestamp) . '+\\'.
_MW_TOKEN = re.compile(rf"[0-9a-f]{{32,48}}{_PLUS}{_SUFFIX_BACKSLASH}")

# "csrfToken": "…" in JSON and JS literals (a field *about* tokens, "tokenType", stays).
_TOKEN_JSON = re.compile(r'("[A-Za-z_]*[Tt]oken"\s*:\s*)"(?:[^"\\]|\\.)*"')
# The same inside a JSON string, quotes escaped: {\"csrfToken\":\"…\"}, {\\\"csrfToken\\\":…}.
_TOKEN_JSON_ESCAPED = re.compile(
    r'(?P<head>[Tt]oken(?P<q>(?:\\{7}|\\{3}|\\)")\s*:\s*(?P=q)).{0,400}?(?P=q)', re.S
)
# token=…, wltoken=…, wpEditToken=…, password=… after ?, &, &amp;, %26, a quote or a space.
# Found by the "=" after a name ending in n or d, then checked backwards: a regex that starts
# at the separator, or looks for the names ignoring case, is several times slower on a trace.
_PARAM_KEY = re.compile(r"[nNdD](?:=|%3[dD])")
_PARAM_NAMES = ("token", "password")
_PARAM_VALUE = re.compile(r"(?:(?!%26)[^&#\s\"'<>\\])+")  # %26: the next encoded parameter
_PARAM_NAME_CHARS = frozenset(string.ascii_letters + "_")
_PARAM_SEPARATORS = ("?", "&", ";", '"', "'", ",", "(", "&amp;", "&#38;", "&#038;", "%26")
_PARAM_SEPARATORS_I = ("%3f", "\\u0026")
# {"name": <secret-ish>, …, "value": "…"}: headers and cookies in traces and storage states,
# form fields, and hidden inputs in a trace's DOM snapshots (value and __playwright_value_).
_SECRET_NAME = (
    r"(?:cookie|set-cookie|authorization|proxy-authorization"
    r'|[^"\\{}]*(?:session|token|password)[^"\\{}]*)'
)
_NAMED_OBJECT = re.compile(r'\{[^{}]*"name"\s*:\s*"' + _SECRET_NAME + r'"[^{}]*\}', re.I)
_VALUE_FIELD = re.compile(r'("(?:value|__playwright_value_)"\s*:\s*)"(?:[^"\\]|\\.)*"')
# <input type="hidden" name="wpEditToken" value="…">, also in HTML inside JSON (\"-quoted).
_INPUT_TAG = re.compile(r"<input\b[^<>]*>", re.I)
_SECRET_INPUT_NAME = re.compile(
    r"""(?<![\w-])name\s*=\s*(?:\\{0,7}["'])?[\w\-\[\]]*(?:token|password)\b""", re.I
)
_VALUE_ATTR = re.compile(
    r"""(?P<head>(?<![\w-])value\s*=\s*)(?:(?P<q>\\{0,7}["']).*?(?P=q)|[^\s"'<>\\]+)""", re.I | re.S
)


def _parameter_name_start(text: str, end: int) -> int | None:
    """Where the parameter name ending at ``end`` starts, if a separator precedes it."""
    start = end
    while start > 0 and text[start - 1] in _PARAM_NAME_CHARS:
        start -= 1
    before = text[max(0, start - 6) : start]
    if start == 0 or before[-1:].isspace() or before.endswith(_PARAM_SEPARATORS):
        return start
    return start if before.lower().endswith(_PARAM_SEPARATORS_I) else None


def _redact_parameters(text: str) -> str:
    pieces, done = [], 0
    for key in _PARAM_KEY.finditer(text):
        name_end = key.start() + 1
        if (
            key.start() < done
            or not text[max(0, name_end - 8) : name_end].lower().endswith(_PARAM_NAMES)
            or _parameter_name_start(text, name_end) is None
        ):
            continue
        value = _PARAM_VALUE.match(text, key.end())
        if value is None:
            continue
        pieces += [text[done : key.end()], REDACTED]
        done = value.end()
    return "".join(pieces) + text[done:] if pieces else text


def _redact_object(match: re.Match[str]) -> str:
    return _VALUE_FIELD.sub(rf'\1"{REDACTED}"', match.group(0))


def _redact_input(match: re.Match[str]) -> str:
    tag = match.group(0)
    if not _SECRET_INPUT_NAME.search(tag):
        return tag
    return _VALUE_ATTR.sub(
        lambda m: f"{m['head']}{m['q'] or ''}{REDACTED}{m['q'] or ''}", tag, count=1
    )


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets and anything shaped like a MediaWiki token or secret,
    in every spelling."""
    text = _remove_known(text, _usable(secrets))
    text = _MW_TOKEN.sub(REDACTED, text)
    text = _TOKEN_JSON.sub(rf'\1"{REDACTED}"', text)
    if '"' in text and "\\" in text:
        text = _TOKEN_JSON_ESCAPED.sub(rf"\g<head>{REDACTED}\g<q>", text)
    text = _redact_parameters(text)
    if '"name"' in text:
        text = _NAMED_OBJECT.sub(_redact_object, text)
    return _INPUT_TAG.sub(_redact_input, text)


# --- files and zips -------------------------------------------------------------------------

# Images, fonts, media and archives: not text, never rewritten (a byte match would be chance).
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"wOFF", b"wOF2", b"PK\x03\x04")


def is_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: text in another encoding (read byte for byte below) or something binary.
        return b"\x00" in data[:4096]
    return False


def redact_bytes(data: bytes, secrets: Iterable[str] = ()) -> bytes:
    """Redacted text bytes (UTF-8, else read as Latin-1 byte for byte); binaries unchanged."""
    if is_binary(data):
        return data
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    redacted = redact(text, secrets)
    return data if redacted == text else redacted.encode(encoding)


def redact_trace(source: Path, target: Path, secrets: Iterable[str] = ()) -> bool:
    """Copy a Playwright trace zip, redacting every text member (actions, DOM snapshots,
    network log, response bodies); images are copied as they are.

    ``source`` (the raw trace) is always deleted. False, and no ``target``, when it cannot be
    read whole (a browser that crashed while writing it): half a trace is not worth a leak.
    """
    known = _usable(secrets)
    try:
        with (
            zipfile.ZipFile(source) as src,
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as dst,
        ):
            for info in src.infolist():
                dst.writestr(info.filename, redact_bytes(src.read(info), known))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError):
        target.unlink(missing_ok=True)
        return False
    finally:
        source.unlink(missing_ok=True)
    return True


def redact_file(path: Path, secrets: Iterable[str] = ()) -> bool:
    """Rewrite the text file ``path`` redacted; True if anything was removed."""
    data = path.read_bytes()
    redacted = redact_bytes(data, secrets)
    if redacted == data:
        return False
    tmp = path.with_name(path.name + ".redacting")
    tmp.write_bytes(redacted)
    tmp.replace(path)
    return True


# Written already redacted, with the same secrets, by smoke.output.evidence (artifacts, and the
# Allure attachments of page HTML, trace and screenshot): a second pass would only cost time
# (≈0.1 CPU-s per MB). The small console-log attachments (.txt) are read again, as everything
# else is. Sessions and host slots are no output.
_WRITTEN_REDACTED = (
    f"{AUTH_DIR}/*",
    ".slots/*",
    f"{ARTIFACTS_DIR}/*",
    f"{ALLURE_RESULTS_DIR}/*-attachment.html",
    f"{ALLURE_RESULTS_DIR}/*-attachment.zip",
    f"{ALLURE_RESULTS_DIR}/*-attachment.png",
)


def scrub_run(run_dir: Path, secrets: Iterable[str] = ()) -> int:
    """The end-of-run pass over what was written without redaction (results.json, summary.md,
    junit.xml, checks/, tracebacks/, Allure results): every text file redacted in place.
    The number of files changed."""
    known = _usable(secrets)
    changed = 0
    for path in sorted(run_dir.rglob("*")):
        relative = path.relative_to(run_dir).as_posix()
        if any(fnmatch.fnmatchcase(relative, p) for p in _WRITTEN_REDACTED):
            continue
        if path.is_symlink() or not path.is_file() or path.suffix == ".zip":
            continue
        try:
            changed += redact_file(path, known)
        except OSError:
            continue  # vanished or unreadable: nothing of it is written by this pass
    return changed
