"""Renders a wiki's smoke-settings.php: the part of its LocalSettings.php the farm owns.

Every wiki loads SmokeFarm (the companion: site matrix, faults, request log). A wiki with ORES
models also loads an ORES, configured as production configures Extension:ORES — base URL, wiki
id, models and every level of ``$wgOresFiltersThresholds`` from :mod:`smoke.testbed.wikis` —
either the real extension from a checkout or the imitation SmokeOres, which reads the same
settings. Regenerated on every ``up``.

A checkout with Lift Wing (REL1_43) runs as Beta and production run it today:
``$wgOresUseLiftwing``, ``$wgOresLiftWingBaseUrl`` at the farm's service, model versions from
``$wgOresModelVersions``, and thresholds as *numbers* (the extension's own defaults are numeric
since REL1_43; a formula would ask Lift Wing, which has no threshold API). The numbers are those
the farm's service answers for the formulas of :data:`smoke.testbed.wikis.LEVEL_BOUNDS`, so a
wiki offers the same levels, with the same rows in them, on both generations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smoke.testbed import scoring
from smoke.testbed.liftwing import PREFIX as LIFTWING_PREFIX
from smoke.testbed.ores import OresCheckout
from smoke.testbed.scoring import MODEL_VERSIONS, SCORE_CYCLE
from smoke.testbed.state import FarmState, WikiState
from smoke.testbed.wikis import ORES_MODELS, Bound, Levels, thresholds_config

ASSETS = Path(__file__).parent / "assets"


def _str(text: str | Path) -> str:
    """A PHP single-quoted string literal: nothing in it is interpolated (paths may hold `$`)."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _php(value: Any) -> str:
    """A PHP expression for a JSON-able value (nested arrays become associative arrays)."""
    return f"json_decode( {_str(json.dumps(value, ensure_ascii=False))}, true )"


def render(state: FarmState, wiki: WikiState, checkout: OresCheckout | None) -> str:
    companion = ASSETS / "SmokeFarm" / "extension.json"
    farm_wikis = [
        {"dbname": w.id, "lang": w.lang, "url": w.url, "sitename": w.sitename}
        for w in state.wikis.values()
    ]
    lines = [
        "<?php",
        "// Written by `smoke testbed up`; regenerated on every up. Do not edit.",
        '// Production-like error pages: "Fatal exception of type ..." with a request id.',
        "$wgShowExceptionDetails = false;",
        "// ... and the message and backtrace of every exception in the wiki's exception.log.",
        f"$wgDebugLogGroups['exception'] = {_str(wiki.dir / 'exception.log')};",
        "$wgUseSiteJs = true;",
        "// Jobs (ORES score jobs) run only when the farm runs them (up, smoke testbed edit),",
        "// as production's dedicated job runners do: never on a page view, so tests can tell.",
        "$wgJobRunRate = 0;",
        "$wgDefaultUserOptions['rcdays'] = 30;",
        "$wgDefaultUserOptions['watchlistdays'] = 30;",
        f"$wgSmokeFarmStateDir = {_str(wiki.dir)};",
        f"$wgSmokeFarmWikis = {_php(farm_wikis)};",
        f"wfLoadExtension( 'SmokeFarm', {_str(companion)} );",
    ]
    if wiki.ores_levels:
        lines += _ores_lines(state, wiki, checkout)
        lines += _config_fault_lines(wiki)
    return "\n".join(lines) + "\n"


