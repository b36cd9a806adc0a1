"""Sharding: split the checks of a sweep into N parts that take about as long each.

Every shard process computes the split on its own, so the split must be a pure function of
(check ids, N, durations): no Python ``hash()`` (salted per process), no dict or set iteration
order, no clock. Each check lands in exactly one shard as long as all shards see the same ids
and the same durations — which is why :func:`last_durations` reads only finished, unsharded
runs (a shard that finished earlier must not change the split of one starting later).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from smoke.model.outcome import Outcome
from smoke.output.past_runs import BadRun, list_runs, load_run

# A sweep's durations move little from run to run; a few recent runs cover checks that were
# skipped or filtered out of the newest one without letting stale numbers dominate.
RECENT_RUNS = 5
DEFAULT_DURATION = 1.0

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_SHARD_USAGE = "--shard must look like K/N with 1 ≤ K ≤ N"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` → ``(2, 3)``; anything else is a ValueError saying what is expected."""
    match = _SHARD.fullmatch(text)
    if not match:
        raise ValueError(f"{_SHARD_USAGE} (e.g. 2/3), not {text!r}")
    k, n = int(match.group(1)), int(match.group(2))
    _check_shard(k, n)
    return k, n


def _check_shard(k: int, n: int) -> None:
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"{_SHARD_USAGE}, not {k}/{n}")


def _usable(value: object) -> float | None:
    # JSON may hold anything; a negative, NaN or boolean duration would skew the balance.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _weights(ids: list[str], durations: Mapping[str, float]) -> dict[str, float]:
    known = {i: d for i in ids if (d := _usable(durations.get(i))) is not None}
    # statistics.median sorts, so it does not depend on the order `known` was filled in.
    fallback = statistics.median(known.values()) if known else DEFAULT_DURATION
    return {i: known.get(i, fallback) for i in ids}


def _assign(ids: list[str], weights: Mapping[str, float], n: int) -> list[int]:
    """Greedy longest-processing-time: longest first, each to the least loaded shard."""
    loads = [0.0] * n
    sizes = [0] * n
    shard_of_id = {}
    for check_id in sorted(ids, key=lambda i: (-weights[i], i)):
        # Ties (equal loads, e.g. zero durations or no durations at all) go to the shard with
        # fewer checks, then the lowest index: with equal weights this is round-robin.
        target = min(range(n), key=lambda s: (loads[s], sizes[s], s))
        loads[target] += weights[check_id]
        sizes[target] += 1
        shard_of_id[check_id] = target
    return [shard_of_id[i] for i in ids]


def shard_of(
    check_ids: Sequence[str], k: int, n: int, durations: Mapping[str, float] | None = None
) -> list[str]:
    """The checks of shard ``k`` of ``n`` (1-based), in the order they were given.

    Balanced by ``durations`` (seconds per check id) when any are known; checks without one
    count as the median of the known ones. Without durations: round-robin over sorted ids.
    """
    _check_shard(k, n)
    ids = sorted(set(check_ids))
    if durations:
        assigned = _assign(ids, _weights(ids, durations), n)
    else:
        assigned = [index % n for index in range(len(ids))]
    mine = {check_id for check_id, shard in zip(ids, assigned, strict=True) if shard == k - 1}
    seen: set[str] = set()
    chosen = []
    for check_id in check_ids:  # keep the caller's (collection) order; drop repeated ids
        if check_id in mine and check_id not in seen:
            seen.add(check_id)
            chosen.append(check_id)
    return chosen


def shard_meta(
    check_ids: Sequence[str], k: int, n: int, durations: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """What a shard run records as ``run.shard`` in results.json.

    ``digest`` fingerprints everything the split depends on (ids, N, the durations used):
    shards of one sweep carry the same digest, and ``smoke merge`` warns when they do not —
    then some checks may have run in no shard at all, which a union cannot show.
    """
    _check_shard(k, n)
    ids = sorted(set(check_ids))
    used = [_usable(durations.get(i)) if durations else None for i in ids]
    fingerprint = json.dumps([ids, n, used], separators=(",", ":"))
    return {
        "k": k,
        "n": n,
        "checks": len(ids),
        "digest": hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
    }


def read_shard_meta(value: object) -> tuple[int, int, str | None] | None:
    """``run.shard`` as written by :func:`shard_meta` (or a bare "K/N"): (k, n, digest)."""
    if isinstance(value, str):
        try:
            return (*parse_shard(value), None)
        except ValueError:
            return None
    if isinstance(value, Mapping):
        k, n, digest = value.get("k"), value.get("n"), value.get("digest")
        if isinstance(k, int) and isinstance(n, int) and 1 <= k <= n:
            return k, n, digest if isinstance(digest, str) else None
    return None


def last_durations(reports_dir: Path, runs: int = RECENT_RUNS) -> dict[str, float]:
    """Seconds per check id from the newest ``runs`` finished, unsharded runs; newest wins.

    Skipped checks are left out (their 0 s says nothing about a real load), and so are runs
    that are themselves shards (``run.shard`` in results.json): see the module docstring.
    """
    durations: dict[str, float] = {}
    used = 0
    for run_dir in reversed(list_runs(reports_dir)):
        if used >= runs:
            break
        try:
            run = load_run(run_dir)
        except BadRun:
            continue  # an unreadable old run must not stop a new one from starting
        if run.meta.get("shard"):
            continue
        used += 1
        for check in run.checks:
            seconds = _usable(check.get("duration_s"))
            if check.get("outcome") != Outcome.SKIPPED and seconds is not None:
                durations.setdefault(str(check["id"]), seconds)  # newest run seen first
    return durations
