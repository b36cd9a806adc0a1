"""The catalogue of faults the farm can switch on, what a correct smoke run reports for each, and
the options a switch records (``--delay`` for slow, ``--model``/``--level`` for the level faults,
``--model`` for the model faults).

``what`` and ``expect`` are the fault table of ``docs/farm.md``, one row per fault, and hold on
the real Extension:ORES and on the imitation alike. ``generations`` are the farm generations
(``smoke testbed up --mediawiki``) on which the fault does what ``what`` says: the faults of
2017 need formula thresholds (1.39), those of Lift Wing need REL1_43 (1.43).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smoke.testbed.errors import BadInput
from smoke.testbed.wikis import ORES_LEVELS, ORES_MODELS

OLD, TODAY = "1.39", "1.43"
BOTH = (OLD, TODAY)


@dataclass(frozen=True)
class Fault:
    name: str
    what: str  # what the fault does to the wiki
    expect: str  # what a correct smoke run must report
    generations: tuple[str, ...] = BOTH


# Today's ORES (REL1_43 on Lift Wing), found in its code: LiftWingService::singleLiftWingRequest
# throws on a refused connection, any status but 200 and a body that does not decode or holds an
# `error`, FetchScoreJob catches it and fails (the edit stays unscored); ThresholdParser drops a
# level whose bound is neither a number nor a formula answered (no threshold API on Lift Wing);
# Helpers::isModelEnabled hides a disabled model's groups; SqlModelLookup::getModelId throws for a
# model with no current row in ores_model, uncaught on Contributions (ContribsPager::getQueryInfo)
# and caught on RC/WL, where it ends the filter building before goodfaith too.
_SCORING_STOPPED = (
    "RC/WL checks fail (ores-scoring: 'ORES scoring stopped since …') once an edit made after "
    "the fault is older than the target's scoring_grace and an earlier edit of its kind is "
    "scored; before that (a just-saved edit), and on a wiki with no edit since, every check "
    "passes. No other detector fires: pages are HTTP 200 with every filter."
)
TODAY_FAULTS = (
    Fault(
        "liftwing-refused",
        "Lift Wing refuses connections ($wgOresLiftWingBaseUrl points at a closed port): every "
        'score job fails ("Failed to make LiftWing request"), new edits stay unscored; pages '
        "are HTTP 200 with every filter (thresholds are numbers, no request).",
        _SCORING_STOPPED,
        (TODAY,),
    ),
    Fault(
        "liftwing-500",
        "Lift Wing answers HTTP 500 to every :predict request of the wiki: score jobs fail, new "
        "edits stay unscored; pages are HTTP 200 with every filter.",
        _SCORING_STOPPED,
        (TODAY,),
    ),
    Fault(
        "liftwing-bad-body",
        "Lift Wing answers HTTP 200 with a body the extension rejects (an HTML error page, not "
        'JSON: "Bad response from Lift Wing endpoint"): score jobs fail, new edits stay '
        "unscored; pages are HTTP 200 with every filter.",
        _SCORING_STOPPED,
        (TODAY,),
    ),
    Fault(
        "threshold-off",
        "One level is set to false in $wgOresFiltersThresholds (`--model M --level L`; "
        "repeatable; `off` without them clears all), as a config change in production could: "
        "the level is gone from its group, HTTP 200. Damaging likelybad off also takes the "
        "scores off Contributions (its threshold is the default 'hide probably good edits' one).",
        "RC/WL checks whose variant asks for that level fail (ores-present: level configured "
        "in wikis.yaml but not offered); every other check passes.",
    ),
    Fault(
        "threshold-string",
        "One level's threshold is typed as a string that is not a number ('0,629', a decimal "
        "comma; `--model M --level L`): the extension takes it for a formula, has no threshold "
        "API to ask on Lift Wing, logs 'Unable to parse threshold' and drops the level, HTTP 200.",
        "As threshold-off: RC/WL checks asking for that level fail (ores-present).",
        (TODAY,),
    ),
    Fault(
        "model-off",
        "A model is disabled in $wgOresModels (`--model M`): its filter group is gone from "
        "RC/WL; for damaging also Contributions' 'hide probably good edits' checkbox. HTTP 200.",
        "Every RC/WL check of the wiki fails (ores-present: M not offered); for damaging the "
        "Contributions checks fail too (checkbox missing).",
    ),
    Fault(
        "model-unregistered",
        "The model's row in ores_model is not current (`--model M`, default damaging; a model "
        "enabled in $wgOresModels that ores_model does not know): Contributions throws "
        "InvalidArgumentException 'No model available for [damaging]' (HTTP 500); RC/WL catch "
        "it and lose the damaging and goodfaith groups (HTTP 200). The next scored edit "
        "registers the model again, as in production.",
        "Contributions checks fail (server-error, InvalidArgumentException); RC/WL checks fail "
        "(ores-present: damaging, goodfaith not offered).",
    ),
    Fault(
        "crash",
        "The farm's own exception in the hooks RC, Watchlist and Contributions run while "
        "building their filters and query: HTTP 500 error page (RuntimeException), on any "
        "generation; for the 1.43 code paths that catch every ORES exception.",
        "RC, WL and Contributions checks of the wiki fail (server-error, RuntimeException).",
    ),
)

FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "null-threshold-crash",
            "The scoring service answers null for every threshold and the wiki throws as "
            "Extension:ORES did in 2017 (replayed by the farm's companion extension, as today's "
            'extension no longer throws): HTTP 500 error page with RuntimeException "Unable to '
            'parse threshold" on RecentChanges, Watchlist and Contributions.',
            "RC, WL and Contributions checks of the wiki fail (server-error), naming "
            "RuntimeException and the request id.",
            (OLD,),
        ),
        Fault(
            "null-threshold-silent",
            "The scoring service answers null for every threshold; Extension:ORES logs and drops "
            "every level (today's behaviour): RC/WL are HTTP 200 without the damaging and "
            "goodfaith groups; Contributions keeps #ores-hide-nondamaging, which then filters "
            "nothing, and has no ORES scores (no oresData, no ext.ores.styles).",
            "RC/WL checks fail with 'ORES filters missing (silent degradation)'; Contributions "
            "checks fail with 'ORES scores gone since run <id>' when an earlier healthy run of "
            "the target is in the reports dir (drift), otherwise they pass (the checkbox is "
            "still there and the page alone cannot tell lost scores from unscored edits).",
            (OLD,),
        ),
        Fault(
            "level-null",
            "The scoring service answers null for the formula of one level only (`--model M "
            "--level L`; repeatable; `off` without them clears all): Extension:ORES drops that "
            "level alone from its group, HTTP 200, everything else as usual.",
            "RC/WL checks whose variant asks for that level (e.g. damaging=likelybad, "
            "damaging+goodfaith, enhanced+damaging=likelybad for damaging likelybad) fail: the "
            "level is configured for the wiki but not offered (silent degradation); every other "
            "check passes.",
            (OLD,),
        ),
        Fault(
            "service-500",
            "The scoring service answers HTTP 500 to every request of the wiki. Extension:ORES "
            "catches the failed threshold fetch (cached empty for a minute) and drops every level: "
            "RC/WL are HTTP 200 without the damaging and goodfaith groups; Contributions keeps "
            "#ores-hide-nondamaging, which then filters nothing; no error page anywhere. Scores of "
            "new edits are not fetched (the job fails). On 1.43 (Lift Wing, numeric thresholds, "
            "no threshold request) it is Lift Wing that answers 500: see liftwing-500.",
            "RC/WL checks fail with 'ORES filters missing (silent degradation)'; Contributions "
            "checks fail with 'ORES scores gone since run <id>' when an earlier healthy run of "
            "the target is in the reports dir (drift), otherwise they pass (the page alone "
            "cannot tell lost scores from unscored edits). On 1.43 as liftwing-500.",
        ),
        *TODAY_FAULTS,
        Fault(
            "js-error",
            "An uncaught JavaScript exception on RecentChanges and Watchlist shortly after load.",
            "RC/WL checks fail (javascript: uncaught exception).",
        ),
        Fault(
            "module-error",
            "A ResourceLoader module loaded on RecentChanges, Watchlist and Contributions "
            "(ext.smokefarm.moduleerror) fails to execute: mw.loader.getState → 'error'.",
            "RC/WL/Contributions checks fail (resourceloader: module in state error).",
        ),
        Fault(
            "refetch-500",
            "The filters app's AJAX list refetch (action=render) returns HTTP 500; the first page "
            "load is fine.",
            "RC/WL checks fail (subrequests: list refetch returned HTTP 500).",
        ),
        Fault(
            "slow",
            "RecentChanges, Watchlist and Contributions take longer than a delay (default 40 s, "
            "`--delay`).",
            "Those checks are broken (navigation timeout) when the delay exceeds smoke's timeout; "
            "exit code 3 when nothing else is wrong.",
        ),
        Fault(
            "flaky",
            "Every other view of RecentChanges, Watchlist or Contributions (shared counter) "
            "fails with HTTP 500; the next one works. With `--delay S` every other view hangs S "
            "seconds instead.",
            "A check that fails once and passes on its retry is reported flaky (exit 0 unless "
            "--fail-on-flaky). With --delay over the navigation timeout: timeouts alternate with "
            "passes, so smoke never gives up on the page (each pass resets the count).",
        ),
        Fault(
            "down",
            "The wiki's web server is stopped (nothing listens on its port).",
            "Every check of the wiki is broken (connection refused); other checks still reported.",
        ),
    )
}

LEVEL_NULL = "level-null"
# Faults naming levels (`--model M --level L`, repeatable) and faults naming models (`--model M`).
LEVEL_FAULTS = (LEVEL_NULL, "threshold-off", "threshold-string")
MODEL_FAULTS = ("model-off", "model-unregistered")
DEFAULT_MODEL = {"model-unregistered": "damaging"}
DEFAULT_SLOW_DELAY = 40


def switched(
    faults: Mapping[str, dict[str, Any]],
    name: str,
    on: bool,
    *,
    wiki_id: str,
    ores_levels: Mapping[str, list[str]],
    delay: float | None = None,
    model: str | None = None,
    level: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The wiki's faults after one switch; BadInput (one sentence) for an impossible switch."""
    if name not in FAULTS:
        raise BadInput(f"unknown fault {name!r}; known faults: {', '.join(FAULTS)}")
    if name not in LEVEL_FAULTS and level is not None:
        raise BadInput(f"--level applies to {', '.join(LEVEL_FAULTS)} only, not {name}")
    if name not in LEVEL_FAULTS + MODEL_FAULTS and model is not None:
        raise BadInput(
            f"--model applies to {', '.join(LEVEL_FAULTS + MODEL_FAULTS)} only, not {name}"
        )
    result = {key: dict(value) for key, value in faults.items()}
    if name in LEVEL_FAULTS:
        return _switch_level(result, name, on, wiki_id, ores_levels, model, level)
    if name in MODEL_FAULTS:
        return _switch_model(result, name, on, wiki_id, ores_levels, model)
    if not on:
        result.pop(name, None)
    elif name == "slow":
        result[name] = {"delay": DEFAULT_SLOW_DELAY if delay is None else delay}
    elif name == "flaky" and delay is not None:
        result[name] = {"delay": delay}  # every other view hangs instead of failing
    else:
        result[name] = {}
    return result


