"""The bad-input catalogue: every careless or hostile input gets one sentence and an exit code.

Each case runs the real CLI in-process and asserts: the documented exit code; one message line
that names the offending thing; no traceback; earlier runs (and ``latest``) and the farm's state
untouched. The table is the documentation: add a case when you add an option or a rule.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from smoke.cli.main import main
from smoke.model.exit_codes import ExitCode
from smoke.testbed.state import FarmState, ProcessState, WikiState, save_state

CONFIG = """\
targets:
  staging:
    url: "http://127.0.0.1:9/{id}/w"
    contributions_user: Alice
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
      - {id: ruwiki, ores: [damaging]}
      - {id: nooreswiki, ores: []}
"""

USAGE, BROKEN = ExitCode.USAGE, ExitCode.BROKEN


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]  # {config}, {reports}, {farm} and {file} are filled in
    code: int
    names: tuple[str, ...]  # what the message must mention (the offending thing)
    config: str = CONFIG
    setup: Callable[[Path], None] | None = field(default=None, compare=False)


def run(*rest: str) -> tuple[str, ...]:
    """A `smoke run` on the test config, to the test's reports directory."""
    return (
        "run",
        "--config",
        "{config}",
        "--target",
        "staging",
        "--reports-dir",
        "{reports}",
        *rest,
    )


def run_with_reports(reports: str) -> tuple[str, ...]:
    """A `smoke run` on the test config writing to ``reports``."""
    return ("run", "--config", "{config}", "--target", "staging", "--reports-dir", reports)


