"""Reading the server's exceptions for a run's failed checks: bounded, and never an outcome.

Called by the controller at the end of a run, before root causes are computed (see
ARCHITECTURE.md, *Server logs*). Each failed, broken or known check with a request id gets a
``server`` record: the exception (class, message, first frames) when the log has it, the link
when ``logs.link`` is set. Whatever goes wrong — a missing file, an unreachable search, unset
variables, a spent budget — becomes a note in the run, never a change of outcome.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from smoke.config.logs import TESTBED_LOG, LogsModel
from smoke.model.http_client import basic_authorization
from smoke.model.outcome import Outcome
from smoke.serverlog import exception_log
from smoke.serverlog.model import ServerException
from smoke.serverlog.search import DEFAULT_QUERY, LogSearch, SearchError

LOOKED_UP = (Outcome.FAILED.value, Outcome.BROKEN.value, Outcome.KNOWN.value)
GIVE_UP_AFTER = 2  # consecutive failed queries after which the search is not asked again
SOURCE_FILE = "exception.log"
SOURCE_SEARCH = "log search"
SOURCE_LINK = "link"


@dataclass
class ServerLogs:
    """What the run's logs said: check id -> ``server`` record, and notes for the run."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    secrets: tuple[str, ...] = ()  # the search's credentials, for the run's redaction


def request_id_of(check: Mapping[str, Any]) -> str:
    """The page's request id, else the one the server-error finding read off the error page."""
    if check.get("request_id"):
        return str(check["request_id"])
    for finding in check.get("findings") or []:
        evidence = finding.get("evidence") if isinstance(finding, Mapping) else None
        if isinstance(evidence, Mapping) and evidence.get("request_id"):
            return str(evidence["request_id"])
    return ""


def expects_exception(check: Mapping[str, Any]) -> bool:
    """An HTTP 5xx or an error page: the server should have logged an exception. (Other failed
    checks are looked up too, but their absence from the log is no news.)"""
    status = check.get("status")
    if isinstance(status, int) and status >= 500:
        return True
    findings = check.get("findings") or []
    return any(isinstance(f, Mapping) and f.get("detector") == "server-error" for f in findings)


def read_server_errors(
    checks: Sequence[Mapping[str, Any]],
    logs: LogsModel | None,
    *,
    farm_logs: Mapping[str, Path] | None = None,
    environ: Mapping[str, str],
    user_agent: str,
    clock: Callable[[], float] = time.monotonic,
) -> ServerLogs:
    """The ``server`` records of ``checks`` (results.json records) and the notes of reading.

    ``farm_logs``: wiki id -> its exception.log, for ``exception_log: testbed``.
    """
    out = ServerLogs()
    wanted = [c for c in checks if c.get("outcome") in LOOKED_UP and request_id_of(c)]
    if logs is None or not wanted:
        return out
    if logs.link is not None:
        for check in wanted:
            link = logs.link.format(reqid=quote(request_id_of(check), safe=""), id=check["wiki"])
            out.records[str(check["id"])] = {
                "source": SOURCE_LINK,
                "request_id": request_id_of(check),
                "link": link,
            }
    deadline = clock() + logs.budget
    if logs.exception_log is not None:
        _from_files(wanted, logs, farm_logs or {}, out, deadline, clock)
    elif logs.search is not None:
        _from_search(wanted, logs, environ, user_agent, out, deadline, clock)
    return out


def _found(out: ServerLogs, check: Mapping[str, Any], entry: ServerException, source: str) -> None:
    previous = out.records.get(str(check["id"]), {})
    out.records[str(check["id"])] = entry.to_record(source, previous.get("link"))


def _missing_note(missing: int, where: str) -> str:
    return (
        f"server logs: no entry in {where} for {missing} failed check(s)' request id(s); "
        "those checks carry no server-side message"
    )