def _switch_level(
    faults: dict[str, dict[str, Any]],
    name: str,
    on: bool,
    wiki_id: str,
    ores_levels: Mapping[str, list[str]],
    model: str | None,
    level: str | None,
) -> dict[str, dict[str, Any]]:
    if not on and model is None and level is None:
        faults.pop(name, None)
        return faults
    pair = _level(name, wiki_id, ores_levels, model, level)
    chosen = [tuple(p) for p in faults.get(name, {}).get("levels", [])]
    chosen = [p for p in chosen if p != pair] + ([pair] if on else [])
    if chosen:
        faults[name] = {"levels": [list(p) for p in sorted(chosen)]}
    else:
        faults.pop(name, None)
    return faults


def _switch_model(
    faults: dict[str, dict[str, Any]],
    name: str,
    on: bool,
    wiki_id: str,
    ores_levels: Mapping[str, list[str]],
    model: str | None,
) -> dict[str, dict[str, Any]]:
    if not on and model is None:
        faults.pop(name, None)
        return faults
    model = model or DEFAULT_MODEL.get(name)
    if model is None:
        raise BadInput(f"{name} needs --model ({' or '.join(ORES_MODELS)})")
    if model not in ORES_MODELS:
        raise BadInput(f"unknown ORES model {model!r}; models: {', '.join(ORES_MODELS)}")
    if model not in ores_levels:
        raise BadInput(
            f"{wiki_id} does not have the ORES model {model}, so {name} would change nothing"
        )
    chosen = [m for m in faults.get(name, {}).get("models", []) if m != model]
    chosen += [model] if on else []
    if chosen:
        faults[name] = {"models": sorted(chosen)}
    else:
        faults.pop(name, None)
    return faults