CLI_CASES = [
    Case("retries-negative", run("--retries", "-1"), USAGE, ("--retries", "-1")),
    Case("retries-word", run("--retries", "abc"), USAGE, ("--retries", "abc")),
    Case("retries-huge", run("--retries", "99"), USAGE, ("--retries", "99")),
    Case(
        "nav-timeout-negative",
        run("--navigation-timeout", "-1"),
        USAGE,
        ("--navigation-timeout", "-1"),
    ),
    Case(
        "nav-timeout-zero", run("--navigation-timeout", "0"), USAGE, ("--navigation-timeout", "0")
    ),
    Case(
        "nav-timeout-word",
        run("--navigation-timeout", "abc"),
        USAGE,
        ("--navigation-timeout", "abc"),
    ),
    Case(
        "nav-timeout-huge",
        run("--navigation-timeout", "99999"),
        USAGE,
        ("--navigation-timeout", "99999"),
    ),
    Case("ready-timeout-zero", run("--ready-timeout", "0"), USAGE, ("--ready-timeout", "0")),
    Case("ready-timeout-sci", run("--ready-timeout", "1e9"), USAGE, ("--ready-timeout", "1e9")),
    Case("workers-word", run("--workers", "abc"), USAGE, ("--workers", "abc")),
    Case("workers-zero", run("-n", "0"), USAGE, ("--workers", "0")),
    Case("workers-negative", run("-n", "-3"), USAGE, ("-3",)),
    Case("run-id-traversal", run("--run-id", "../../etc"), USAGE, ("--run-id", "../../etc")),
    Case("run-id-latest", run("--run-id", "latest"), USAGE, ("--run-id", "latest")),
    Case("run-id-slash", run("--run-id", "a/b"), USAGE, ("--run-id", "a/b")),
    Case("run-id-empty", run("--run-id", ""), USAGE, ("--run-id",)),
    Case("run-id-dots", run("--run-id", ".."), USAGE, ("--run-id", "..")),
    Case("run-id-taken", run("--run-id", "earlier"), USAGE, ("earlier", "exists")),
    Case("resolve-no-equals", run("--resolve", "example.org"), USAGE, ("--resolve", "example.org")),
    Case(
        "resolve-not-ip",
        run("--resolve", "en.example.org=notanip"),
        USAGE,
        ("--resolve", "notanip"),
    ),
    Case("resolve-bad-ip", run("--resolve", "en.example.org=999.1.1.1"), USAGE, ("999.1.1.1",)),
    Case(
        "resolve-with-cdp",
        run("--resolve", "a.org=127.0.0.1", "--cdp-endpoint", "http://127.0.0.1:9222"),
        USAGE,
        ("--resolve", "--cdp-endpoint"),
    ),
    Case("max-per-host-zero", run("--max-per-host", "0"), USAGE, ("--max-per-host", "0")),
    Case("max-per-host-negative", run("--max-per-host", "-2"), USAGE, ("--max-per-host", "-2")),
    Case("deadline-zero", run("--deadline", "0"), USAGE, ("--deadline", "0")),
    Case("deadline-negative", run("--deadline=-5s"), USAGE, ("--deadline", "-5s")),
    Case("deadline-word", run("--deadline", "soon"), USAGE, ("--deadline", "soon")),
    Case("deadline-bad-unit", run("--deadline", "5 parsecs"), USAGE, ("--deadline", "parsecs")),
    Case("tracing-choice", run("--tracing", "bogus"), USAGE, ("--tracing", "bogus")),
    Case(
        "screenshots-choice",
        run("--screenshots", "sometimes"),
        USAGE,
        ("--screenshots", "sometimes"),
    ),
    Case("unknown-option", run("--frobnicate"), USAGE, ("--frobnicate",)),
    Case("shard-backwards", run("--shard", "3/2"), USAGE, ("3/2",)),
    Case("shard-zero", run("--shard", "0/2"), USAGE, ("0/2",)),
    Case("shard-word", run("--shard", "abc"), USAGE, ("abc",)),
    Case("target-unknown", (*run()[:4], "nosuch", *run()[5:]), USAGE, ("nosuch",)),
    Case("wiki-no-match", run("--wiki", "nomatch*"), USAGE, ("nomatch*",)),
    Case("page-unknown", run("--page", "nosuchpage"), USAGE, ("nosuchpage",)),
    Case("variant-no-match", run("--variant", "nomatch"), USAGE, ("nomatch",)),
    Case("keyword-no-match", run("-k", "nomatchxyz"), USAGE, ("nomatchxyz", "matches no check")),
    Case("keyword-malformed", run("-k", "enwiki and ("), USAGE, ("enwiki and (",)),
    Case(
        "keyword-only-skipped",
        run("-k", "nooreswiki and damaging"),
        USAGE,
        ("nooreswiki and damaging", "skipped"),
    ),
    Case(
        "selection-only-skipped",
        run("--wiki", "nooreswiki", "--variant", "damaging=*"),
        USAGE,
        ("nooreswiki", "skipped"),
    ),
    Case(
        "config-missing",
        ("run", "--config", "{tmp}/nope.yaml", "--reports-dir", "{reports}"),
        USAGE,
        ("nope.yaml",),
    ),
    Case("detectors-unknown", run("--detectors", "nosuch"), USAGE, ("nosuch",)),
    Case("baseline-unknown", run("--baseline", "nosuchrun"), USAGE, ("--baseline", "nosuchrun")),
    Case(
        "reports-dir-is-a-file",
        ("run", "--config", "{config}", "--target", "staging", "--reports-dir", "{file}"),
        USAGE,
        ("--reports-dir",),
    ),
    Case(
        "reports-dir-unwritable",
        run_with_reports("/proc/smoke-reports"),
        USAGE,
        ("--reports-dir", "/proc/smoke-reports", "cannot create it"),
    ),
    Case(
        "watch-reports-dir-unwritable",
        (
            "watch",
            "--config",
            "{config}",
            "--target",
            "staging",
            "--reports-dir",
            "/proc/smoke-reports",
        ),
        USAGE,
        ("--reports-dir", "/proc/smoke-reports"),
    ),
    Case(
        "browser-path-missing",
        run("--browser-path", "/nonexistent/chromium"),
        USAGE,
        ("/nonexistent/chromium",),
    ),
    Case(
        "list-target-unknown",
        ("list", "--config", "{config}", "--target", "nosuch"),
        USAGE,
        ("nosuch",),
    ),
    Case(
        "list-wiki-no-match",
        ("list", "--config", "{config}", "--target", "staging", "--wiki", "zzz*"),
        USAGE,
        ("zzz*",),
    ),
    Case(
        "list-shard-bad",
        ("list", "--config", "{config}", "--target", "staging", "--shard", "5/4"),
        USAGE,
        ("5/4",),
    ),
    Case("validate-missing", ("validate", "--config", "{tmp}/nope.yaml"), USAGE, ("nope.yaml",)),
    Case(
        "diff-unknown-run",
        ("diff", "nosuchrun", "--reports-dir", "{reports}"),
        USAGE,
        ("nosuchrun",),
    ),
    Case(
        "merge-unknown-run",
        ("merge", "nosuchrun", "earlier", "--reports-dir", "{reports}"),
        USAGE,
        ("nosuchrun",),
    ),
    Case(
        "report-unknown-run",
        ("report", "nosuchrun", "--reports-dir", "{reports}"),
        USAGE,
        ("nosuchrun",),
    ),
    Case(
        "discover-unknown-target",
        ("discover", "--config", "{config}", "--target", "nosuch"),
        USAGE,
        ("nosuch",),
    ),
    Case("unknown-command", ("frobnicate",), USAGE, ("frobnicate",)),
]

