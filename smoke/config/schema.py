"""The typed, frozen shape of wikis.yaml.

Validation that needs a position below the validated field raises
:class:`~smoke.config.errors.FieldProblem` so the loader can report the exact key or list item
(and its line). Messages are written for a release engineer reading them in a terminal: what is
wrong, and what would be right.
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from smoke.config.errors import (
    ConfigError,
    ConfigSource,
    FieldProblem,
    did_you_mean,
    one_of,
)
from smoke.config.variants import DEFAULT_VARIANTS, Variant, make_variant
from smoke.model.checks import ORES_MODELS, Page
from smoke.model.wikimedia import TASK_PATTERN

PAGE_NAMES: tuple[str, ...] = tuple(page.value for page in Page)
URL_PLACEHOLDERS: frozenset[str] = frozenset({"id", "lang"})
# Keys that would hold a secret. wikis.yaml is committed and shared; secrets live in the
# environment and the file only names the variables (username_env / password_env).
SECRET_KEYS: frozenset[str] = frozenset(
    {"password", "passwd", "pass", "token", "secret", "api_key", "apikey", "bot_password"}
)
_CREDENTIALS_MESSAGE = (
    "credentials must not be written in wikis.yaml; put them in environment variables and name "
    "those under login: {username_env: VAR, password_env: VAR}"
)


# --- reusable field types -------------------------------------------------------------------


def _check_wiki_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", value):
        raise ValueError(f"wiki id {value!r} must use only a-z, 0-9 and _ (like 'enwiki')")
    return value


def _check_lang(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", value):
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


def _check_url_template(value: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValueError(f"url {value!r} is not a valid template ({exc})") from None
    unknown = names - URL_PLACEHOLDERS
    if unknown:
        raise ValueError(
            f"url {value!r} uses unknown placeholder {{{sorted(unknown)[0]}}}; "
            "only {id} and {lang} are available"
        )
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


def _check_unique_items(value: Any, *, what: str, valid: tuple[str, ...] | None) -> Any:
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
    return _check_unique_items(value, what="page", valid=PAGE_NAMES)


def _check_ores(value: Any) -> Any:
    return _check_unique_items(value, what="ORES model", valid=ORES_MODELS)


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


WikiId = Annotated[str, AfterValidator(_check_wiki_id)]
Lang = Annotated[str, AfterValidator(_check_lang)]
EnvName = Annotated[str, AfterValidator(_check_env_name)]
UrlTemplate = Annotated[str, AfterValidator(_check_url_template)]
NonEmpty = Annotated[str, Field(min_length=1)]
Pages = Annotated[tuple[Page, ...], BeforeValidator(_check_pages)]
OresModels = Annotated[tuple[str, ...], BeforeValidator(_check_ores)]
Seconds = Annotated[float, Field(gt=0, le=3600)]


# --- models ---------------------------------------------------------------------------------


class _Model(BaseModel):
    """Frozen, closed models; unknown keys get a 'did you mean' instead of pydantic's message."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    secret_keys: ClassVar[frozenset[str]] = SECRET_KEYS

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fields = list(cls.model_fields)
            for key in data:
                if key in cls.model_fields:
                    continue
                name = str(key)
                if name.lower() in cls.secret_keys:
                    raise FieldProblem(_CREDENTIALS_MESSAGE, (name,))
                hint = did_you_mean(name, fields)
                raise FieldProblem(
                    f"unknown key {name!r}{hint}; valid keys: {one_of(fields)}", (name,)
                )
        return data


class TimeoutsModel(_Model):
    """Seconds. Unset fields fall back to the enclosing level: wiki, target, file, default."""

    navigation: Seconds | None = None
    ready: Seconds | None = None


class LoginModel(_Model):
    """Names of the environment variables holding the credentials (never the credentials)."""

    secret_keys: ClassVar[frozenset[str]] = SECRET_KEYS | {"username", "user", "name"}

    username_env: EnvName
    password_env: EnvName


