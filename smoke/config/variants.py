"""Variants: the URL parameters a check adds to a page, the default matrix, and their validation.

Validation matters more than usual here: MediaWiki drops unknown filter values silently
(``damaging=likleybad`` renders the unfiltered list), so a typo would make a check pass without
exercising ORES at all. Every ORES parameter is therefore checked against ORES_MODELS/ORES_LEVELS
before anything runs; unknown *non*-ORES parameters are allowed (MediaWiki has many).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from smoke.config.errors import FieldProblem, did_you_mean, one_of
from smoke.model.checks import ORES_LEVELS, ORES_MODELS, Page

# Variant names end up in check ids (<wiki>/<page>/<variant>) and report file names:
# no "/" and no spaces.
VARIANT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9=+;,._-]*$")
COLORS: tuple[str, ...] = ("c1", "c2", "c3", "c4", "c5")
# Boolean-ish parameters whose values we check ("1" on, "0" off).
FLAG_PARAMS: tuple[str, ...] = ("hidenondamaging", "highlight", "enhanced")
_COLOR_KEY_RE = re.compile(r"^(?P<group>.+?)__(?P<level>.+)_color$")
# Keys this close to a known ORES-related key are taken as typos, not as other MediaWiki params.
_TYPO_CUTOFF = 0.8
# Special:Contributions knows only the legacy "hide probably good edits" checkbox.
_CONTRIBUTIONS_ORES_PARAMS = frozenset({"hidenondamaging"})


@dataclass(frozen=True)
class Variant:
    """One set of URL parameters, applied to each page in ``pages``."""

    name: str
    pages: tuple[Page, ...]
    params: Mapping[str, str]
    # ORES filter group -> levels the URL asks for (from damaging=/goodfaith= only).
    requested_filters: Mapping[str, tuple[str, ...]]
    # ORES models the wiki must have for this variant to mean anything; empty for non-ORES variants.
    required_models: frozenset[str]

    def applies_to(self, page: Page) -> bool:
        return page in self.pages


def make_variant(name: str, pages: Iterable[Page], params: Mapping[str, str]) -> Variant:
    """Validate and build a variant. Raises FieldProblem (subpath relative to the variant)."""
    pages = tuple(pages)
    params = dict(params)
    validate_variant(name, pages, params)
    return Variant(
        name=name,
        pages=pages,
        params=params,
        requested_filters=requested_filters(params),
        required_models=required_models(params),
    )


def validate_variant(name: str, pages: tuple[Page, ...], params: Mapping[str, str]) -> None:
    if not VARIANT_NAME_RE.match(name):
        raise FieldProblem(
            f"variant name {name!r} must start with a letter or digit and use only letters, "
            "digits and = + ; , . _ - (it becomes part of check ids)",
            ("name",),
        )
    if not pages:
        raise FieldProblem("a variant needs at least one page", ("pages",))
    for key, value in params.items():
        problem = param_problem(key, value)
        if problem is None and Page.CONTRIBUTIONS in pages:
            problem = _contributions_problem(key)
        if problem is not None:
            raise FieldProblem(problem, ("params", key))


def param_problem(key: str, value: str) -> str | None:
    """What is wrong with one URL parameter, or None when it is fine (or not ours to judge)."""
    if key == "title":
        return "'title' is set by smoke from the page; remove it from params"
    if key in ORES_MODELS:
        return _levels_problem(key, value)
    if key in FLAG_PARAMS:
        if value not in ("0", "1"):
            return f"{key} must be 0 or 1, not {value!r}"
        return None
    color = _COLOR_KEY_RE.match(key)
    if color is not None:
        return _color_problem(key, color["group"], color["level"], value)
    close = difflib.get_close_matches(key, (*ORES_MODELS, *FLAG_PARAMS), n=1, cutoff=_TYPO_CUTOFF)
    if close:
        return (
            f"unknown parameter {key!r} (did you mean '{close[0]}'?); "
            "MediaWiki would ignore it silently"
        )
    return None


def _levels_problem(group: str, value: str) -> str | None:
    levels = value.split(";")
    for level in levels:
        if level not in ORES_LEVELS:
            return (
                f"unknown {group} level {level!r}{did_you_mean(level, ORES_LEVELS)}; "
                f"valid levels: {one_of(ORES_LEVELS)} (join several with ';')"
            )
    if len(set(levels)) != len(levels):
        return f"{group} lists a level twice: {value!r}"
    return None


def _color_problem(key: str, group: str, level: str, value: str) -> str | None:
    if group not in ORES_MODELS:
        close = difflib.get_close_matches(group, ORES_MODELS, n=1, cutoff=_TYPO_CUTOFF)
        if close:
            return f"unknown filter group {group!r} in {key!r} (did you mean '{close[0]}'?)"
        return None  # a highlight color of some non-ORES filter: not ours to judge
    if level not in ORES_LEVELS:
        return (
            f"unknown {group} level {level!r} in {key!r}{did_you_mean(level, ORES_LEVELS)}; "
            f"valid levels: {one_of(ORES_LEVELS)}"
        )
    if value not in COLORS:
        return f"{key} must be one of {one_of(COLORS)}, not {value!r}"
    return None


def color_key(key: str) -> tuple[str, str] | None:
    """``damaging__likelybad_color`` -> ("damaging", "likelybad"); None for other parameters."""
    color = _COLOR_KEY_RE.match(key)
    if color is None or color["group"] not in ORES_MODELS:
        return None
    return color["group"], color["level"]


def _contributions_problem(key: str) -> str | None:
    color = _COLOR_KEY_RE.match(key)
    ores_key = (
        key in ORES_MODELS
        or key in ("highlight", "enhanced")
        or (color is not None and color["group"] in ORES_MODELS)
    )
    if ores_key and key not in _CONTRIBUTIONS_ORES_PARAMS:
        return (
            f"Special:Contributions has no {key!r} parameter (only hidenondamaging); "
            "limit this variant to pages: [recentchanges, watchlist]"
        )
    return None


def requested_filters(params: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    return {group: tuple(params[group].split(";")) for group in ORES_MODELS if group in params}


def required_models(params: Mapping[str, str]) -> frozenset[str]:
    needed: set[str] = {group for group in ORES_MODELS if group in params}
    for key, value in params.items():
        color = _COLOR_KEY_RE.match(key)
        if color is not None and color["group"] in ORES_MODELS:
            needed.add(color["group"])
        # hidenondamaging=1 filters on the damaging model's threshold; =0 is the default view.
        if key == "hidenondamaging" and value == "1":
            needed.add("damaging")
    return frozenset(needed)


def _default_matrix() -> tuple[Variant, ...]:
    filtered = (Page.RECENTCHANGES, Page.WATCHLIST)
    every = (Page.RECENTCHANGES, Page.WATCHLIST, Page.CONTRIBUTIONS)
    variants = [make_variant("plain", every, {})]
    # One level per URL: each level's threshold is parsed on its own (2017: only some crashed).
    # On a wiki not configured to offer a level, that level's variant is skipped (config/ores.py).
    for group in ORES_MODELS:
        variants += [make_variant(f"{group}={lv}", filtered, {group: lv}) for lv in ORES_LEVELS]
    variants += [
        # Both groups at once, several levels each: the ';' parsing path and the two groups'
        # thresholds in one request, as a patroller's saved "likely problems" filter does.
        # Levels a wiki does not offer are dropped from it per wiki (e.g. goodfaith=likelybad
        # alone on a wiki with the extension's defaults).
        make_variant(
            "damaging+goodfaith",
            filtered,
            {"damaging": "likelybad;verylikelybad", "goodfaith": "likelybad;verylikelybad"},
        ),
        # Highlighting without filtering: runs ext.ores.highlighter and the row classes.
        make_variant(
            "highlight",
            filtered,
            {
                "highlight": "1",
                "damaging__likelybad_color": "c4",
                "damaging__verylikelybad_color": "c5",
            },
        ),
        # The legacy boolean filter; on Contributions it is the "hide probably good edits" box.
        make_variant("hidenondamaging", every, {"hidenondamaging": "1"}),
        # Grouped ("enhanced") changes list renders rows through a different code path.
        make_variant(
            "enhanced+damaging=likelybad", filtered, {"enhanced": "1", "damaging": "likelybad"}
        ),
    ]
    return tuple(variants)


DEFAULT_VARIANTS: tuple[Variant, ...] = _default_matrix()
