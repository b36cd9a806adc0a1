"""The typed, frozen shape of wikis.yaml: one pydantic model per section.

Validation that needs a position below the validated field raises
:class:`~smoke.config.errors.FieldProblem` so the loader can report the exact key or list item
(and its line). Messages are written for a release engineer reading them in a terminal: what is
wrong, and what would be right. Field types live in :mod:`smoke.config.fields`, the ORES levels in
:mod:`smoke.config.ores`.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
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
from smoke.config.fields import (
    CREDENTIALS_MESSAGE,
    SECRET_KEYS,
    Duration,
    EnvName,
    Lang,
    NonEmpty,
    Pages,
    Params,
    Seconds,
    UrlTemplate,
    WikiId,
    check_budget_pages,
)
from smoke.config.ores import OresLevels
from smoke.config.variants import DEFAULT_VARIANTS, Variant, make_variant
from smoke.model.checks import Page
from smoke.model.values import MAX_GIVE_UP_AFTER, MAX_PER_HOST, MAX_RETRIES
from smoke.model.wikimedia import TASK_PATTERN

# --- models ---------------------------------------------------------------------------------


class _Model(BaseModel):
    """Frozen, closed models; unknown keys get a 'did you mean' instead of pydantic's message."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    secret_keys: ClassVar[frozenset[str]] = SECRET_KEYS

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = _field_names(cls)
            for key in data:
                if key in known:
                    continue
                fields = list(known)
                name = str(key)
                if name.lower() in cls.secret_keys:
                    raise FieldProblem(CREDENTIALS_MESSAGE, (name,))
                hint = did_you_mean(name, fields)
                raise FieldProblem(
                    f"unknown key {name!r}{hint}; valid keys: {one_of(fields)}", (name,)
                )
        return data


_FIELD_NAMES: dict[type[BaseModel], dict[str, None]] = {}


def _field_names(cls: type[BaseModel]) -> dict[str, None]:
    """The field names of a model class, in order; looked up once per class (a large target
    validates one model per wiki, and ``model_fields`` is slow to read)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = dict.fromkeys(cls.model_fields)
    return names


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
    params: Params = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid_params(self) -> VariantModel:
        self.to_variant()  # raises FieldProblem with a subpath relative to this variant
        return self

    def to_variant(self) -> Variant:
        return make_variant(self.name, self.pages, self.params)


class WikiModel(_Model):
    id: WikiId
    # Model -> levels the wiki offers (smoke.config.ores). Required on purpose: "no ORES" must be
    # said ([]), not assumed.
    ores: OresLevels
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

    @property
    def ores_models(self) -> tuple[str, ...]:
        """The ORES models the wiki has, in canonical order (empty: no ORES)."""
        return tuple(self.ores)


class TargetModel(_Model):
    # true: the bundled local farm; URLs and credentials come from the testbed state file.
    testbed: bool = False
    url: UrlTemplate | None = None
    login: LoginModel | None = None
    contributions_user: NonEmpty | None = None
    timeouts: TimeoutsModel | None = None
    # api.php answering action=sitematrix, for `smoke discover` (e.g. beta's meta wiki).
    sitematrix: NonEmpty | None = None
    # Stop loading checks this long after the run starts (--deadline overrides): "90s", "5m".
    deadline: Duration | None = None
    # ores-scoring: an edit older than this with no ORES score, while earlier edits of its kind
    # have one, means scoring stopped ("10m", "2h"; default 30 minutes).
    scoring_grace: Duration | None = None
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
        return self.wikis[self.wiki_index(wiki_id)]

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        # Lookups by id happen once per wiki: a scan of the list each time made a target of
        # 50,000 wikis take minutes. (cached_property works on frozen pydantic models.)
        return {wiki.id: index for index, wiki in enumerate(self.wikis)}

    def wiki_index(self, wiki_id: str) -> int:
        """Position of ``wiki_id`` in ``wikis``; ConfigError (with a suggestion) when unknown."""
        index = self._positions.get(wiki_id)
        if index is not None and (index >= len(self.wikis) or self.wikis[index].id != wiki_id):
            # A model_copy with other wikis carries the old table along: look again.
            self.__dict__.pop("_positions", None)
            index = self._positions.get(wiki_id)
        if index is None:
            ids = [wiki.id for wiki in self.wikis]
            raise ConfigError(f"unknown wiki {wiki_id!r}{did_you_mean(wiki_id, ids)}")
        return index


class BudgetModel(_Model):
    """Milliseconds from navigation start; exceeding one is a finding of the `budget` detector."""

    ttfb_ms: Annotated[float, Field(gt=0)] | None = None
    load_ms: Annotated[float, Field(gt=0)] | None = None
    ready_ms: Annotated[float, Field(gt=0)] | None = None


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
    retries: Annotated[int, Field(ge=0, le=MAX_RETRIES)] = 1
    # Page loads in flight at once against one host, across all workers (politeness).
    max_per_host: Annotated[int, Field(ge=1, le=MAX_PER_HOST)] = 2
    # Consecutive navigation timeouts on one wiki's page (or unreachable results on one host)
    # after which the rest of its checks are not loaded (README, *Time to verdict*).
    give_up_after: Annotated[int, Field(ge=1, le=MAX_GIVE_UP_AFTER)] = 2
    # Per-page timing budgets (page name -> limits).
    budgets: Annotated[dict[str, BudgetModel], BeforeValidator(check_budget_pages)] = Field(
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