TESTBED_CASES = [
    Case(
        "testbed-no-farm",
        ("testbed", "--state-dir", "{tmp}/nofarm", "fault", "enwiki", "js-error", "on"),
        USAGE,
        ("up",),
    ),
    Case(
        "testbed-unknown-wiki",
        ("testbed", "--state-dir", "{farm}", "fault", "nosuchwiki", "js-error", "on"),
        USAGE,
        ("nosuchwiki",),
    ),
    Case(
        "testbed-unknown-fault",
        ("testbed", "--state-dir", "{farm}", "fault", "enwiki", "nosuchfault", "on"),
        USAGE,
        ("nosuchfault",),
    ),
    Case(
        "testbed-on-off",
        ("testbed", "--state-dir", "{farm}", "fault", "enwiki", "js-error", "maybe"),
        USAGE,
        ("maybe",),
    ),
    Case(
        "testbed-delay-negative",
        ("testbed", "--state-dir", "{farm}", "fault", "enwiki", "slow", "on", "--delay", "-1"),
        USAGE,
        ("--delay", "-1"),
    ),
    Case(
        "testbed-delay-word",
        ("testbed", "--state-dir", "{farm}", "fault", "enwiki", "slow", "on", "--delay", "abc"),
        USAGE,
        ("--delay", "abc"),
    ),
    Case(
        "testbed-port-low",
        ("testbed", "--state-dir", "{tmp}/newfarm", "up", "--no-install", "--base-port", "80"),
        USAGE,
        ("--base-port", "80"),
    ),
    Case(
        "testbed-port-high",
        ("testbed", "--state-dir", "{tmp}/newfarm", "up", "--no-install", "--base-port", "70000"),
        USAGE,
        ("--base-port", "70000"),
    ),
    Case("testbed-action", ("testbed", "--state-dir", "{farm}", "explode"), USAGE, ("explode",)),
]


VALIDATE = ("validate", "--config", "{config}")


def config_case(case_id: str, text: str, *names: str) -> Case:
    """`smoke validate` of a wikis.yaml with one mistake: exit 4, the message names it."""
    return Case(case_id, VALIDATE, USAGE, ("wikis.yaml:", *names), config=text)


WIKIS = "    wikis:\n      - {id: enwiki, ores: [damaging, goodfaith]}\n"
TARGET = 'targets:\n  staging:\n    url: "http://127.0.0.1:9/{id}/w"\n'