class AllowEntryModel(_Model):
    pattern: NonEmpty
    reason: NonEmpty
    task: Annotated[str, Field(pattern=TASK_PATTERN)] | None = None
    expires: date | None = None

    @model_validator(mode="after")
    def _pattern_compiles(self) -> AllowEntryModel:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            message = f"pattern is not a valid regular expression: {exc}"
            raise FieldProblem(message, ("pattern",)) from None
        return self


class DetectorSettings(_Model):
    enabled: bool = True


class VariantModel(_Model):
    name: NonEmpty
    pages: Pages
    params: Annotated[dict[str, str], BeforeValidator(_params_to_strings)] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _valid_params(self) -> VariantModel:
        self.to_variant()  # raises FieldProblem with a subpath relative to this variant
        return self

    def to_variant(self) -> Variant:
        return make_variant(self.name, self.pages, self.params)


class WikiModel(_Model):
    id: WikiId
    ores: OresModels  # required on purpose: "no ORES" must be said ([]), not assumed
    lang: Lang | None = None
    url: UrlTemplate | None = None
    contributions_user: NonEmpty | None = None
    pages: Pages | None = None
    timeouts: TimeoutsModel | None = None
    login: LoginModel | None = None
    skip_variants: tuple[NonEmpty, ...] = ()

    def selected_pages(self) -> tuple[Page, ...]:
        """This wiki's pages in the canonical order (all three unless ``pages`` narrows them)."""
        return tuple(page for page in Page if self.pages is None or page in self.pages)


