"""The catalogue of faults the farm can switch on, what a correct smoke run reports for each, and
the options a switch records (``--delay`` for slow, ``--model``/``--level`` for level-null).

``what`` and ``expect`` are the README's fault table, one row per fault, and hold on the real
Extension:ORES and on the imitation alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smoke.testbed.errors import BadInput
from smoke.testbed.wikis import ORES_LEVELS, ORES_MODELS


@dataclass(frozen=True)
class Fault:
    name: str
    what: str  # what the fault does to the wiki
    expect: str  # what a correct smoke run must report


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
        ),
        Fault(
            "service-500",
            "The scoring service answers HTTP 500 to every request of the wiki. Extension:ORES "
            "catches the failed threshold fetch (cached empty for a minute) and drops every level: "
            "RC/WL are HTTP 200 without the damaging and goodfaith groups; Contributions keeps "
            "#ores-hide-nondamaging, which then filters nothing; no error page anywhere. Scores of "
            "new edits are not fetched (the job fails).",
            "RC/WL checks fail with 'ORES filters missing (silent degradation)'; Contributions "
            "checks fail with 'ORES scores gone since run <id>' when an earlier healthy run of "
            "the target is in the reports dir (drift), otherwise they pass (the page alone "
            "cannot tell lost scores from unscored edits).",
        ),
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
            "latency",
            "Not a fault: every view of RecentChanges, Watchlist or Contributions (and the filters "
            "app's refetch) answers `--delay` seconds later (default 1), as a remote target does "
            "from a CI runner (bench: remote worker counts).",
            "Every check passes as without it; a sweep becomes latency-bound, not CPU-bound.",
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
DEFAULT_SLOW_DELAY = 40
DEFAULT_LATENCY = 1


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
    if name != LEVEL_NULL and (model is not None or level is not None):
        raise BadInput(f"--model and --level apply to the {LEVEL_NULL} fault only, not {name}")
    result = {key: dict(value) for key, value in faults.items()}
    if name == LEVEL_NULL:
        return _switch_level_null(result, on, wiki_id, ores_levels, model, level)
    if not on:
        result.pop(name, None)
    elif name == "slow":
        result[name] = {"delay": DEFAULT_SLOW_DELAY if delay is None else delay}
    elif name == "latency":
        result[name] = {"delay": DEFAULT_LATENCY if delay is None else delay}
    elif name == "flaky" and delay is not None:
        result[name] = {"delay": delay}  # every other view hangs instead of failing
    else:
        result[name] = {}
    return result


def _switch_level_null(
    faults: dict[str, dict[str, Any]],
    on: bool,
    wiki_id: str,
    ores_levels: Mapping[str, list[str]],
    model: str | None,
    level: str | None,
) -> dict[str, dict[str, Any]]:
    if not on and model is None and level is None:
        faults.pop(LEVEL_NULL, None)
        return faults
    pair = _level(wiki_id, ores_levels, model, level)
    nulled = [tuple(p) for p in faults.get(LEVEL_NULL, {}).get("levels", [])]
    nulled = [p for p in nulled if p != pair] + ([pair] if on else [])
    if nulled:
        faults[LEVEL_NULL] = {"levels": [list(p) for p in sorted(nulled)]}
    else:
        faults.pop(LEVEL_NULL, None)
    return faults


def _level(
    wiki_id: str, ores_levels: Mapping[str, list[str]], model: str | None, level: str | None
) -> tuple[str, str]:
    """Validates the level a level-null switch names; (model, level)."""
    if model is None or level is None:
        raise BadInput(
            f"{LEVEL_NULL} needs --model ({' or '.join(ORES_MODELS)}) and --level "
            f"({', '.join(ORES_LEVELS)})"
        )
    if model not in ORES_MODELS:
        raise BadInput(f"unknown ORES model {model!r}; models: {', '.join(ORES_MODELS)}")
    if level not in ORES_LEVELS:
        raise BadInput(f"unknown ORES level {level!r}; levels: {', '.join(ORES_LEVELS)}")
    if not ores_levels:
        raise BadInput(f"{wiki_id} has no ORES, so no {model} {level} level to null")
    offered = ores_levels.get(model, [])
    if level not in offered:
        raise BadInput(
            f"{wiki_id} does not offer {model} {level} (its {model} levels: "
            f"{', '.join(offered) or 'none'}), so nulling it would change nothing"
        )
    return model, level


def describe(name: str, options: Mapping[str, Any]) -> str:
    """A fault as `status` shows it: ``slow (12 s)``, ``level-null (damaging/maybebad)``."""
    if name in ("slow", "flaky", "latency") and "delay" in options:
        return f"{name} ({options['delay']} s)"
    if name == LEVEL_NULL and options.get("levels"):
        return f"{name} ({', '.join('/'.join(p) for p in options['levels'])})"
    return name
