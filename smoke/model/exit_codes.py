"""smoke's exit codes: the one definition every command and report uses (README, *Exit codes*)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # every check passed (skipped, flaky and known-issue checks aside)
    DEFECT = 1  # a product defect: at least one check failed (diff/merge: new failures)
    # smoke watch: a check failed during the window, and every check that failed passed at the end
    RECOVERED = 2
    BROKEN = 3  # some checks could not be run and no defect was found
    USAGE = 4  # bad configuration or usage; nothing was run
    ENVIRONMENT = 5  # the machine lacks something (packages, a port, Allure) or it failed
    INTERRUPTED = 130  # Ctrl-C: what finished is written
