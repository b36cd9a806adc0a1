"""Narrowing a target to the wikis, pages and variants chosen on the command line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from smoke.config.errors import ConfigError, did_you_mean, one_of
from smoke.config.schema import TargetModel, WikiModel
from smoke.config.variants import Variant
from smoke.model.checks import Page

_GLOB_CHARS = frozenset("*?[")
_LISTED = 30  # names listed after "unknown wiki": a target may have thousands


@dataclass(frozen=True)
class Selection:
    """fnmatch-style patterns (``ru*``, ``damaging=*``); an empty tuple selects everything."""

    wikis: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()

    def describe(self) -> str:
        """`` (wikis ru*; pages watchlist)`` for messages; empty when nothing is narrowed."""
        parts = [
            f"{label} {', '.join(patterns)}"
            for label, patterns in (
                ("wikis", self.wikis),
                ("pages", self.pages),
                ("variants", self.variants),
            )
            if patterns
        ]
        return f" ({'; '.join(parts)})" if parts else ""


def _is_glob(pattern: str) -> bool:
    return any(char in _GLOB_CHARS for char in pattern)


def _matching(patterns: Sequence[str], names: Sequence[str], what: str, scope: str) -> set[str]:
    """Names matched by any pattern. An exact name that matches nothing is a typo: say so."""
    if not patterns:
        return set(names)
    chosen: set[str] = set()
    known = set(names)
    for pattern in patterns:
        if not _is_glob(pattern):
            # An exact name: a set lookup, not a scan (a target may have many thousands of wikis).
            if pattern not in known:
                listed = one_of(names[:_LISTED])
                if len(names) > _LISTED:
                    listed += f", ... ({len(names)} in all)"
                raise ConfigError(
                    f"unknown {what} {pattern!r}{did_you_mean(pattern, names)}; "
                    f"{what}s {scope}: {listed}"
                )
            chosen.add(pattern)
            continue
        chosen |= {name for name in names if fnmatchcase(name, pattern)}
    return chosen


def select_wikis(target_name: str, target: TargetModel, patterns: Sequence[str]) -> list[WikiModel]:
    ids = [wiki.id for wiki in target.wikis]
    chosen = _matching(patterns, ids, "wiki", f"of target {target_name!r}")
    return [wiki for wiki in target.wikis if wiki.id in chosen]


def select_pages(patterns: Sequence[str]) -> set[Page]:
    names = [page.value for page in Page]
    chosen: set[str] = set()
    for pattern in (p.lower() for p in patterns) if patterns else ("*",):
        hits = {name for name in names if fnmatchcase(name, pattern)}
        if not hits:
            raise ConfigError(
                f"unknown page {pattern!r}{did_you_mean(pattern, names)}; "
                f"valid pages: {one_of(names)}"
            )
        chosen |= hits
    return {Page(name) for name in chosen}


def select_variants(matrix: Sequence[Variant], patterns: Sequence[str]) -> list[Variant]:
    names = [variant.name for variant in matrix]
    chosen = _matching(patterns, names, "variant", "in the matrix")
    return [variant for variant in matrix if variant.name in chosen]
