"""What a wiki's ``ores:`` means: the ORES levels it offers, and each variant fitted to them.

wikis.yaml writes ``ores: [damaging, goodfaith]`` (each model with Extension:ORES's default
levels, :data:`~smoke.model.checks.ORES_DEFAULT_LEVELS`) or a mapping model -> levels such as
``ores: {damaging: [likelygood, likelybad], goodfaith: [likelygood]}``. Both become one mapping,
levels in the canonical order of :data:`~smoke.model.checks.ORES_LEVELS`.

Which levels a wiki offers is configuration (``$wgOresFiltersThresholds``), and on the page a
level that is switched off looks exactly like one whose threshold broke: it is simply not there.
So a variant is fitted to the wiki before it runs. Levels the wiki is not configured to offer are
dropped from the URL and the expectation; when nothing of a model's part of the variant remains,
the check is skipped and says which level is missing. A configured level absent from the page
stays a failure (detector ``ores-present``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator

from smoke.config.errors import FieldProblem, describe_value, did_you_mean, one_of
from smoke.config.fields import check_unique_items
from smoke.config.variants import Variant, color_key
from smoke.model.checks import ORES_DEFAULT_LEVELS, ORES_LEVELS, ORES_MODELS

# Model -> levels, in canonical order; a model the wiki lacks is not a key.
Levels = Mapping[str, tuple[str, ...]]

_SHAPE = (
    "a list of models ([damaging, goodfaith]: the extension's default levels; [] for no ORES) "
    "or a mapping model -> levels ({damaging: [likelygood, maybebad, likelybad, verylikelybad]})"
)


# Valid `ores:` values already normalised, by their shape: a large target has one per wiki but
# only a handful of different ones.
_NORMALISED: dict[object, dict[str, tuple[str, ...]]] = {}
_REMEMBERED = 256


def normalise_ores(value: Any) -> Any:
    """Validate ``ores:`` of a wiki and return it as model -> levels (FieldProblem when wrong)."""
    key = _shape(value)
    found = None if key is None else _NORMALISED.get(key)
    if found is not None:
        return found  # pydantic copies it into the model
    normalised = _normalise(value)
    if key is not None and len(_NORMALISED) < _REMEMBERED:
        _NORMALISED[key] = normalised
    return normalised


def _shape(value: Any) -> object:
    """A hashable copy of a list of names or a mapping name -> list of names; else None."""
    if type(value) is list and all(type(item) is str for item in value):
        return tuple(value)
    if type(value) is dict and all(
        type(model) is str and type(levels) is list and all(type(lv) is str for lv in levels)
        for model, levels in value.items()
    ):
        return tuple((model, tuple(levels)) for model, levels in value.items())
    return None


def _normalise(value: Any) -> dict[str, tuple[str, ...]]:
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise FieldProblem(f"expected a model name, got {describe_value(item)}", (index,))
        check_unique_items(value, what="ORES model", valid=ORES_MODELS)
        return {model: ORES_DEFAULT_LEVELS[model] for model in ORES_MODELS if model in value}
    if isinstance(value, dict):
        for model, levels in value.items():
            _check_model_levels(model, levels)
        return {
            model: tuple(level for level in ORES_LEVELS if level in value[model])
            for model in ORES_MODELS
            if model in value
        }
    raise FieldProblem(f"expected {_SHAPE}, got {describe_value(value)}")


def _check_model_levels(model: object, levels: object) -> None:
    name = str(model)
    if model not in ORES_MODELS:
        raise FieldProblem(
            f"unknown ORES model {name!r}{did_you_mean(name, ORES_MODELS)}; "
            f"valid: {one_of(ORES_MODELS)}",
            (name,),
        )
    if not isinstance(levels, list | tuple):
        raise FieldProblem(
            f"expected a list of {name} levels ({one_of(ORES_LEVELS)}), "
            f"got {describe_value(levels)}",
            (name,),
        )
    if not levels:
        raise FieldProblem(
            f"{name} lists no level; leave {name} out instead when the wiki does not offer it",
            (name,),
        )
    for index, level in enumerate(levels):
        if not isinstance(level, str):
            raise FieldProblem(f"expected a level name, got {describe_value(level)}", (name, index))
    try:
        check_unique_items(levels, what=f"{name} level", valid=ORES_LEVELS)
    except FieldProblem as problem:
        raise FieldProblem(problem.message, (name, *problem.subpath)) from None


OresLevels = Annotated[dict[str, tuple[str, ...]], BeforeValidator(normalise_ores)]


@dataclass(frozen=True)
class Fitted:
    """A variant as it runs on one wiki: the levels the wiki lacks are taken out."""

    params: Mapping[str, str]
    requested_filters: Mapping[str, tuple[str, ...]]
    # Set when a model's part of the variant asks only for levels the wiki lacks, e.g.
    # "goodfaith=verylikelybad": the check is then skipped with this as the reason's subject.
    lacking: str | None = None


def fit_variant(variant: Variant, levels: Levels) -> Fitted:
    """``variant`` narrowed to ``levels``. A model the wiki lacks entirely is left as is: that
    is a skip of its own ("has no ORES goodfaith"), decided before levels matter."""
    params: dict[str, str] = {}
    requested: dict[str, tuple[str, ...]] = {}
    colors: dict[str, list[tuple[str, str]]] = {}  # model -> (key, level) of its colors
    lacking: list[str] = []
    for key, value in variant.params.items():
        color = color_key(key)
        if key in levels:
            asked = value.split(";")
            kept = [level for level in asked if level in levels[key]]
            if kept:
                params[key] = ";".join(kept)
                requested[key] = tuple(kept)
            else:
                lacking.append(f"{key}={value}")
        elif color is not None and color[0] in levels:
            colors.setdefault(color[0], []).append((key, color[1]))
            params[key] = value  # kept in its place; taken out below when the level is missing
        else:
            params[key] = value
    for model, entries in colors.items():
        missing = [(key, level) for key, level in entries if level not in levels[model]]
        for key, _ in missing:
            del params[key]
        if len(missing) == len(entries):
            lacking.append(f"{model}={';'.join(level for _, level in missing)}")
    if lacking:
        return Fitted(variant.params, variant.requested_filters, ", ".join(sorted(lacking)))
    ordered = {model: requested[model] for model in ORES_MODELS if model in requested}
    return Fitted(params, ordered)


def lacking_reason(lacking: str, wiki_id: str) -> str:
    """The skip reason of a variant whose levels the wiki does not offer."""
    return f"{lacking}: not enabled on {wiki_id} in wikis.yaml"
