"""smoke's exit codes and what each means: the one definition every command, report and document
uses (``docs/options.md`` is generated from it by ``python -m smoke.cli.docs``)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DEFECT = 1
    RECOVERED = 2
    BROKEN = 3
    USAGE = 4
    ENVIRONMENT = 5
    # Stopped by a signal (128 + its number, the shell's convention); what finished is written.
    HANGUP = 129  # SIGHUP
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


# What each code means for `smoke run` (and the commands that share its codes).
EXIT_MEANINGS: Mapping[ExitCode, str] = {
    ExitCode.OK: "every check passed (skipped, flaky and known-issue checks aside)",
    ExitCode.DEFECT: "a product defect: at least one check failed (`smoke diff`, `--baseline`: "
    "a new failure; `smoke parity`: the target offers less than the reference)",
    ExitCode.RECOVERED: "`smoke watch` only: a check failed during the window and every check "
    "that failed passed at the end (recovered)",
    ExitCode.BROKEN: "some checks could not be run (broken: refused, timeout, login failed, "
    "given up, deadline) and no defect was found",
    ExitCode.USAGE: "bad configuration or usage; nothing was run: one sentence naming the "
    "offending thing (file, line and field for wikis.yaml; the option and value for the command "
    "line); a selection that matches no check to run, or only skipped ones",
    ExitCode.ENVIRONMENT: "environment problem (`smoke testbed`: packages missing, port taken, a "
    "server would not start; `smoke report`: Allure failed; `smoke run`, `smoke watch`: "
    "results.json, summary.md or junit.xml could not be written, even after making room)",
    ExitCode.HANGUP: "stopped by SIGHUP (the terminal or SSH session went away): what finished "
    "is written (results.json, summary.md and junit.xml say so)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C, SIGINT): what finished is written (results.json, "
    "summary.md and junit.xml say so)",
    ExitCode.TERMINATED: "stopped by SIGTERM (a CI job's timeout or cancel, systemd, timeout(1)): "
    "what finished is written (results.json, summary.md and junit.xml say so)",
}

# The same codes as `smoke watch` reads them (5 only when its files cannot be written).
WATCH_EXIT_MEANINGS: Mapping[ExitCode, str] = {
    ExitCode.OK: "nothing failed and every check could be checked in every round",
    ExitCode.DEFECT: "a check was still failing at the end (or it failed and could not be "
    "checked afterwards); with --exit-on-failure: a new failure stopped the watch",
    ExitCode.RECOVERED: "a check failed during the window, and every check that failed "
    "passed in the last round",
    ExitCode.BROKEN: "no check failed, but some could not be checked in some round "
    "(refused, timeout, login)",
    ExitCode.USAGE: "bad configuration or usage; nothing was watched",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): what was observed so far is written",
    ExitCode.TERMINATED: "stopped by SIGTERM: what was observed so far is written",
    ExitCode.HANGUP: "stopped by SIGHUP: what was observed so far is written",
}
