# ruff: noqa: E501  (LOG holds exception.log lines as MediaWiki writes them)
"""Server logs: the exception.log format of MediaWiki 1.39/1.43, log search hits, the bounded
reading (budget, give-up, notes), and causes split by the server's message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smoke.config.logs import LogSearchModel, LogsModel
from smoke.output.causes import cause_key, cause_text, group_causes
from smoke.serverlog import exception_log
from smoke.serverlog.read import read_server_errors
from smoke.serverlog.search import best_hit
from tests.unit.config_files import assert_at, error_of

# As LegacyLogger writes it (identical in 1.39.17 and 1.43.9): wfDebugLog's line, the normalised
# message "[{reqId}] {exception_url}   Class: message", then prettyPrintTrace's frames.
LOG = """\
2026-12-07 02:31:05 host enwiki: [aaaaaaaaaaaaaaaaaaaaaaa1] /index.php?title=Special:RecentChanges   RuntimeException: Unable to parse threshold: {"model":"damaging"}
#0 /usr/share/mediawiki/includes/HookContainer/HookContainer.php(338): SmokeFarm\\Hooks::onChangesListSpecialPageStructuredFilters(SpecialRecentChanges)
#1 /usr/share/mediawiki/includes/HookContainer/HookRunner.php(1157): MediaWiki\\HookContainer\\HookContainer->run(string, array)
#2 {main}
2026-12-07 02:31:06 host enwiki: [bbbbbbbbbbbbbbbbbbbbbbb2] /index.php   Wikimedia\\Rdbms\\DBQueryError: Error 1: database is locked
Function: SqlBagOStuff::fetchBlobs
#0 /usr/share/mediawiki/includes/libs/rdbms/database/Database.php(1618): f()
#1 {main}
2026-12-07 02:31:07 host enwiki: [ccccccccccccccccccccccc3] /index.php   PHP Fatal Error: Allowed memory size exhausted
"""


# Written by MediaWiki 1.43.9 (Debian 13's package) on PHP 8.2, a hook throwing on Contributions.
LOG_143 = """\
2026-12-07 02:37:52 vm i20wiki: [1756bacf3b3e39e6441d91db] /index.php?title=Special:Contributions/Admin   RuntimeException: i20 probe: contributions query failed
#0 /usr/share/mediawiki/includes/HookContainer/HookContainer.php(159): {closure}()
#1 /usr/share/mediawiki/includes/HookContainer/HookRunner.php(3788): MediaWiki\\HookContainer\\HookContainer->run()
#2 /usr/share/mediawiki/includes/specialpage/SpecialPage.php(721): MediaWiki\\HookContainer\\HookRunner->onSpecialPageBeforeExecute()
#3 /usr/share/mediawiki/includes/specialpage/SpecialPageFactory.php(1717): MediaWiki\\SpecialPage\\SpecialPage->run()
#4 /usr/share/mediawiki/includes/actions/ActionEntryPoint.php(505): MediaWiki\\SpecialPage\\SpecialPageFactory->executePath()
#5 /usr/share/mediawiki/includes/actions/ActionEntryPoint.php(147): MediaWiki\\Actions\\ActionEntryPoint->performRequest()
#6 /usr/share/mediawiki/includes/MediaWikiEntryPoint.php(200): MediaWiki\\Actions\\ActionEntryPoint->execute()
#7 /usr/share/mediawiki/index.php(58): MediaWiki\\MediaWikiEntryPoint->run()
#8 {main}
"""


def test_exception_log_of_mediawiki_1_43() -> None:
    (entry,) = exception_log.parse(LOG_143)
    assert entry.request_id == "1756bacf3b3e39e6441d91db"
    assert (entry.exception_class, entry.message) == (
        "RuntimeException",
        "i20 probe: contributions query failed",
    )
    assert entry.frames[0].startswith("#0 /usr/share/mediawiki/includes/HookContainer/")
    assert entry.frames[-1] == "#8 {main}"


def test_exception_log_entries() -> None:
    entries = list(exception_log.parse(LOG))
    assert [e.request_id for e in entries] == [
        "aaaaaaaaaaaaaaaaaaaaaaa1",
        "bbbbbbbbbbbbbbbbbbbbbbb2",
        "ccccccccccccccccccccccc3",
    ]
    first, second, third = entries
    assert first.exception_class == "RuntimeException"
    assert first.message == 'Unable to parse threshold: {"model":"damaging"}'
    assert len(first.frames) == 3 and first.frames[0].startswith("#0 /usr/share/mediawiki")
    assert (first.logged_at, first.wiki) == ("2026-12-07 02:31:05", "enwiki")
    assert second.exception_class == "Wikimedia\\Rdbms\\DBQueryError"
    assert second.message == "Error 1: database is locked\nFunction: SqlBagOStuff::fetchBlobs"
    assert (third.exception_class, third.message, third.frames) == (
        "",
        "PHP Fatal Error: Allowed memory size exhausted",
        (),
    )


def test_only_the_tail_of_a_large_log_is_read(tmp_path: Path) -> None:
    path = tmp_path / "exception.log"
    path.write_text("x" * 5000 + "\n" + LOG, "utf-8")
    text = exception_log.read_tail(path, max_bytes=len(LOG.encode()) + 10)
    assert text == LOG


def failed(check_id: str, reqid: str, outcome: str = "failed") -> dict[str, Any]:
    wiki, page, variant = check_id.split("/")
    return {
        "id": check_id,
        "wiki": wiki,
        "page": page,
        "variant": variant,
        "outcome": outcome,
        "request_id": reqid,
        "findings": [
            {
                "detector": "server-error",
                "message": f'HTTP 500: Fatal exception of type "RuntimeException" '
                f"(request id {reqid})",
            }
        ],
    }


def test_reading_a_file_per_wiki_with_notes(tmp_path: Path) -> None:
    (tmp_path / "enwiki.log").write_text(LOG, "utf-8")
    logs = LogsModel(exception_log=str(tmp_path / "{id}.log"), link="https://l/?q={reqid}&w={id}")
    checks = [
        failed("enwiki/recentchanges/plain", "aaaaaaaaaaaaaaaaaaaaaaa1"),
        failed("enwiki/watchlist/plain", "zzzzzzzzzzzzzzzzzzzzzzz9"),
        failed("frwiki/contributions/plain", "ddddddddddddddddddddddd4"),
        {**failed("enwiki/contributions/plain", "x"), "outcome": "passed"},
    ]
    got = read_server_errors(checks, logs, environ={}, user_agent="t")
    record = got.records["enwiki/recentchanges/plain"]
    assert record["exception_class"] == "RuntimeException"
    assert record["link"] == "https://l/?q=aaaaaaaaaaaaaaaaaaaaaaa1&w=enwiki"
    # Not in the log: the link only. Passed checks: nothing.
    assert set(got.records["enwiki/watchlist/plain"]) == {"source", "request_id", "link"}
    assert "enwiki/contributions/plain" not in got.records
    assert any("cannot read" in n and "frwiki.log" in n for n in got.notes), got.notes
    assert any("no entry in exception.log for 1" in n for n in got.notes), got.notes


def test_a_spent_budget_and_an_unreachable_search_are_notes() -> None:
    ticks = iter(range(100))
    logs = LogsModel(search=LogSearchModel(url="http://127.0.0.1:9/_search"), budget=3)
    checks = [failed(f"enwiki/recentchanges/v{n}", f"r{n:023d}") for n in range(5)]
    got = read_server_errors(
        checks, logs, environ={}, user_agent="t", clock=lambda: float(next(ticks))
    )
    assert got.records == {}
    assert any("could not be asked (connection refused)" in n for n in got.notes), got.notes
    logs = LogsModel(search=LogSearchModel(url="http://127.0.0.1:9/_search"), budget=2)
    ticks = iter(range(100))
    got = read_server_errors(
        checks, logs, environ={}, user_agent="t", clock=lambda: float(next(ticks))
    )
    assert any("budget of 2 s" in n and "4 failed check(s)" in n for n in got.notes), got.notes


def test_unset_variables_are_a_note_and_nothing_is_asked() -> None:
    search = LogSearchModel(url="https://logs.example/_search", authorization_env="NO_SUCH_VAR")
    got = read_server_errors(
        [failed("enwiki/recentchanges/plain", "a" * 24)],
        LogsModel(search=search),
        environ={},
        user_agent="t",
    )
    assert got.notes == [
        "server logs: the log search https://logs.example/_search was not asked: "
        "$NO_SUCH_VAR is unset"
    ]


def test_search_hits_in_both_shapes() -> None:
    body = {
        "hits": {
            "hits": [
                {"_source": {"channel": "api", "reqId": "r", "message": "noise"}},
                {
                    "_source": {
                        "@timestamp": "2026-12-07T02:00:00Z",
                        "exception.class": "RuntimeException",
                        "message": "[r] /w/index.php   RuntimeException: Unable to parse",
                        "exception.trace": "#0 /a.php(1): f()\n#1 {main}",
                    }
                },
            ]
        }
    }
    entry = best_hit(body, "r")
    assert entry is not None
    assert (entry.exception_class, entry.message) == ("RuntimeException", "Unable to parse")
    assert entry.frames == ("#0 /a.php(1): f()", "#1 {main}")
    assert best_hit({"hits": {"hits": []}}, "r") is None
    assert best_hit("not a body", "r") is None


def with_server(check: dict[str, Any], cls: str, message: str) -> dict[str, Any]:
    return {**check, "server": {"exception_class": cls, "message": message, "frames": []}}


def test_same_page_message_different_server_messages_are_two_causes() -> None:
    threshold = 'Unable to parse threshold: {"model":"damaging","levelName":"likelygood"}'
    checks = [
        with_server(failed("enwiki/recentchanges/plain", "a" * 24), "RuntimeException", threshold),
        with_server(
            failed("enwiki/contributions/plain", "b" * 24),
            "RuntimeException",
            threshold.replace("likelygood", "maybebad"),  # the payload differs: one bug
        ),
        with_server(
            failed("frwiki/contributions/plain", "c" * 24),
            "RuntimeException",
            "SmokeFarm fault contributions-crash: contributions query failed",
        ),
    ]
    causes = group_causes(checks)
    assert len(causes) == 2
    assert [len(c.checks) for c in causes] == [2, 1]
    assert "server: RuntimeException: Unable to parse threshold" in causes[0].one_line()
    assert "contributions query failed" in causes[1].one_line()
    text = cause_text(checks[2])
    assert text is not None and text.endswith(
        "— server: RuntimeException: SmokeFarm fault contributions-crash: contributions query "
        "failed"
    )
    # Without the server's word, the key is what it always was (cause ids stay stable).
    plain = failed("frwiki/contributions/plain", "c" * 24)
    key = cause_key(plain)
    assert key is not None and "|server: " not in key
    assert cause_key({**plain, "server": {"source": "link", "link": "x"}}) == key


@pytest.mark.parametrize(
    ("logs", "line", "field", "fragment"),
    [
        ("{search: {url: 'https://l/_search', query: '{}'}}", 5, "search.query", "environment"),
        ("{search: {url: 'https://u:p@l/_search'}}", 5, "search.url", "credentials"),
        ("{link: 'https://l/x'}", 5, "link", "{reqid}"),
        ("{exception_log: 'x.log'}", 5, "exception_log", "absolute path"),
        ("{exception_log: testbed, search: {url: 'https://l/_search'}}", 5, "search", "not both"),
        ("{}", 5, "", "say where"),
        ("{link: 'https://l/{reqid}', timeout: 0}", 5, "timeout", "more than 0"),
    ],
)
def test_logs_config_errors(
    tmp_path: Path, logs: str, line: int, field: str, fragment: str
) -> None:
    err = error_of(
        tmp_path,
        f"""\
        targets:
          local:
            testbed: true
            logs:
              {logs}
            wikis:
              - {{id: enwiki, ores: []}}
        """,
    )
    where = "targets.local.logs" + (f".{field}" if field else "")
    assert_at(err, tmp_path, line if field else 4, where, fragment)


def test_allure_results_get_the_server_exception(tmp_path: Path) -> None:
    import json

    from smoke.output.allure_server import add_server_errors

    result = tmp_path / "abc-result.json"
    result.write_text(
        json.dumps(
            {
                "name": "enwiki/recentchanges/plain",
                "labels": [{"name": "cause", "value": "page only"}, {"name": "wiki", "value": "x"}],
            }
        ),
        "utf-8",
    )
    (tmp_path / "other-result.json").write_text(json.dumps({"name": "other"}), "utf-8")
    changed = add_server_errors(
        tmp_path,
        {"enwiki/recentchanges/plain": "RuntimeException: boom\n#0 a.php(1): f()\n"},
        {"enwiki/recentchanges/plain": {"link": "https://logs/?q=r"}},
        {"enwiki/recentchanges/plain": "[server-error] … — server: RuntimeException: boom"},
    )
    assert changed == 1
    body = json.loads(result.read_text("utf-8"))
    (attachment,) = body["attachments"]
    assert (tmp_path / attachment["source"]).read_text("utf-8").startswith("RuntimeException")
    assert body["links"] == [{"name": "server log", "url": "https://logs/?q=r", "type": "link"}]
    assert {"name": "cause", "value": "[server-error] … — server: RuntimeException: boom"} in (
        body["labels"]
    )
    assert [x["name"] for x in body["labels"]].count("cause") == 1


def test_summary_and_diff_show_the_server_message() -> None:
    from smoke.finished.diff import diff_runs, render_diff
    from smoke.output.summary import server_lines

    check = with_server(
        failed("enwiki/recentchanges/plain", "a" * 24), "RuntimeException", "Unable to parse"
    )
    check["server"].update(source="exception.log", frames=["#0 a.php(1): f()", "#1 {main}"])
    assert server_lines(check) == [
        "  server (exception.log): RuntimeException: Unable to parse",
        "    #0 a.php(1): f()",
        "    #1 {main}",
    ]
    passed = {**check, "outcome": "passed", "findings": [], "server": None}
    text = render_diff(diff_runs([passed], [check]), "base", "head")
    assert "  server: RuntimeException: Unable to parse" in text