CONFIG_CASES = [
    config_case("yaml-syntax", TARGET + "    wikis: [\n", "YAML"),
    config_case(
        "unknown-key",
        TARGET + "    contribution_user: Alice\n" + WIKIS,
        "contribution_user",
        "contributions_user",
    ),
    config_case(
        "unknown-model",
        TARGET + "    wikis:\n      - {id: enwiki, ores: [damagin]}\n",
        "damagin",
        "damaging",
    ),
    config_case(
        "unknown-level",
        TARGET + "    wikis:\n      - {id: enwiki, ores: {damaging: [likelybadd]}}\n",
        "likelybadd",
        "likelybad",
    ),
    config_case(
        "empty-levels",
        TARGET + "    wikis:\n      - {id: enwiki, ores: {goodfaith: []}}\n",
        "goodfaith",
    ),
    config_case(
        "duplicate-level",
        TARGET + "    wikis:\n      - {id: enwiki, ores: {damaging: [maybebad, maybebad]}}\n",
        "maybebad",
    ),
    config_case(
        "ores-not-a-list", TARGET + "    wikis:\n      - {id: enwiki, ores: yes}\n", "ores"
    ),
    config_case(
        "duplicate-wiki", TARGET + WIKIS + "      - {id: enwiki, ores: []}\n", "duplicate", "enwiki"
    ),
    config_case("no-wikis", TARGET + "    wikis: []\n", "wikis"),
    config_case(
        "password-in-yaml",
        TARGET + "    login: {username_env: U, password: hunter2}\n" + WIKIS,
        "password",
    ),
    config_case("timeout-negative", "timeouts: {navigation: -1}\n" + TARGET + WIKIS, "navigation"),
    config_case("timeout-huge", "timeouts: {ready: 99999}\n" + TARGET + WIKIS, "ready"),
    config_case("retries-negative", "retries: -1\n" + TARGET + WIKIS, "retries"),
    config_case("retries-huge", "retries: 99\n" + TARGET + WIKIS, "retries"),
    config_case("max-per-host-zero", "max_per_host: 0\n" + TARGET + WIKIS, "max_per_host"),
    config_case("give-up-zero", "give_up_after: 0\n" + TARGET + WIKIS, "give_up_after"),
    config_case("deadline-word", TARGET + "    deadline: soon\n" + WIKIS, "deadline", "soon"),
    config_case("deadline-zero", TARGET + "    deadline: 0\n" + WIKIS, "deadline"),
    config_case(
        "url-unknown-placeholder",
        'targets:\n  staging:\n    url: "http://127.0.0.1:9/{wiki}/w"\n' + WIKIS,
        "url",
        "{wiki}",
    ),
    config_case(
        "allowlist-bad-regex",
        "allowlist:\n  - {pattern: '([', reason: x}\n" + TARGET + WIKIS,
        "pattern",
    ),
    config_case(
        "known-issue-task", "known_issues:\n  - {task: 'T0123'}\n" + TARGET + WIKIS, "task"
    ),
    config_case("top-level-list", "- a\n- b\n", "mapping"),
    config_case("variants-empty", "variants: []\n" + TARGET + WIKIS, "wikis.yaml:1", "variants"),
    config_case(
        "alias-bomb",
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
        "alias",
    ),
    config_case(
        "unknown-page",
        TARGET + "    wikis:\n      - {id: enwiki, ores: [], pages: [recentchange]}\n",
        "recentchange",
    ),
]


def _fill(argv: tuple[str, ...], tmp: Path) -> list[str]:
    places = {
        "{config}": str(tmp / "wikis.yaml"),
        "{reports}": str(tmp / "reports"),
        "{farm}": str(tmp / "farm"),
        "{file}": str(tmp / "a-file"),
    }
    out = []
    for arg in argv:
        for key, value in places.items():
            arg = arg.replace(key, value)
        out.append(arg.replace("{tmp}", str(tmp)))
    return out


