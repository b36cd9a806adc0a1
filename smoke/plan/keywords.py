"""``-k EXPR`` over checks before pytest runs: a malformed or empty selection is refused early.

pytest would otherwise start workers, make a run directory and end "green" with nothing checked
(or with an INTERNALERROR from a worker). The names an expression matches are the ones pytest's
keyword matcher gives a smoke item: its id, its wiki, page and target, the config file's name and
the directories above it up to the rootdir; matching is case-insensitive substring, as in pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from smoke.model.checks import Check


class BadKeyword(ValueError):
    """The -k expression does not parse."""


def _names(check: Check, config_path: Path, rootdir: Path) -> set[str]:
    names = {check.id, check.wiki, check.page.value, check.target, config_path.name, rootdir.name}
    try:
        names.update(config_path.resolve().parent.relative_to(rootdir.resolve()).parts)
    except ValueError:
        pass  # the config lives outside the rootdir: pytest names it by its path there
    return {n.lower() for n in names if n}


def select(
    checks: Sequence[Check], expression: str, config_path: Path, rootdir: Path | None = None
) -> list[Check]:
    """The checks ``-k expression`` keeps, in order. Raises :class:`BadKeyword`."""
    # pytest's own parser, so the grammar is exactly pytest's (not a public API: kept here).
    from _pytest.mark.expression import Expression

    try:
        compiled = Expression.compile(expression)
    except Exception as exc:  # SyntaxError in pytest 9, ParseError before
        raise BadKeyword(f"-k {expression!r} is not a valid expression: {exc}") from None
    root = rootdir or Path.cwd()
    kept = []
    for check in checks:
        if compiled.evaluate(_matcher(_names(check, config_path, root))):
            kept.append(check)
    return kept


def _matcher(names: set[str]) -> Callable[..., bool]:
    def matches(subname: str, /, **_: object) -> bool:
        wanted = subname.lower()
        return any(wanted in name for name in names)

    return matches


def describe_selection(
    *,
    wikis: Iterable[str] = (),
    pages: Iterable[str] = (),
    variants: Iterable[str] = (),
    keyword: str | None = None,
    shard: str | None = None,
) -> str:
    """The selection options in words, for "matches no check" messages."""
    parts = [f"--wiki {w}" for w in wikis] + [f"--page {p}" for p in pages]
    parts += [f"--variant {v}" for v in variants]
    if keyword is not None:
        parts.append(f"-k {keyword!r}")
    if shard:
        parts.append(f"--shard {shard}")
    return " ".join(parts) or "(no selection options)"
