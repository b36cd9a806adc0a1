"""Merge shard runs into one run directory, as if one ``smoke run`` had made it.

Everything is checked before anything is written (same target, no check id twice, JUnit files
readable, no clashing Allure files), so a refused merge leaves no half-made run behind. Runs
are taken in the order given: with ``allow_duplicates`` the later one wins, in every file.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from smoke.output.past_runs import Run, parse_time, to_check_result
from smoke.output.results import exit_code_for, write_results_json
from smoke.output.run_dir import (
    ALLURE_RESULTS_DIR,
    ARTIFACTS_DIR,
    CHECKS_DIR,
    JUNIT_FILE,
    new_run_dir,
    point_latest,
)
from smoke.output.summary import write_summary
from smoke.plan.shard import read_shard_meta


class MergeError(Exception):
    """The runs cannot be merged as asked (usage: exit 4)."""


@dataclass
class MergePlan:
    """What the merged run will hold; built and validated before the directory exists."""

    runs: list[Run]
    checks: list[dict[str, Any]]
    meta: dict[str, Any]
    junit: ET.Element | None
    # Destination path (relative to the new run dir) → source file or directory.
    copies: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --- results.json ---------------------------------------------------------------------------


def union_checks(runs: list[Run], allow_duplicates: bool) -> list[dict[str, Any]]:
    """Every check of every run, sorted by id; an id in two runs is refused unless allowed."""
    chosen: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    for run in runs:
        for check in run.checks:
            check_id = str(check["id"])
            if check_id in chosen and not allow_duplicates:
                raise MergeError(
                    f"check {check_id!r} is in both {owner[check_id]} and {run.run_id}; "
                    "were the shards split differently? (--allow-duplicates: the later run wins)"
                )
            chosen[check_id], owner[check_id] = check, run.run_id
    return [chosen[i] for i in sorted(chosen)]


def merged_meta(runs: list[Run], run_id: str) -> dict[str, Any]:
    targets = sorted({run.target for run in runs if run.target is not None})
    if len(targets) > 1:
        described = ", ".join(f"{run.run_id}: {run.target}" for run in runs)
        raise MergeError(f"runs are of different targets ({described}); merge one target at a time")
    versions = sorted(
        {str(run.meta["smoke_version"]) for run in runs if "smoke_version" in run.meta}
    )
    notes: list[str] = []
    for run in runs:  # keep each note once, in the order first met
        for note in run.meta.get("notes", []) or []:
            if note not in notes:
                notes.append(note)
    notes.append(f"merged from {len(runs)} runs: {', '.join(run.run_id for run in runs)}")
    meta: dict[str, Any] = {
        **_agreed_meta(runs),
        "run_id": run_id,
        "target": targets[0] if targets else "",
        "smoke_version": ", ".join(versions),
        "interrupted": any(bool(run.meta.get("interrupted")) for run in runs),
        "merged_from": [run.run_id for run in runs],
        "notes": notes,
    }
    starts = [
        (moment, str(run.meta["started_at"]))
        for run in runs
        if (moment := parse_time(run.meta.get("started_at"))) is not None
    ]
    if starts:
        meta["started_at"] = min(starts)[1]  # the sweep began when its first shard did
    return meta


# Keys merged_meta computes itself; `shard` describes one shard, never the merged run.
_OWN_META = {"run_id", "target", "smoke_version", "interrupted", "merged_from", "notes",
             "started_at", "shard"}  # fmt: skip


def _agreed_meta(runs: list[Run]) -> dict[str, Any]:
    """Other ``run`` fields (options smoke records, now or later) on which all runs agree."""
    first, *others = [run.meta for run in runs]
    return {
        key: value
        for key, value in first.items()
        if key not in _OWN_META and all(key in o and o[key] == value for o in others)
    }


def shard_problems(runs: list[Run]) -> list[str]:
    """Shard runs (``run.shard``) that do not add up to one sweep: said, not refused.

    The union is still right as far as it goes, but a missing shard, or shards split from
    different check lists or durations, means some checks may have run nowhere.
    """
    shards = {run.run_id: read_shard_meta(run.meta.get("shard")) for run in runs}
    known = {run_id: info for run_id, info in shards.items() if info is not None}
    if not known:
        return []
    problems = []
    if len(known) < len(runs):
        plain = ", ".join(run_id for run_id, info in shards.items() if info is None)
        problems.append(f"{plain}: not a shard run, merged with shard runs")
    totals = sorted({n for _, n, _ in known.values()})
    if len(totals) > 1:
        problems.append(f"shards of different splits merged: N = {', '.join(map(str, totals))}")
    else:
        missing = sorted(set(range(1, totals[0] + 1)) - {k for k, _, _ in known.values()})
        if missing:
            shown = ", ".join(f"{k}/{totals[0]}" for k in missing)
            problems.append(f"shard {shown} not merged: not every check of the sweep is here")
    if len({digest for _, _, digest in known.values() if digest}) > 1:
        problems.append(
            "the shards were split from different check lists or durations: some checks may "
            "have run in no shard"
        )
    return problems


# --- junit.xml ------------------------------------------------------------------------------


def _read_junit(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise MergeError(f"cannot read {path}: {exc}") from None


def _suites(root: ET.Element) -> list[ET.Element]:
    return [root] if root.tag == "testsuite" else list(root.iter("testsuite"))


def _seconds(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def _earliest(stamps: list[str]) -> str | None:
    parsed = []
    for stamp in stamps:
        try:
            parsed.append((datetime.fromisoformat(stamp), stamp))
        except ValueError:
            continue
    try:
        return min(parsed)[1] if parsed else None
    except TypeError:  # naive and aware stamps cannot be compared; keep the first
        return parsed[0][1]


def merge_junit(roots: list[ET.Element]) -> ET.Element:
    """One ``<testsuites>`` with one ``<testsuite>``; counts and time recomputed from the cases.

    Test cases are keyed by name (the check id): with duplicates allowed, the later one wins,
    as in results.json.
    """
    cases: dict[str, ET.Element] = {}
    properties: dict[tuple[str, str], ET.Element] = {}
    stamps, hosts = [], set()
    for root in roots:
        for suite in _suites(root):
            stamps += [suite.get("timestamp", "")] if suite.get("timestamp") else []
            hosts.update([suite.get("hostname", "")] if suite.get("hostname") else [])
            for prop in suite.iter("property"):
                properties.setdefault((prop.get("name", ""), prop.get("value", "")), prop)
            for case in suite.findall("testcase"):
                name = case.get("name", "")
                cases.pop(name, None)  # re-insert so the order follows the later run
                cases[name] = case
    suite = ET.Element("testsuite", {"name": "smoke"})
    if properties:
        ET.SubElement(suite, "properties").extend(properties.values())
    suite.extend(cases.values())
    attrs = _junit_counts(list(cases.values()))
    suite.attrib.update(attrs)
    if (stamp := _earliest(stamps)) is not None:
        suite.set("timestamp", stamp)
    if len(hosts) == 1:
        suite.set("hostname", hosts.pop())
    top = ET.Element("testsuites", {"name": "smoke (merged)", **attrs})
    top.append(suite)
    return top


def _junit_counts(cases: list[ET.Element]) -> dict[str, str]:
    def having(tag: str) -> int:
        return sum(1 for case in cases if case.find(tag) is not None)

    return {
        "tests": str(len(cases)),
        "failures": str(having("failure")),
        "errors": str(having("error")),
        "skipped": str(having("skipped")),
        "time": f"{sum(_seconds(case.get('time')) for case in cases):.3f}",
    }


# --- copied files ---------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def plan_copies(runs: list[Run], allow_duplicates: bool) -> tuple[dict[str, Path], list[str]]:
    """Files of checks/ and allure-results/, directories of artifacts/: destination → source.

    checks/<digest>.json and artifacts/<check>/ are named by check id, so they clash exactly
    when check ids do (already refused unless allowed; then the later run wins). Allure files
    are named by UUID: a clash with different content means the same run was given twice, or
    files were copied between runs by hand — refused, since one would be lost.
    """
    copies: dict[str, Path] = {}
    warnings: list[str] = []
    for run in runs:
        for sub in (CHECKS_DIR, ALLURE_RESULTS_DIR):
            directory = run.path / sub
            for source in sorted(directory.iterdir()) if directory.is_dir() else []:
                if not source.is_file():
                    continue
                dest = f"{sub}/{source.name}"
                earlier = copies.get(dest)
                if (
                    earlier is not None
                    and sub == ALLURE_RESULTS_DIR
                    and not _same_file(earlier, source)
                ):
                    if not allow_duplicates:
                        raise MergeError(
                            f"{source} and {earlier} have the same name but different content"
                        )
                    warnings.append(f"{dest}: {run.run_id}'s copy replaces {earlier}")
                copies[dest] = source
        artifacts = run.path / ARTIFACTS_DIR
        for source in sorted(artifacts.iterdir()) if artifacts.is_dir() else []:
            copies[f"{ARTIFACTS_DIR}/{source.name}"] = source
    return copies, warnings


# --- the whole merge ------------------------------------------------------------------------


def plan_merge(runs: list[Run], run_id: str, allow_duplicates: bool = False) -> MergePlan:
    if not runs:
        raise MergeError("nothing to merge: give at least one run")
    paths = [run.path.resolve() for run in runs]
    for index, path in enumerate(paths):
        if path in paths[:index]:
            raise MergeError(f"run {runs[index].run_id} is given twice")
    checks = union_checks(runs, allow_duplicates)
    meta = merged_meta(runs, run_id)
    junit_files = [run.path / JUNIT_FILE for run in runs]
    present = [path for path in junit_files if path.is_file()]
    warnings = [
        f"{path} is missing: its checks are not in the merged junit.xml"
        for path in junit_files
        if not path.is_file()
    ]
    junit = merge_junit([_read_junit(path) for path in present]) if present else None
    copies, copy_warnings = plan_copies(runs, allow_duplicates)
    problems = shard_problems(runs)
    meta["notes"] = [*meta["notes"], *problems]  # in summary.md, where people will see them
    return MergePlan(runs, checks, meta, junit, copies, problems + warnings + copy_warnings)


def write_merged(plan: MergePlan, run_dir: Path) -> None:
    """Write the planned run into ``run_dir`` (already created, empty)."""
    write_results_json(run_dir, plan.checks, plan.meta)
    write_summary(run_dir, [to_check_result(c) for c in plan.checks], plan.meta)
    if plan.junit is not None:
        ET.indent(plan.junit)
        ET.ElementTree(plan.junit).write(
            run_dir / JUNIT_FILE, encoding="utf-8", xml_declaration=True
        )
    for dest, source in plan.copies.items():
        target = run_dir / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def merge_runs(
    runs: list[Run], reports_dir: Path, run_id: str | None = None, allow_duplicates: bool = False
) -> tuple[Path, MergePlan]:
    """Plan (validating everything), then create the run directory and write it.

    The directory comes from :func:`~smoke.output.run_dir.new_run_dir`: a fresh time-based id unless
    ``run_id`` is given. Once it is written, ``reports/latest`` points at the merged run.
    """
    plan = plan_merge(runs, run_id or "", allow_duplicates)
    try:
        run_dir = new_run_dir(reports_dir, run_id)
    except FileExistsError:
        raise MergeError(
            f"run directory {reports_dir / (run_id or '')} exists; runs are never overwritten "
            "(choose another --out)"
        ) from None
    plan.meta["run_id"] = run_dir.name
    write_merged(plan, run_dir)
    point_latest(reports_dir, run_dir)  # as a run does: only once its results are written
    return run_dir, plan


def merged_exit_code(checks: list[dict[str, Any]]) -> int:
    """The exit code `smoke run` would have given for these checks (0, 1 or 3)."""
    return exit_code_for([to_check_result(c) for c in checks])