class TargetModel(_Model):
    # true: the bundled local farm; URLs and credentials come from the testbed state file.
    testbed: bool = False
    url: UrlTemplate | None = None
    login: LoginModel | None = None
    contributions_user: NonEmpty | None = None
    timeouts: TimeoutsModel | None = None
    # api.php answering action=sitematrix, for `smoke discover` (e.g. beta's meta wiki).
    sitematrix: NonEmpty | None = None
    wikis: Annotated[tuple[WikiModel, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> TargetModel:
        if self.testbed:
            self._check_testbed()
        else:
            self._check_urls()
        seen: dict[str, int] = {}
        for index, wiki in enumerate(self.wikis):
            if wiki.id in seen:
                raise FieldProblem(
                    f"duplicate wiki id {wiki.id!r} (already used by wikis[{seen[wiki.id]}])",
                    ("wikis", index, "id"),
                )
            seen[wiki.id] = index
        return self

    def _check_testbed(self) -> None:
        owner = "the testbed farm provides them"
        if self.url is not None:
            raise FieldProblem(f"a testbed target takes no url; {owner}", ("url",))
        if self.login is not None:
            raise FieldProblem(f"a testbed target takes no login; {owner}", ("login",))
        for index, wiki in enumerate(self.wikis):
            for key in ("url", "login"):
                if getattr(wiki, key) is not None:
                    raise FieldProblem(
                        f"a testbed wiki takes no {key}; {owner}", ("wikis", index, key)
                    )

    def _check_urls(self) -> None:
        for index, wiki in enumerate(self.wikis):
            template = wiki.url or self.url
            if template is None:
                raise FieldProblem(
                    f"wiki {wiki.id!r} has no URL: give it a url, or give the target a url "
                    "template with {id}/{lang} (or testbed: true)",
                    ("wikis", index),
                )
            if wiki.lang is None and "{lang}" in template:
                raise FieldProblem(
                    f"wiki {wiki.id!r} needs a lang: the url template {template!r} uses {{lang}}",
                    ("wikis", index),
                )

    def wiki(self, wiki_id: str) -> WikiModel:
        for wiki in self.wikis:
            if wiki.id == wiki_id:
                return wiki
        ids = [wiki.id for wiki in self.wikis]
        raise ConfigError(f"unknown wiki {wiki_id!r}{did_you_mean(wiki_id, ids)}")

    def wiki_index(self, wiki_id: str) -> int:
        return [wiki.id for wiki in self.wikis].index(wiki_id)


class BudgetModel(_Model):
    """Milliseconds from navigation start; exceeding one is a finding of the `budget` detector."""

    ttfb_ms: Annotated[float, Field(gt=0)] | None = None
    load_ms: Annotated[float, Field(gt=0)] | None = None
    ready_ms: Annotated[float, Field(gt=0)] | None = None


def _check_budget_pages(value: Any) -> Any:
    if isinstance(value, dict):
        for key in value:
            if key not in PAGE_NAMES:
                raise FieldProblem(
                    f"unknown page {key!r}{did_you_mean(str(key), PAGE_NAMES)}; "
                    f"pages: {one_of(PAGE_NAMES)}",
                    (str(key),),
                )
    return value


class KnownIssueModel(_Model):
    """A quarantined failure: matching checks still run; their result shows as *known*."""

    task: Annotated[str, Field(pattern=TASK_PATTERN)]
    wiki: NonEmpty = "*"  # fnmatch patterns
    page: NonEmpty = "*"
    variant: NonEmpty = "*"
    detector: NonEmpty | None = None
    message: NonEmpty | None = None  # regular expression searched in the finding's message
    reason: NonEmpty | None = None
    expires: date | None = None

    @model_validator(mode="after")
    def _message_compiles(self) -> KnownIssueModel:
        if self.message is not None:
            try:
                re.compile(self.message)
            except re.error as exc:
                raise FieldProblem(
                    f"message is not a valid regular expression: {exc}", ("message",)
                ) from None
        return self


class SmokeConfig(_Model):
    """The whole of wikis.yaml."""

    contact: NonEmpty | None = None  # goes into the User-Agent (Wikimedia's UA policy)
    timeouts: TimeoutsModel = Field(default_factory=TimeoutsModel)
    detectors: dict[str, DetectorSettings] = Field(default_factory=dict)
    allowlist: tuple[AllowEntryModel, ...] = ()
    # None: the built-in DEFAULT_VARIANTS. A list replaces the whole matrix.
    variants: tuple[VariantModel, ...] | None = None
    # A failed or broken check is tried again this many times; a pass on retry is "flaky".
    retries: Annotated[int, Field(ge=0, le=5)] = 1
    # Page loads in flight at once against one host, across all workers (politeness).
    max_per_host: Annotated[int, Field(ge=1, le=64)] = 2
    # Per-page timing budgets (page name -> limits).
    budgets: Annotated[dict[str, BudgetModel], BeforeValidator(_check_budget_pages)] = Field(
        default_factory=dict
    )
    known_issues: tuple[KnownIssueModel, ...] = ()
    targets: Annotated[dict[str, TargetModel], Field(min_length=1)]

    _source: ConfigSource | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _cross_checks(self) -> SmokeConfig:
        for name in self.targets:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
                raise FieldProblem(
                    f"target name {name!r} must use only letters, digits, _ . -", ("targets", name)
                )
        seen: dict[str, int] = {}
        for index, variant in enumerate(self.variants or ()):
            if variant.name in seen:
                raise FieldProblem(
                    f"duplicate variant name {variant.name!r} (already used by "
                    f"variants[{seen[variant.name]}]); one variant can list several pages",
                    ("variants", index, "name"),
                )
            seen[variant.name] = index
        names = [variant.name for variant in self.variant_matrix()]
        for target_name, target in self.targets.items():
            for w_index, wiki in enumerate(target.wikis):
                for s_index, skipped in enumerate(wiki.skip_variants):
                    if skipped not in names:
                        raise FieldProblem(
                            f"unknown variant {skipped!r}{did_you_mean(skipped, names)}; "
                            f"variants: {one_of(names)}",
                            ("targets", target_name, "wikis", w_index, "skip_variants", s_index),
                        )
        return self

    @property
    def source(self) -> ConfigSource | None:
        """File and line numbers, when the config was loaded from a file."""
        return self._source

    def variant_matrix(self) -> tuple[Variant, ...]:
        if self.variants is None:
            return DEFAULT_VARIANTS
        return tuple(variant.to_variant() for variant in self.variants)

    def target(self, name: str) -> TargetModel:
        try:
            return self.targets[name]
        except KeyError:
            pass
        where = f" in {self._source.file}" if self._source else ""
        raise ConfigError(
            f"unknown target {name!r}{did_you_mean(name, self.targets)}; "
            f"targets{where}: {one_of(self.targets)}"
        ) from None