def _snapshot(tmp: Path) -> dict[str, str]:
    """Everything an earlier run and the farm consist of, to compare after the case."""
    seen = {}
    for root in (tmp / "reports", tmp / "farm"):
        for path in sorted(root.rglob("*")):
            key = str(path.relative_to(tmp))
            if path.is_symlink():
                seen[key] = "-> " + os.readlink(path)
            elif path.is_file():
                seen[key] = path.read_text("utf-8", errors="replace")
            else:
                seen[key] = "dir"
    return seen


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config, a reports dir holding one earlier run (`latest`), a farm state, a plain file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wikis.yaml").write_text(CONFIG)
    earlier = tmp_path / "reports" / "earlier"
    earlier.mkdir(parents=True)
    (earlier / "results.json").write_text(json.dumps({"run": {"run_id": "earlier"}, "checks": []}))
    (tmp_path / "reports" / "latest").symlink_to("earlier")
    (tmp_path / "a-file").write_text("not a directory\n")
    state_dir = tmp_path / "farm"
    state_dir.mkdir()
    state = FarmState(state_dir=str(state_dir), base_port=9000, service=ProcessState(port=9000))
    state.wikis["enwiki"] = WikiState(
        id="enwiki",
        lang="en",
        sitename="Smoke",
        url="http://127.0.0.1:9001",
        port=9001,
        pgid=None,
        ores=["damaging", "goodfaith"],
        account="SmokeCheck",
        password_file=str(state_dir / "secrets" / "enwiki.password"),
        contributions_user="Alice",
    )
    save_state(state)
    return tmp_path


def check_case(case: Case, world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if case.config != CONFIG:
        (world / "wikis.yaml").write_text(textwrap.dedent(case.config))
    before = _snapshot(world)
    try:
        code = main(_fill(case.argv, world))
    except SystemExit as exc:  # argparse: Parser.error exits with the usage code
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    message = (captured.err + captured.out).strip()
    assert code == case.code, message
    assert "Traceback" not in message and "INTERNALERROR" not in message, message
    lines = [line for line in message.splitlines() if line.strip()]
    assert len(lines) == 1, f"one sentence expected, got {len(lines)} lines:\n{message}"
    for name in case.names:
        assert name in message, f"{name!r} not named in: {message}"
    assert _snapshot(world) == before, "earlier runs or the farm were touched"


@pytest.mark.parametrize("case", CONFIG_CASES + CLI_CASES + TESTBED_CASES, ids=lambda c: c.id)
def test_bad_input(case: Case, world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(case, world, capsys)


def test_the_catalogue_is_large_enough() -> None:
    assert len(CONFIG_CASES + CLI_CASES + TESTBED_CASES) >= 80


def test_a_broken_validator_makes_the_catalogue_fail(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogue can fail: with the retries rule switched off, its case does.

    The run itself is replaced by a green one: what a broken validator would let through.
    """
    from smoke.model import values
    from smoke.run import runner

    monkeypatch.setattr(values, "parse_count", lambda text, **_: int(text))
    monkeypatch.setattr(runner, "run_pytest", lambda *args, **kwargs: ExitCode.OK)
    case = next(c for c in CLI_CASES if c.id == "retries-negative")
    with pytest.raises(AssertionError):
        check_case(case, world, capsys)


LOGIN_CONFIG = CONFIG.replace(
    "    contributions_user: Alice\n",
    "    contributions_user: Alice\n"
    "    login: {username_env: SMOKE_T_USER, password_env: SMOKE_T_PW}\n",
)


@pytest.mark.parametrize(
    "argv",
    [
        ("list", "--config", "{config}", "--target", "staging"),
        ("validate", "--config", "{config}"),
    ],
    ids=["list", "validate"],
)
def test_list_and_validate_need_no_credentials(
    argv: tuple[str, ...],
    world: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """They log in to nothing: a target with a login lists and validates without its variables
    (a run of it still refuses, naming them)."""
    monkeypatch.delenv("SMOKE_T_USER", raising=False)
    monkeypatch.delenv("SMOKE_T_PW", raising=False)
    (world / "wikis.yaml").write_text(LOGIN_CONFIG)
    assert main(_fill(argv, world)) == ExitCode.OK, capsys.readouterr().err
    assert "SMOKE_T_PW" not in capsys.readouterr().err
    code = main(_fill(run("--wiki", "enwiki", "--page", "watchlist"), world))
    assert code == USAGE and "SMOKE_T_PW" in capsys.readouterr().err
