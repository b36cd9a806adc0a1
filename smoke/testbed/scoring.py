"""The farm's synthetic ORES models: a threshold for any formula, a score for any revision (pure).

Thresholds. ORES answers ``statistics.thresholds.<class>."<formula>"`` with the threshold that
optimises one statistic under a constraint on another, e.g. ``maximum recall @ precision >= 0.9``,
computed over its test set. Here each model has a fixed synthetic test set: scores ``s = u**skew``
for ``u`` evenly spread over (0, 1), and a calibrated model (an edit with score ``s`` is in the
class with probability ``s``). Any formula is parsed and solved over that set on a 0.001 grid,
so every answer is deterministic and consistent (a stricter precision gives a higher threshold),
and a formula that cannot be met is ``None`` — what ORES answered on 2017-11-20 (T181006).

Scores. A revision's probabilities follow from its id (``SCORE_CYCLE[rev_id % 7]``): seven
score pairs chosen so that any seven consecutive revisions cover every ORES level of both models
under the thresholds the extension's formulas give. The fallback extension reads the same cycle
(``$wgSmokeOresScoreCycle``), so both ORES implementations score a revision alike.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

MODEL_VERSIONS: dict[str, str] = {"damaging": "0.5.1", "goodfaith": "0.5.1"}

# Skew of the score distribution of each model's `true` class: most edits are good, so damaging
# scores crowd near 0; good faith is even more common than "not damaging".
_SKEW: dict[tuple[str, str], float] = {
    ("damaging", "true"): 3.0,
    ("goodfaith", "false"): 4.0,
}
_POPULATION = 2000
_GRID = [round(k / 1000, 3) for k in range(1, 1000)]

# (damaging, goodfaith) probability of the `true` class for rev_id % 7 == 0, 1, ... 6.
SCORE_CYCLE: tuple[tuple[float, float], ...] = (
    (0.004, 0.998),  # damaging likelygood; goodfaith likelygood
    (0.08, 0.95),  # between the levels
    (0.25, 0.8),  # damaging maybebad; goodfaith maybebad
    (0.5, 0.6),  # damaging maybebad+likelybad; goodfaith maybebad+likelybad
    (0.75, 0.4),  # the same, higher
    (0.95, 0.05),  # every bad level, verylikelybad included
    (0.01, 0.99),  # likelygood again
)

STATISTICS = (
    "precision", "recall", "f1", "!precision", "!recall", "!f1",
    "accuracy", "fpr", "filter_rate", "match_rate",
)  # fmt: skip
_FORMULA = re.compile(
    r"^\s*(maximum|minimum)\s+(!?[a-z_0-9]+)\s*@\s*(!?[a-z_0-9]+)\s*(>=|<=|>|<)\s*"
    r"([0-9]*\.?[0-9]+)\s*$"
)


@dataclass(frozen=True)
class Formula:
    optimise: str  # "maximum" | "minimum"
    target: str  # the statistic optimised
    constraint: str  # the statistic constrained
    op: str  # ">=", "<=", ">", "<"
    value: float


def parse_formula(text: str) -> Formula | None:
    """``maximum recall @ precision >= 0.9`` → Formula; None when it is not a formula we know."""
    match = _FORMULA.match(text)
    if not match:
        return None
    optimise, target, constraint, op, value = match.groups()
    if target not in STATISTICS or constraint not in STATISTICS:
        return None
    return Formula(optimise, target, constraint, op, float(value))


@dataclass(frozen=True)
class _TestSet:
    scores: tuple[float, ...]  # ascending
    cumulative: tuple[float, ...]  # cumulative[i] = sum of class probabilities of scores[:i]

    @property
    def positives(self) -> float:
        return self.cumulative[-1]


@cache
def _test_set(model: str, cls: str) -> _TestSet:
    skew = _SKEW.get((model, cls))
    mirror = _SKEW.get((model, "false" if cls == "true" else "true"))
    points = [(i + 0.5) / _POPULATION for i in range(_POPULATION)]
    if skew is not None:
        scores = sorted(u**skew for u in points)
    elif mirror is not None:
        scores = sorted(1 - u**mirror for u in points)
    else:  # a model we know nothing about: scores spread evenly
        scores = points
    cumulative = [0.0]
    for score in scores:
        cumulative.append(cumulative[-1] + score)  # calibrated: P(class | score) = score
    return _TestSet(tuple(scores), tuple(cumulative))


def statistics_at(model: str, cls: str, threshold: float) -> dict[str, float | None]:
    """Every statistic of predicting ``cls`` when its score >= ``threshold`` (None: undefined)."""
    data = _test_set(model, cls)
    n = len(data.scores)
    below = bisect.bisect_left(data.scores, threshold)
    matched = n - below
    tp = data.positives - data.cumulative[below]
    fn = data.positives - tp
    tn = below - fn
    negatives = n - data.positives

    def ratio(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    def f1(p: float | None, r: float | None) -> float | None:
        return None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)

    precision, recall = ratio(tp, matched), ratio(tp, data.positives)
    not_precision, not_recall = ratio(tn, below), ratio(tn, negatives)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "!precision": not_precision,
        "!recall": not_recall,
        "!f1": f1(not_precision, not_recall),
        "accuracy": (tp + tn) / n,
        "fpr": ratio(matched - tp, negatives),
        "filter_rate": below / n,
        "match_rate": matched / n,
    }


def _meets(value: float | None, op: str, bound: float) -> bool:
    if value is None:
        return False
    return {
        ">=": value >= bound,
        "<=": value <= bound,
        ">": value > bound,
        "<": value < bound,
    }[op]


@lru_cache(maxsize=1024)
def threshold(model: str, cls: str, formula_text: str) -> dict[str, float] | None:
    """The ORES threshold object for one formula, or None when it cannot be met or parsed."""
    formula = parse_formula(formula_text)
    if formula is None:
        return None
    best: tuple[float, float, dict[str, float | None]] | None = None
    sign = 1 if formula.optimise == "maximum" else -1
    for candidate in _GRID:
        stats = statistics_at(model, cls, candidate)
        target = stats[formula.target]
        if target is None or not _meets(stats[formula.constraint], formula.op, formula.value):
            continue
        if best is None or sign * target > sign * best[0]:  # ties: the lowest threshold
            best = (target, candidate, stats)
    if best is None:
        return None
    _, value, stats = best
    answer = {name: round(stat, 3) for name, stat in stats.items() if stat is not None}
    answer["threshold"] = value
    return answer


def probability(model: str, rev_id: int) -> float | None:
    """P(true) of ``model`` for a revision; None for a model the farm does not score."""
    damaging, goodfaith = SCORE_CYCLE[rev_id % len(SCORE_CYCLE)]
    return {"damaging": damaging, "goodfaith": goodfaith}.get(model)


def score(model: str, rev_id: int) -> dict[str, Any]:
    """One model's score of one revision, as ORES v3 puts it under ``scores.<rev>.<model>``."""
    p = probability(model, rev_id)
    if p is None:
        return {"error": {"type": "ModelNotFound", "message": f"no model {model!r} here"}}
    return {
        "score": {
            "prediction": p >= 0.5,
            "probability": {"false": round(1 - p, 3), "true": p},
        }
    }
