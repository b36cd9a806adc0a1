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
    # Stopped by a signal (128 + its number, the shell's convention); what finished is written.
    HANGUP = 129  # SIGHUP: the terminal or SSH session went away
    INTERRUPTED = 130  # SIGINT, Ctrl-C
    TERMINATED = 143  # SIGTERM: a CI job's timeout or cancel, systemd stopping it, timeout(1)
