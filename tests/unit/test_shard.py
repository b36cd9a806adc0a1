"""Sharding: K/N parsing, a partition that is deterministic everywhere, balance by durations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smoke.plan.shard import last_durations, parse_shard, read_shard_meta, shard_meta, shard_of

IDS = [
    f"{wiki}/{page}/v{v}" for wiki in ("en", "ru", "fr") for page in ("rc", "wl") for v in range(7)
]


@pytest.mark.parametrize(
    ("text", "expected"), [("2/3", (2, 3)), ("1/1", (1, 1)), (" 3 / 3 ", (3, 3))]
)
def test_parse_shard(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize(
    "text", ["0/3", "4/3", "1/0", "0/0", "-1/2", "a/b", "3", "", "1/2/3", "1.5/2"]
)
def test_parse_shard_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="--shard must look like K/N with 1 ≤ K ≤ N") as err:
        parse_shard(text)
    assert text in str(err.value)  # says what it got


def test_shard_of_rejects_bad_k_n() -> None:
    with pytest.raises(ValueError, match="--shard must look like K/N"):
        shard_of(IDS, 4, 3, None)


def durations_for(ids: list[str]) -> dict[str, float]:
    # Uneven, reproducible durations: some checks take ten times longer than others.
    return {check_id: float(1 + (sum(map(ord, check_id)) % 10)) for check_id in ids}


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 50])
@pytest.mark.parametrize("with_durations", [False, True])
def test_every_check_in_exactly_one_shard(n: int, with_durations: bool) -> None:
    durations = durations_for(IDS[::2]) if with_durations else None  # half of them known
    shards = [shard_of(IDS, k, n, durations) for k in range(1, n + 1)]
    assert sorted(i for shard in shards for i in shard) == sorted(IDS)


def test_round_robin_over_sorted_ids_without_durations() -> None:
    ids = ["e", "b", "a", "d", "c"]
    assert shard_of(ids, 1, 2, None) == ["e", "a", "c"]  # a, c, e — in the caller's order
    assert shard_of(ids, 2, 2, None) == ["b", "d"]
    assert shard_of(ids, 1, 2, {}) == ["e", "a", "c"]  # empty = none


def test_same_split_whatever_the_input_order() -> None:
    durations = durations_for(IDS)
    for k in (1, 2, 3):
        forward = shard_of(IDS, k, 3, durations)
        backward = shard_of(list(reversed(IDS)), k, 3, durations)
        assert sorted(forward) == sorted(backward)


def test_repeated_ids_count_once() -> None:
    assert shard_of(["a", "b", "a"], 1, 1, None) == ["a", "b"]


def test_balanced_by_durations() -> None:
    durations = {"slow": 10.0, **{f"quick{i}": 1.0 for i in range(10)}}
    ids = sorted(durations)
    first, second = (shard_of(ids, k, 2, durations) for k in (1, 2))
    assert first == ["slow"]
    assert sum(durations[i] for i in second) == 10.0
    # Round-robin would have put "slow" with five quick ones: 15 s against 5 s.


def test_lpt_keeps_loads_within_one_longest_check() -> None:
    durations = durations_for(IDS)
    loads = [sum(durations[i] for i in shard_of(IDS, k, 4, durations)) for k in range(1, 5)]
    assert max(loads) - min(loads) <= max(durations.values())


def test_unknown_durations_count_as_the_median() -> None:
    durations = {"a": 10.0, "b": 10.0, "c": 2.0}  # median 10: "d" weighs 10, not 1
    assert shard_of(["a", "b", "c", "d"], 1, 2, durations) == ["a", "d"]
    assert shard_of(["a", "b", "c", "d"], 2, 2, durations) == ["b", "c"]


def test_durations_of_other_checks_only_give_equal_weights() -> None:
    assert shard_of(["a", "b", "c"], 1, 2, {"zzz": 5.0}) == ["a", "c"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -3.0])
def test_unusable_durations_are_ignored(bad: float) -> None:
    # The bad value is dropped: "x" gets the median of the others (4) instead.
    durations = {"x": bad, "a": 4.0, "b": 4.0}
    assert sorted(
        shard_of(["a", "b", "x"], 1, 2, durations) + shard_of(["a", "b", "x"], 2, 2, durations)
    ) == [
        "a",
        "b",
        "x",
    ]
    assert shard_of(["a", "b", "x"], 1, 2, durations) == ["a", "x"]


def test_zero_durations_are_spread_not_piled() -> None:
    durations = {f"c{i}": 0.0 for i in range(6)}
    assert [len(shard_of(sorted(durations), k, 3, durations)) for k in (1, 2, 3)] == [2, 2, 2]


def test_more_shards_than_checks() -> None:
    assert [shard_of(["a", "b"], k, 4, None) for k in (1, 2, 3, 4)] == [["a"], ["b"], [], []]


def test_golden_split() -> None:
    """A fixed answer: if this changes, shards of one sweep run by different smoke versions
    would no longer partition the checks."""
    ids = [f"w/p/{c}" for c in "abcdefgh"]
    durations = {"w/p/a": 3.0, "w/p/b": 7.5, "w/p/c": 1.0, "w/p/d": 4.0, "w/p/e": 2.0, "w/p/f": 6.0}
    # By hand: g and h weigh the median 3.5; longest first: b→1, f→2, d→3, g→3, h→2, a→1
    # (loads tie at 7.5; fewer checks wins), e→3, c→2 (loads tie at 9.5; fewer checks).
    assert [shard_of(ids, k, 3, durations) for k in (1, 2, 3)] == [
        ["w/p/a", "w/p/b"],
        ["w/p/c", "w/p/f", "w/p/h"],
        ["w/p/d", "w/p/e", "w/p/g"],
    ]


def test_same_split_in_other_processes() -> None:
    """No salted hash(): fresh interpreters with different PYTHONHASHSEEDs agree."""
    program = (
        "import json, sys; from smoke.plan.shard import shard_of; ids, d = json.load(sys.stdin); "
        "print(json.dumps([shard_of(ids, k, 3, d) for k in (1, 2, 3)] + "
        "[shard_of(ids, k, 3, None) for k in (1, 2, 3)]))"
    )
    payload = json.dumps([IDS, durations_for(IDS[::3])])
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


def test_shard_meta_fingerprints_the_split() -> None:
    durations = durations_for(IDS)
    meta = shard_meta(IDS, 2, 3, durations)
    assert {k: meta[k] for k in ("k", "n", "checks")} == {"k": 2, "n": 3, "checks": len(IDS)}
    # Same inputs (in any order) and any K: same digest; other ids, N or durations: another.
    assert shard_meta(list(reversed(IDS)), 3, 3, durations)["digest"] == meta["digest"]
    others = [
        shard_meta(IDS[1:], 2, 3, durations),
        shard_meta(IDS, 2, 4, durations),
        shard_meta(IDS, 2, 3, {**durations, IDS[0]: 99.0}),
        shard_meta(IDS, 2, 3, None),
    ]
    assert all(other["digest"] != meta["digest"] for other in others)
    # Durations of checks outside the list do not change the split, nor the digest.
    assert shard_meta(IDS, 2, 3, {**durations, "elsewhere": 1.0})["digest"] == meta["digest"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"k": 2, "n": 3, "digest": "abc"}, (2, 3, "abc")),
        ({"k": 1, "n": 1}, (1, 1, None)),
        ("2/3", (2, 3, None)),
        ({"k": 4, "n": 3}, None),
        ({"k": "1", "n": 3}, None),
        ("x", None),
        (None, None),
    ],
)
def test_read_shard_meta(value: object, expected: object) -> None:
    assert read_shard_meta(value) == expected


# --- durations of earlier runs ------------------------------------------------------------------


def write_run(
    reports: Path, run_id: str, checks: list[dict[str, Any]], mtime: float, **meta: Any
) -> None:
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    body = {"run": {"run_id": run_id, "target": "local", **meta}, "counts": {}, "checks": checks}
    (run_dir / "results.json").write_text(json.dumps(body), "utf-8")
    os.utime(run_dir, (mtime, mtime))


def timed(check_id: str, seconds: Any, outcome: str = "passed") -> dict[str, Any]:
    return {"id": check_id, "outcome": outcome, "duration_s": seconds}


def test_last_durations_newest_wins_and_older_runs_fill_in(tmp_path: Path) -> None:
    write_run(tmp_path, "old", [timed("a", 1.0), timed("b", 2.0), timed("c", 3.0)], mtime=100)
    write_run(tmp_path, "new", [timed("a", 5.0), timed("b", 0.0, "skipped")], mtime=200)
    # b's newest record is a skip (0 s says nothing); the older real load counts.
    assert last_durations(tmp_path) == {"a": 5.0, "b": 2.0, "c": 3.0}


def test_last_durations_keeps_failed_and_broken_loads(tmp_path: Path) -> None:
    write_run(tmp_path, "r", [timed("f", 4.0, "failed"), timed("x", 30.0, "broken")], mtime=100)
    assert last_durations(tmp_path) == {"f": 4.0, "x": 30.0}


def test_last_durations_ignores_shard_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "full", [timed("a", 1.0)], mtime=100)
    # A shard that finished must not change the split of a shard starting after it.
    write_run(tmp_path, "shard", [timed("a", 9.0)], mtime=200, shard="1/2")
    assert last_durations(tmp_path) == {"a": 1.0}


def test_last_durations_reads_only_recent_runs(tmp_path: Path) -> None:
    write_run(tmp_path, "ancient", [timed("gone", 1.0)], mtime=100)
    for i in range(3):
        write_run(tmp_path, f"r{i}", [timed("a", float(i))], mtime=200 + i)
    assert last_durations(tmp_path, runs=3) == {"a": 2.0}
    assert last_durations(tmp_path, runs=4) == {"a": 2.0, "gone": 1.0}


def test_last_durations_skips_bad_values_and_bad_runs(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "r",
        [timed("a", "slow"), timed("b", None), timed("c", True), timed("d", 2)],
        mtime=100,
    )
    broken = tmp_path / "garbled"
    broken.mkdir()
    (broken / "results.json").write_text("{")
    os.utime(broken, (300, 300))
    assert last_durations(tmp_path) == {"d": 2.0}


def test_last_durations_without_runs(tmp_path: Path) -> None:
    assert last_durations(tmp_path / "reports") == {}
