"""Each rule of smoke is defined once (issue 22): outcome names, exit meanings, the defaults of
wikis.yaml's settings, a broken check's error record and the spelling of a check's first problem.

These read the source of smoke/ and bench/ (tokens, not text, where a string is meant), so a
second definition fails here with the file and line to fix.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

from smoke.model import exit_codes, values
from smoke.model.exit_codes import EXIT_MEANINGS, WATCH_EXIT_MEANINGS, ExitCode
from smoke.model.findings import (
    LoginFailed,
    NavigationTimeout,
    error_record,
    error_record_of,
    problem_line,
)
from smoke.model.outcome import Outcome
from smoke.output.causes import cause_text
from smoke.output.results import first_problem
from smoke.watch.timeline import problem_of

ROOT = Path(__file__).resolve().parents[2]
OUTCOMES = {o.value for o in Outcome}

# The same words with another meaning: (file, word) -> what it means there.
NOT_OUTCOMES = {
    ("smoke/finished/report/categories.py", "failed"): "an Allure status",
    ("smoke/finished/report/categories.py", "broken"): "an Allure status",
    ("smoke/finished/report/categories.py", "skipped"): "an Allure status",
    ("smoke/finished/report/categories.py", "flaky"): "an Allure category id",
    ("smoke/finished/merge.py", "skipped"): "a JUnit attribute",
    ("smoke/output/junit.py", "skipped"): "a JUnit element and attribute",
    ("smoke/finished/diff.py", "flaky"): "a section of the diff",
    ("smoke/execute/attempts.py", "flaky"): "the detector name of --fail-on-flaky's finding",
    ("smoke/testbed/faults.py", "flaky"): "a fault of the farm",
    ("smoke/browser/capture.py", "failed"): "Playwright's text for a failed request",
}


def sources() -> Iterator[tuple[str, str]]:
    for folder in ("smoke", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def string_literals(text: str) -> Iterator[tuple[int, str]]:
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):  # an f-string
                continue
            if isinstance(value, str):
                yield token.start[0], value


def test_outcome_names_are_spelled_only_in_the_model() -> None:
    spelled = [
        f"{name}:{line}: {value!r} (use Outcome.{value.upper()})"
        for name, text in sources()
        if name != "smoke/model/outcome.py"
        for line, value in string_literals(text)
        if value in OUTCOMES and (name, value) not in NOT_OUTCOMES
    ]
    assert not spelled, "\n".join(spelled)


def test_every_exit_code_has_one_meaning_and_no_module_writes_its_own() -> None:
    assert set(EXIT_MEANINGS) == set(ExitCode)
    assert set(WATCH_EXIT_MEANINGS) <= set(ExitCode)
    assignment = re.compile(r"^\s*\w*EXIT_MEANINGS\w*\s*[:=]", re.M)
    elsewhere = [
        name
        for name, text in sources()
        if name != "smoke/model/exit_codes.py" and assignment.search(text)
    ]
    assert not elsewhere, f"exit meanings defined outside smoke/model/exit_codes.py: {elsewhere}"
    assert exit_codes.__file__.endswith("smoke/model/exit_codes.py")


def test_defaults_are_defined_once_in_model_values() -> None:
    defaults = {name for name in vars(values) if name.startswith("DEFAULT_")}
    assert {"DEFAULT_GIVE_UP_AFTER", "DEFAULT_NAVIGATION_TIMEOUT_S", "DEFAULT_READY_TIMEOUT_S"} <= (
        defaults
    )
    # A setting given a number as its default, or a DEFAULT_* of values.py assigned again.
    literal_default = re.compile(
        r"^\s*(give_up_after|max_per_host|retries|navigation_timeout_s|ready_timeout_s)\b"
        r".*=[ \t]*\d+(\.\d+)?,?[ \t]*(#.*)?$|\b(navigation|ready)=\d",
        re.M,
    )
    again = re.compile(r"^\s*(" + "|".join(sorted(defaults)) + r")\s*[:=][^=]", re.M)
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0).strip()}"
        for name, text in sources()
        if name != "smoke/model/values.py"
        for pattern in (literal_default, again)
        for m in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)


def test_error_records_are_made_by_one_constructor() -> None:
    assert error_record("NoResult", "lost") == {"kind": "NoResult", "message": "lost", "hint": ""}
    timeout = error_record_of(NavigationTimeout("no answer in 30 s"))
    assert timeout["kind"] == "NavigationTimeout" and timeout["hint"] == NavigationTimeout.hint
    assert error_record_of(LoginFailed("refused", hint="check it"))["hint"] == "check it"
    assert error_record_of(KeyError("x"))["kind"] == "KeyError"
    by_hand = re.compile(r"\{\s*\"kind\":\s*[^,]+,\s*\"message\":")
    found = [
        name
        for name, text in sources()
        if name != "smoke/model/findings.py" and by_hand.search(text)
    ]
    assert not found, f"an error record built by hand (use error_record/error_record_of): {found}"


def test_a_first_problem_has_one_spelling() -> None:
    assert problem_line("server-error", "HTTP 500") == "[server-error] HTTP 500"
    failed = {"outcome": "failed", "findings": [{"detector": "javascript", "message": "boom"}]}
    broken = {"outcome": "broken", "error": error_record("NavigationTimeout", "no answer")}
    for record in (failed, broken):
        # run and summary (first_problem), causes, watch (problem_of): the same words
        assert first_problem(record) == problem_of(record)
        assert cause_text(record) == first_problem(record)
    spelled = re.compile(r"f\"\[\{[^}]+\}\] \{|f\"\{[^}]*(kind|detector)[^}]*\}: \{")
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}"
        for name, text in sources()
        if name != "smoke/model/findings.py"
        for m in spelled.finditer(text)
    ]
    assert not found, f"a problem spelled by hand (use problem_line): {found}"