def _level(
    name: str,
    wiki_id: str,
    ores_levels: Mapping[str, list[str]],
    model: str | None,
    level: str | None,
) -> tuple[str, str]:
    """Validates the level a level switch names; (model, level)."""
    if model is None or level is None:
        raise BadInput(
            f"{name} needs --model ({' or '.join(ORES_MODELS)}) and --level "
            f"({', '.join(ORES_LEVELS)})"
        )
    if model not in ORES_MODELS:
        raise BadInput(f"unknown ORES model {model!r}; models: {', '.join(ORES_MODELS)}")
    if level not in ORES_LEVELS:
        raise BadInput(f"unknown ORES level {level!r}; levels: {', '.join(ORES_LEVELS)}")
    if not ores_levels:
        raise BadInput(f"{wiki_id} has no ORES, so no {model} {level} level for {name}")
    offered = ores_levels.get(model, [])
    if level not in offered:
        raise BadInput(
            f"{wiki_id} does not offer {model} {level} (its {model} levels: "
            f"{', '.join(offered) or 'none'}), so {name} would change nothing"
        )
    return model, level


def describe(name: str, options: Mapping[str, Any]) -> str:
    """A fault as `status` shows it: ``slow (12 s)``, ``level-null (damaging/maybebad)``,
    ``model-off (goodfaith)``."""
    if name in ("slow", "flaky") and "delay" in options:
        return f"{name} ({options['delay']} s)"
    if name in LEVEL_FAULTS and options.get("levels"):
        return f"{name} ({', '.join('/'.join(p) for p in options['levels'])})"
    if name in MODEL_FAULTS and options.get("models"):
        return f"{name} ({', '.join(options['models'])})"
    return name