def _from_files(
    wanted: Sequence[Mapping[str, Any]],
    logs: LogsModel,
    farm_logs: Mapping[str, Path],
    out: ServerLogs,
    deadline: float,
    clock: Callable[[], float],
) -> None:
    by_wiki: defaultdict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for check in wanted:
        by_wiki[str(check["wiki"])].append(check)
    missing, skipped = 0, 0
    for wiki, checks in sorted(by_wiki.items()):
        if clock() >= deadline:
            skipped += len(checks)
            continue
        assert logs.exception_log is not None
        if logs.exception_log == TESTBED_LOG:
            path = farm_logs.get(wiki)
        else:
            path = Path(logs.exception_log.format(id=wiki))
        if path is None:
            out.notes.append(f"server logs: the farm has no wiki {wiki}; its exceptions not read")
            continue
        try:
            entries = exception_log.by_request_id(path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            out.notes.append(
                f"server logs: cannot read {path} ({reason}); {len(checks)} failed check(s) of "
                f"{wiki} carry no server-side message"
            )
            continue
        for check in checks:
            entry = entries.get(request_id_of(check))
            if entry is None:
                missing += expects_exception(check)
            else:
                _found(out, check, entry, SOURCE_FILE)
    if missing:
        out.notes.append(_missing_note(missing, "exception.log"))
    if skipped:
        out.notes.append(_budget_note(logs, skipped))


def _budget_note(logs: LogsModel, skipped: int) -> str:
    return (
        f"server logs: the budget of {logs.budget:g} s for reading them was spent; "
        f"{skipped} failed check(s) not looked up (logs.budget in wikis.yaml)"
    )


def _search_of(
    logs: LogsModel, environ: Mapping[str, str], user_agent: str
) -> tuple[LogSearch | None, str]:
    """The configured search, or (None, why it cannot be asked)."""
    search = logs.search
    assert search is not None
    names = (search.query_env, search.authorization_env, search.username_env, search.password_env)
    unset = [name for name in names if name is not None and not environ.get(name)]
    if unset:
        return None, f"${unset[0]} is unset"
    authorization = None
    if search.authorization_env is not None:
        authorization = environ[search.authorization_env]
    elif search.username_env is not None and search.password_env is not None:
        authorization = basic_authorization(
            environ[search.username_env], environ[search.password_env]
        )
    template = environ[search.query_env] if search.query_env is not None else DEFAULT_QUERY
    if "{reqid}" not in template:
        return None, f"the query in ${search.query_env} has no {{reqid}}"
    return LogSearch(search.url, template, authorization, user_agent), ""


def _interleaved(checks: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One check of each wiki and page in turn: a spent budget still leaves every kind read."""
    groups: defaultdict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for check in sorted(checks, key=lambda c: str(c.get("id", ""))):
        groups[(str(check.get("wiki")), str(check.get("page")))].append(check)
    order: list[Mapping[str, Any]] = []
    queues = list(groups.values())
    while queues:
        order += [queue.pop(0) for queue in queues]
        queues = [queue for queue in queues if queue]
    return order


def _from_search(
    wanted: Sequence[Mapping[str, Any]],
    logs: LogsModel,
    environ: Mapping[str, str],
    user_agent: str,
    out: ServerLogs,
    deadline: float,
    clock: Callable[[], float],
) -> None:
    search, why = _search_of(logs, environ, user_agent)
    assert logs.search is not None
    where = f"the log search {logs.search.url}"
    if search is None:
        out.notes.append(f"server logs: {where} was not asked: {why}")
        return
    if search.authorization:
        out.secrets = (search.authorization, *search.authorization.split(" ", 1)[1:])
    missing, failures, error = 0, 0, ""
    order = _interleaved(wanted)
    for done, check in enumerate(order):
        if failures >= GIVE_UP_AFTER:
            out.notes.append(
                f"server logs: {where} could not be asked ({error}); gave up after "
                f"{failures} tries, {len(order) - done} failed check(s) not looked up"
            )
            break
        left = deadline - clock()
        if left <= 0:
            out.notes.append(_budget_note(logs, len(order) - done))
            break
        try:
            entry = search.find(request_id_of(check), timeout=min(logs.timeout, left))
        except SearchError as exc:
            failures, error = failures + 1, str(exc)
            continue
        failures = 0
        if entry is None:
            missing += expects_exception(check)
        else:
            _found(out, check, entry, SOURCE_SEARCH)
    else:
        if failures:
            out.notes.append(f"server logs: {where} could not be asked ({error})")
    if missing:
        out.notes.append(_missing_note(missing, where))
