"""The configuration layer: wikis.yaml -> typed, frozen config -> resolved checks.

Typical use::

    config = load_config("wikis.yaml")                 # ConfigError: file:line: field: message
    checks = build_checks(config, "beta", selection=Selection(wikis=("ruwiki",)))
    for entry in expired_allowlist(config, date.today()): ...

``build_checks`` returns skipped checks too (with ``skip_reason``); never drop them silently.
"""

from __future__ import annotations

from smoke.config.errors import ConfigError, error_at
from smoke.config.expand import build_checks, page_url
from smoke.config.loader import load_config, parse_config
from smoke.config.schema import SmokeConfig
from smoke.config.selection import Selection
from smoke.config.settings import (
    DEFAULT_TIMEOUTS,
    LoginEnv,
    Timeouts,
    active_allowlist,
    expired_allowlist,
    login_for,
    target_names,
    timeouts_for,
    wiki_ids,
)
from smoke.config.variants import DEFAULT_VARIANTS, Variant

__all__ = [
    "DEFAULT_TIMEOUTS",
    "DEFAULT_VARIANTS",
    "ConfigError",
    "LoginEnv",
    "Selection",
    "SmokeConfig",
    "Timeouts",
    "Variant",
    "active_allowlist",
    "build_checks",
    "error_at",
    "expired_allowlist",
    "load_config",
    "login_for",
    "page_url",
    "parse_config",
    "target_names",
    "timeouts_for",
    "wiki_ids",
]
