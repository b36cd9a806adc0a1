"""The reusable field types of wikis.yaml: validated names, URLs, page lists and parameters.

A check that concerns an item *inside* the value raises
:class:`~smoke.config.errors.FieldProblem` with a subpath, so the loader can point at that item's
line instead of the whole field's.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

from smoke.config.errors import FieldProblem, did_you_mean, one_of
from smoke.model.checks import Page
from smoke.model.values import MAX_TIMEOUT_S, BadValue, parse_duration

PAGE_NAMES: tuple[str, ...] = tuple(page.value for page in Page)
URL_PLACEHOLDERS: frozenset[str] = frozenset({"id", "lang"})
# Keys that would hold a secret. wikis.yaml is committed and shared; secrets live in the
# environment and the file only names the variables (username_env / password_env).
SECRET_KEYS: frozenset[str] = frozenset(
    {"password", "passwd", "pass", "token", "secret", "api_key", "apikey", "bot_password"}
)
CREDENTIALS_MESSAGE = (
    "credentials must not be written in wikis.yaml; put them in environment variables and name "
    "those under login: {username_env: VAR, password_env: VAR}"
)


# Compiled once: a large target validates one id and lang per wiki.
_WIKI_ID = re.compile(r"[a-z0-9_]+")
_LANG = re.compile(r"[a-z][a-z0-9-]*")


def _check_wiki_id(value: str) -> str:
    if not _WIKI_ID.fullmatch(value):
        raise ValueError(f"wiki id {value!r} must use only a-z, 0-9 and _ (like 'enwiki')")
    return value


def _check_lang(value: str) -> str:
    if not _LANG.fullmatch(value):
        raise ValueError(f"lang {value!r} must be a lowercase language code like 'en' or 'zh-yue'")
    return value


def _check_env_name(value: str) -> str:
    # Never echo the value: if this fails, someone may have pasted the secret itself.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(
            "must be the name of an environment variable (letters, digits, _), "
            "not the credential itself"
        )
    return value


def check_placeholders(value: str, allowed: frozenset[str], what: str) -> str:
    """``value``, a ``str.format`` template naming only ``allowed`` placeholders; else a
    ValueError naming ``what`` (a URL, a log link, a log path...)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not a valid template ({exc})") from None
    unknown = names - allowed
    if unknown:
        raise ValueError(
            f"{what} {value!r} uses unknown placeholder {{{sorted(unknown)[0]}}}; "
            f"available: {', '.join('{' + n + '}' for n in sorted(allowed))}"
        )
    return value


def _check_url_template(value: str) -> str:
    check_placeholders(value, URL_PLACEHOLDERS, "url")
    try:
        sample = value.format(id="x", lang="x")
    except (ValueError, IndexError, KeyError) as exc:
        raise ValueError(f"url {value!r} is not a valid template ({exc})") from None
    parts = urlsplit(sample)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"url {value!r} must start with http:// or https:// and name a host")
    if parts.query or parts.fragment or parts.path.endswith(".php"):
        raise ValueError(
            f"url {value!r} must be the directory holding index.php "
            "(e.g. https://en.wikipedia.beta.wmcloud.org/w), without a query or file name"
        )
    return value.rstrip("/")


def check_unique_items(value: Any, *, what: str, valid: tuple[str, ...] | None) -> Any:
    """Item-level checks for a list of names, so the error points at the offending item."""
    if not isinstance(value, list | tuple):
        return value  # pydantic reports the type error
    seen: set[object] = set()
    for index, item in enumerate(value):
        if valid is not None and isinstance(item, str) and item not in valid:
            raise FieldProblem(
                f"unknown {what} {item!r}{did_you_mean(item, valid)}; valid: {one_of(valid)}",
                (index,),
            )
        if isinstance(item, str) and item in seen:
            raise FieldProblem(f"{what} {item!r} is listed twice", (index,))
        seen.add(item)
    return value


def _check_pages(value: Any) -> Any:
    if isinstance(value, list | tuple) and not value:
        raise FieldProblem("list at least one page (or leave the key out for all pages)")
    return check_unique_items(value, what="page", valid=PAGE_NAMES)


def _params_to_strings(value: Any) -> Any:
    """YAML reads ``hidenondamaging: 1`` as an int; URL parameters are strings."""
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        if isinstance(item, bool):
            out[key] = "1" if item else "0"
        elif isinstance(item, int | float):
            out[key] = str(item)
        else:
            out[key] = item
    return out


def check_budget_pages(value: Any) -> Any:
    if isinstance(value, dict):
        for key in value:
            if key not in PAGE_NAMES:
                raise FieldProblem(
                    f"unknown page {key!r}{did_you_mean(str(key), PAGE_NAMES)}; "
                    f"pages: {one_of(PAGE_NAMES)}",
                    (str(key),),
                )
    return value


WikiId = Annotated[str, AfterValidator(_check_wiki_id)]
Lang = Annotated[str, AfterValidator(_check_lang)]
EnvName = Annotated[str, AfterValidator(_check_env_name)]
UrlTemplate = Annotated[str, AfterValidator(_check_url_template)]
NonEmpty = Annotated[str, Field(min_length=1)]
Pages = Annotated[tuple[Page, ...], BeforeValidator(_check_pages)]
Seconds = Annotated[float, Field(gt=0, le=MAX_TIMEOUT_S)]


def _duration(value: Any) -> Any:
    """``90``, ``"90s"``, ``"5m"``: the same words as the command line's durations."""
    if isinstance(value, bool):
        return value  # pydantic says "not a number"
    if isinstance(value, int | float | str):
        try:
            return parse_duration(str(value))
        except BadValue as exc:
            raise FieldProblem(str(exc)) from None
    return value


Duration = Annotated[float, BeforeValidator(_duration)]
Params = Annotated[dict[str, str], BeforeValidator(_params_to_strings)]