def _ores_lines(state: FarmState, wiki: WikiState, checkout: OresCheckout | None) -> list[str]:
    levels = {model: tuple(names) for model, names in wiki.ores_levels.items()}
    models = {m: {"enabled": m in levels} for m in ORES_MODELS}
    faults_file = _str(wiki.dir / "faults.json")
    liftwing = checkout is not None and checkout.liftwing
    thresholds = numeric_thresholds_config(levels) if liftwing else thresholds_config(levels)
    lines = [
        "",
        "// ORES, configured as production configures it (levels: smoke/testbed/wikis.py).",
        f"$wgOresBaseUrl = {_str(state.service_url + '/')};",
        f"$wgOresWikiId = {_str(wiki.id)};",
        f"$wgOresModels = {_php(models)};",
        f"$wgOresFiltersThresholds = {_php(thresholds)};",
        "// ORES caches thresholds for a day in the object cache (APCu here). The cache key holds",
        "// $wgOresCacheVersion: following faults.json, a switched fault is never hidden by it.",
        f"$wgOresCacheVersion = crc32( (string)@file_get_contents( {faults_file} ) );",
        f"$wgDebugLogGroups['ORES'] = {_str(wiki.dir / 'ores.log')};",
    ]
    if liftwing:
        versions = {"models": {m: {"version": v} for m, v in MODEL_VERSIONS.items()}}
        lines += [
            "// Lift Wing, as Beta and production: one POST per revision and model.",
            "$wgOresUseLiftwing = true;",
            f"$wgOresLiftWingBaseUrl = {_str(state.service_url + LIFTWING_PREFIX + '/')};",
            f"$wgOresModelVersions = {_php(versions)};",
        ]
    elif checkout is not None:
        lines.append("$wgOresUseLiftwing = false;  // ORES v3: ask the service for formulas")
    if checkout is not None:
        manifest = checkout.dir / "extension.json"
        lines.append(f"wfLoadExtension( 'ORES', {_str(manifest)} );")
    else:
        manifest = ASSETS / "SmokeOres" / "extension.json"
        lines += [
            "// No Extension:ORES checkout: the imitation; scores by revision id, as the service.",
            f"$wgSmokeOresScoreCycle = {_php([list(pair) for pair in SCORE_CYCLE])};",
            f"$wgSmokeOresModelVersions = {_php(MODEL_VERSIONS)};",
            "// install.php's Main Page (revision 1) predates ORES: the extension never scores it.",
            "$wgSmokeOresFirstScoredRevision = 2;",
            f"wfLoadExtension( 'SmokeOres', {_str(manifest)} );",
        ]
    return lines


def _config_fault_lines(wiki: WikiState) -> list[str]:
    """The faults of configuration (threshold-off, model-off, …: SmokeFarm's ConfigFaults.php)
    change the ORES globals above on every request, from faults.json."""
    script = ASSETS / "SmokeFarm" / "includes" / "ConfigFaults.php"
    return [
        "// Faults of configuration, from faults.json on every request (smoke/testbed/faults.py).",
        f"require_once {_str(script)};",
        f"smokeFarmApplyConfigFaults( {_str(wiki.dir / 'faults.json')} );",
    ]


def numeric_bound(model: str, bound: str, value: Bound) -> float:
    """A level's bound as a number: a formula becomes the threshold the farm's service answers
    for it (``max`` from the ``false`` class, as ``1 - threshold``, as the extension reads it)."""
    if not isinstance(value, str):
        return value
    cls = "true" if bound == "min" else "false"
    answer = scoring.threshold(model, cls, value)
    if answer is None:
        raise ValueError(f"the farm's service has no threshold for {model} {value!r}")
    number = answer["threshold"]
    return round(number if bound == "min" else 1 - number, 3)


def numeric_thresholds_config(levels: Levels) -> dict[str, dict[str, dict[str, Bound] | bool]]:
    """``$wgOresFiltersThresholds`` with numbers only (Lift Wing): the same levels as
    :func:`smoke.testbed.wikis.thresholds_config`, each formula replaced by its threshold."""
    config = thresholds_config(levels)
    return {
        model: {
            level: (
                {b: numeric_bound(model, b, v) for b, v in bounds.items()}
                if isinstance(bounds, dict)
                else bounds
            )
            for level, bounds in per_level.items()
        }
        for model, per_level in config.items()
    }
