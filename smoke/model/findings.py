"""Findings (the wiki is broken) and could-not-check errors (we could not tell).

Two hierarchies, kept apart on purpose: a *finding* makes a check **failed** (a product defect,
an assertion failure in pytest/JUnit/Allure); a :class:`CouldNotCheck` makes it **broken**
(an error: the tool or the path to the wiki failed, so nothing was learnt about the wiki)::

    Finding                       (dataclass, returned by detectors; never raised)

    CouldNotCheck(Exception)      -> verdict "broken"
     +-- TargetUnreachable        DNS failure, connection refused/reset, TLS error
     +-- NavigationTimeout        the page did not load (or get ready) within the timeout
     +-- LoginFailed              the wiki refused the configured credentials
     +-- RedirectedToLogin        the page sent us to Special:UserLogin (session lost or missing)
     +-- BrowserCrashed           the renderer or browser died during the check
     +-- NotLoaded                we decided not to load the page (nothing new to learn)
          +-- PageGivenUp         earlier checks of this page/host timed out or could not reach it
          +-- DeadlineReached     the run's --deadline passed before the check started
"""

from __future__ import annotations

from dataclasses import dataclass, field


def problem_line(kind: str, message: str) -> str:
    """The one spelling of a check's problem in one line: ``[detector or error kind] message``."""
    return f"[{kind}] {message}"


def error_record(kind: str, message: str, hint: str = "") -> dict[str, str]:
    """A broken check's error as results.json keeps it: the one shape of {kind, message, hint}."""
    return {"kind": kind, "message": message, "hint": hint}


def error_record_of(exc: BaseException | None) -> dict[str, str]:
    """The error record of an exception: a :class:`CouldNotCheck` keeps its kind and hint; any
    other exception (our own failure) is named by its class."""
    if isinstance(exc, CouldNotCheck):
        return error_record(exc.kind, str(exc), exc.hint)
    return error_record(type(exc).__name__, str(exc))


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a page. ``evidence`` holds short strings a human can check."""

    detector: str
    message: str
    evidence: dict[str, str] = field(default_factory=dict)

    def one_line(self) -> str:
        return problem_line(self.detector, self.message)


class CouldNotCheck(Exception):
    """Base of everything that leaves a check *broken* rather than passed or failed."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint

    @property
    def kind(self) -> str:
        return type(self).__name__


class TargetUnreachable(CouldNotCheck):
    hint = "Is the wiki up and its URL in wikis.yaml right? (local farm: `smoke testbed status`)"


class NavigationTimeout(CouldNotCheck):
    hint = "The page took longer than the timeout; raise `timeouts.navigation` if that is expected."


class LoginFailed(CouldNotCheck):
    hint = "Check the credentials in the environment variables wikis.yaml names for this wiki."


class RedirectedToLogin(CouldNotCheck):
    hint = "The page needs a logged-in user; configure `login` for this wiki."


class BrowserCrashed(CouldNotCheck):
    hint = "The browser or page crashed; the check was not judged. Re-run it."


class NotLoaded(CouldNotCheck):
    """smoke decided not to load the page; the reason says why (docs/time-to-verdict.md)."""


class PageGivenUp(NotLoaded):
    hint = (
        "Earlier checks of this page (or host) did not answer; see them for the evidence. "
        "`give_up_after` in wikis.yaml sets how many it takes."
    )

    def __init__(self, message: str, *, tripped_by: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.tripped_by = tripped_by


class DeadlineReached(NotLoaded):
    hint = "The run's deadline (--deadline or `deadline:` in wikis.yaml) passed first."
