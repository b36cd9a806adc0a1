"""Values users type on the command line or in wikis.yaml: durations, counts, run ids, addresses.

Each parser takes the text and returns the value or raises :class:`BadValue` with one sentence
that names the value's rule. The CLI (argparse ``type=``), the pytest plugin's options and the
configuration schema use the same parsers and limits, so ``--retries -1`` and ``retries: -1`` are
refused with the same words.
"""

from __future__ import annotations

import ipaddress
import re

# The defaults of wikis.yaml's settings, defined once (schema, plan, options' help, docs).
DEFAULT_NAVIGATION_TIMEOUT_S = 30.0
DEFAULT_READY_TIMEOUT_S = 15.0
DEFAULT_RETRIES = 1
DEFAULT_MAX_PER_HOST = 2
DEFAULT_GIVE_UP_AFTER = 2

MAX_RETRIES = 5
MAX_TIMEOUT_S = 3600.0
MAX_PER_HOST = 64
MAX_GIVE_UP_AFTER = 100
MAX_DURATION_S = 7 * 24 * 3600.0

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class BadValue(ValueError):
    """A value that breaks its rule; the message is one sentence naming the rule."""


def parse_duration(text: str, *, maximum: float = MAX_DURATION_S) -> float:
    """``"20s"``, ``"1.5m"``, ``"2h"``, ``"500ms"`` or plain seconds ``"90"`` → seconds (> 0)."""
    match = _DURATION.match(str(text))
    if not match:
        raise BadValue(
            f"{text!r} is not a duration: use a number with an optional unit, e.g. 20s, 5m, 1h"
        )
    seconds = float(match[1]) * _UNIT_SECONDS[(match[2] or "").lower()]
    if seconds <= 0:
        raise BadValue(f"{text!r}: a duration must be more than 0")
    if seconds > maximum:
        raise BadValue(f"{text!r}: a duration may be at most {maximum:g} s")
    return seconds


def parse_timeout(text: str) -> float:
    """A timeout in seconds: a number (or duration) in (0, MAX_TIMEOUT_S]."""
    return parse_duration(text, maximum=MAX_TIMEOUT_S)


def parse_count(text: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number within [minimum, maximum]."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise BadValue(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise BadValue(f"{text!r}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise BadValue(f"{text!r}: must be at most {maximum}")
    return value


def parse_retries(text: str) -> int:
    return parse_count(text, minimum=0, maximum=MAX_RETRIES)


def parse_positive(text: str) -> int:
    return parse_count(text, minimum=1)


def parse_per_host(text: str) -> int:
    return parse_count(text, minimum=1, maximum=MAX_PER_HOST)


def parse_run_id(text: str) -> str:
    """A run directory name: letters, digits, ``.``, ``_``, ``-``; no path, not ``latest``."""
    if text in ("latest", "previous") or not _RUN_ID.match(text) or ".." in text:
        raise BadValue(
            f"{text!r} is not a plain run name: use letters, digits, '.', '_' and '-' "
            "(no '/', no '..', not 'latest' or 'previous')"
        )
    return text


def parse_ip(text: str) -> str:
    """An IPv4 or IPv6 address (brackets allowed around IPv6)."""
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        raise BadValue(f"{text!r} is not an IP address") from None


def parse_port(text: str) -> int:
    return parse_count(text, minimum=1024, maximum=65535)
