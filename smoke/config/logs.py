"""``logs:`` of a target: where the server's exception behind a request id can be read.

One reader at most — the wiki's ``exception_log`` (a file on this machine; ``testbed`` for the
local farm's) or a ``search`` (an OpenSearch/Elasticsearch-compatible ``_search`` endpoint) —
plus, optionally, a ``link`` to show people. The search's query template and its credentials
come from the environment: the file only names the variables (docs/server-logs.md).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from smoke.config.errors import FieldProblem
from smoke.config.fields import SECRET_KEYS, Duration, EnvName, NonEmpty, check_placeholders
from smoke.config.model_base import ClosedModel

TESTBED_LOG = "testbed"  # exception_log: testbed — each farm wiki's own exception.log
DEFAULT_QUERY_TIMEOUT_S = 5.0  # one query (or one file read)
DEFAULT_BUDGET_S = 60.0  # all reads of one run together
MAX_LOGS_S = 600.0
FROM_ENVIRONMENT = (
    "the log search's query template and credentials come from the environment, never from "
    "wikis.yaml; name the variables: search: {url: …, query_env: VAR, authorization_env: VAR} "
    "(or username_env and password_env)"
)


def _web_url(value: str, what: str) -> None:
    parts = urlsplit(value.replace("{", "").replace("}", ""))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} {value!r} must start with http:// or https:// and name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{what} must not hold credentials; {FROM_ENVIRONMENT}")


def _check_link(value: str) -> str:
    check_placeholders(value, frozenset({"reqid", "id"}), "link")
    if "{reqid}" not in value:
        raise ValueError(f"link {value!r} must contain {{reqid}} (where the request id goes)")
    _web_url(value, "link")
    return value


def _check_search_url(value: str) -> str:
    _web_url(value, "url")
    if "{" in value or "}" in value:
        raise ValueError(f"url {value!r} takes no placeholders; the query carries the request id")
    return value


def _check_exception_log(value: str) -> str:
    if value == TESTBED_LOG:
        return value
    check_placeholders(value, frozenset({"id"}), "exception_log")
    if not value.startswith("/"):
        raise ValueError(
            f"exception_log {value!r} must be {TESTBED_LOG!r} (the local farm's) or an absolute "
            "path, with {id} for the wiki id (e.g. /var/log/mediawiki/{id}/exception.log)"
        )
    return value


LogSeconds = Annotated[Duration, Field(gt=0, le=MAX_LOGS_S)]


class LogSearchModel(ClosedModel):
    """An OpenSearch/Elasticsearch-compatible ``_search`` endpoint answering by request id."""

    secret_keys: ClassVar[frozenset[str]] = SECRET_KEYS | {
        "query",
        "body",
        "authorization",
        "headers",
        "username",
        "user",
    }

    url: Annotated[NonEmpty, AfterValidator(_check_search_url)]
    query_env: EnvName | None = None  # JSON with "{reqid}"; unset: the documented default
    authorization_env: EnvName | None = None  # the whole Authorization header value
    username_env: EnvName | None = None  # HTTP basic authentication
    password_env: EnvName | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_secrets_here(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if str(key).lower() in cls.secret_keys:
                    raise FieldProblem(FROM_ENVIRONMENT, (str(key),))
        return data

    @model_validator(mode="after")
    def _one_authentication(self) -> LogSearchModel:
        basic = (self.username_env, self.password_env)
        if (basic[0] is None) != (basic[1] is None):
            missing = "password_env" if basic[1] is None else "username_env"
            raise FieldProblem(f"basic authentication needs both username_env and {missing}")
        if self.authorization_env is not None and basic[0] is not None:
            raise FieldProblem(
                "give either authorization_env or username_env/password_env, not both",
                ("authorization_env",),
            )
        return self


class LogsModel(ClosedModel):
    exception_log: Annotated[NonEmpty, AfterValidator(_check_exception_log)] | None = None
    search: LogSearchModel | None = None
    link: Annotated[NonEmpty, AfterValidator(_check_link)] | None = None
    timeout: LogSeconds = DEFAULT_QUERY_TIMEOUT_S
    budget: LogSeconds = DEFAULT_BUDGET_S

    @model_validator(mode="after")
    def _one_reader(self) -> LogsModel:
        if self.exception_log is not None and self.search is not None:
            raise FieldProblem(
                "give one place to read exceptions from: exception_log or search, not both",
                ("search",),
            )
        if self.exception_log is None and self.search is None and self.link is None:
            raise FieldProblem(
                "say where the server's exceptions are: exception_log (a file, or 'testbed'), "
                "search (a _search endpoint) or link (a URL template with {reqid})"
            )
        return self

    @property
    def reads(self) -> bool:
        """Whether smoke reads the server's exceptions itself (not only links to them)."""
        return self.exception_log is not None or self.search is not None
