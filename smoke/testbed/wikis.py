"""The farm's wikis and the ORES levels each one offers: the one table others import.

Which ORES levels a wiki offers is configuration (``$wgOresFiltersThresholds``, per wiki in
production), and the page alone cannot tell a level that is switched off from one whose threshold
broke. So the farm configures its wikis from this table, writes each wiki's levels into
``state.json`` (``ores_levels``), and tests and ``wikis.yaml`` are checked against it.

``LEVEL_BOUNDS`` holds the threshold formulas of Extension:ORES's own defaults (extension.json,
``OresFiltersThresholds``) plus the one level the defaults switch off (goodfaith
``verylikelybad``), with the formula production uses for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ORES_MODELS: tuple[str, ...] = ("damaging", "goodfaith")
ORES_LEVELS: tuple[str, ...] = ("likelygood", "maybebad", "likelybad", "verylikelybad")

Bound = float | str  # a number, or a threshold formula asked of the scoring service

# model -> level -> {"min": bound, "max": bound}: a formula on "min" is read from the model's
# `true` class, one on "max" from the `false` class (as 1 - threshold), as the extension does.
LEVEL_BOUNDS: Mapping[str, Mapping[str, Mapping[str, Bound]]] = MappingProxyType(
    {
        "damaging": {
            "likelygood": {"min": 0, "max": "maximum recall @ precision >= 0.995"},
            "maybebad": {"min": "maximum filter_rate @ recall >= 0.9", "max": 1},
            "likelybad": {"min": "maximum recall @ precision >= 0.6", "max": 1},
            "verylikelybad": {"min": "maximum recall @ precision >= 0.9", "max": 1},
        },
        "goodfaith": {
            "likelygood": {"min": "maximum recall @ precision >= 0.995", "max": 1},
            "maybebad": {"min": 0, "max": "maximum filter_rate @ recall >= 0.9"},
            "likelybad": {"min": 0, "max": "maximum recall @ precision >= 0.6"},
            # Off in the extension's defaults; production wikis that offer it (ruwiki) use this.
            "verylikelybad": {"min": 0, "max": "maximum recall @ precision >= 0.9"},
        },
    }
)

Levels = Mapping[str, tuple[str, ...]]  # model -> the levels it offers, in ORES_LEVELS order

# Extension:ORES's defaults: damaging offers all four, goodfaith all but verylikelybad.
EXTENSION_DEFAULT_LEVELS: Levels = MappingProxyType(
    {"damaging": ORES_LEVELS, "goodfaith": ("likelygood", "maybebad", "likelybad")}
)


@dataclass(frozen=True)
class WikiSpec:
    id: str
    lang: str
    sitename: str
    pages: tuple[str, ...]
    # model -> offered levels; a model absent here is not enabled; {} means no ORES at all.
    ores_levels: Levels = field(default_factory=dict, hash=False)

    @property
    def ores(self) -> tuple[str, ...]:
        """The ORES models the wiki has enabled, in ORES_MODELS order."""
        return tuple(m for m in ORES_MODELS if m in self.ores_levels)


_EN_PAGES = ("Apollo program", "Basalt", "Comet", "Delta")

WIKI_SPECS: tuple[WikiSpec, ...] = (
    # Like beta: the extension's defaults.
    WikiSpec("enwiki", "en", "Smoke English Wikipedia", _EN_PAGES, EXTENSION_DEFAULT_LEVELS),
    # Like production ruwiki (and 2017's ruwiki): every level of both models.
    WikiSpec(
        "ruwiki",
        "ru",
        "Смоук Википедия",
        ("Программа Аполлон", "Базальт", "Комета", "Дельта"),
        MappingProxyType({"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS}),
    ),
    # Damaging without maybebad (like production plwiki); goodfaith as the defaults.
    WikiSpec(
        "frwiki",
        "fr",
        "Smoke Wikipédia",
        ("Programme Apollo", "Basalte", "Comète", "Delta"),
        MappingProxyType(
            {
                "damaging": ("likelygood", "likelybad", "verylikelybad"),
                "goodfaith": EXTENSION_DEFAULT_LEVELS["goodfaith"],
            }
        ),
    ),
    # Like beta in 2017: a wiki where ORES is not enabled at all.
    WikiSpec("nooreswiki", "en", "Smoke wiki without ORES", _EN_PAGES),
)
SPECS_BY_ID: Mapping[str, WikiSpec] = MappingProxyType({spec.id: spec for spec in WIKI_SPECS})


def configured_levels(wiki_id: str) -> dict[str, tuple[str, ...]]:
    """The ORES levels ``wiki_id`` offers per model ({} for a wiki without ORES).

    Raises KeyError for a wiki that is not in the farm.
    """
    return dict(SPECS_BY_ID[wiki_id].ores_levels)


def thresholds_config(levels: Levels) -> dict[str, dict[str, dict[str, Bound] | bool]]:
    """``$wgOresFiltersThresholds`` for a wiki offering ``levels``: every level of every model
    named, either with its bounds or ``false`` (off), so nothing depends on the defaults of the
    extension that happens to be loaded."""
    return {
        model: {
            level: dict(LEVEL_BOUNDS[model][level]) if level in levels.get(model, ()) else False
            for level in ORES_LEVELS
        }
        for model in ORES_MODELS
    }


def level_formulas(model: str, level: str) -> list[tuple[str, str]]:
    """The (class, formula) pairs the extension asks the service for one level's bounds."""
    return [
        ("true" if bound == "min" else "false", value)
        for bound, value in LEVEL_BOUNDS[model][level].items()
        if isinstance(value, str)
    ]
