"""Building a report: find the run and Allure, prepare a build, run ``allure generate``, swap.

What goes into a build (all in a temporary directory except the history file and the output):

* ``allurerc.mjs`` — report name, output, categories, history path, the Awesome plugin's options
  (:mod:`smoke.finished.report.allurerc`). It is plain JSON behind ``export default``: no value we
  put in it can become code.
* a second results directory holding only ``environment.properties`` (target, wikis, MediaWiki
  version, smoke version, git commit, run id: :mod:`smoke.finished.report.environment`). Allure
  merges it with the run's results; the Awesome report shows it as "Metadata".
* the history Allure reads: the entries of ``reports/allure-history.jsonl`` of runs *before* this
  one. Allure appends this run's entry to that copy; we then put the entry into the real file
  (:mod:`smoke.finished.report.history`, which states the history rules).

The report is built beside its output and swapped in at the end: a failed build leaves the
previous report, and the history, as they were.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from smoke.finished.report.allurerc import CONFIG_FILE, allure_config, config_module
from smoke.finished.report.environment import PROPERTIES_FILE, environment_info, properties_text
from smoke.finished.report.history import (
    HISTORY_FILE,
    HISTORY_LIMIT,
    load_history,
    record_run,
    split_history,
    write_history,
)
from smoke.finished.report.run_data import (
    read_allure_results,
    read_run_meta,
    run_checks,
    run_started_ms,
)
from smoke.model.exit_codes import ExitCode
from smoke.output import past_runs as runs_history
from smoke.output.environment import PACKAGE_ROOT, git_sha, siteinfo_version
from smoke.output.run_dir import ALLURE_RESULTS_DIR, LATEST

REPORT_DIR = "allure-report"

INSTALL_HINT = "Allure is not installed: run `npm ci --prefix tools/allure`"
# Where `npm ci --prefix tools/allure` puts the CLI, under smoke's checkout (PACKAGE_ROOT).
ALLURE_RELATIVE = Path("tools/allure/node_modules/.bin/allure")
ALLURE_TIMEOUT = 600.0


class ReportError(Exception):
    """Nothing was built; ``code`` is the exit code (usage: bad run name, missing results,
    no Allure; environment: Allure ran and failed)."""

    def __init__(self, message: str, code: int = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ReportRequest:
    reports_dir: Path = Path("reports")
    run: str = LATEST
    output: Path | None = None  # default: reports/<run>/allure-report
    single_file: bool = False


@dataclass
class BuiltReport:
    run_id: str
    output: Path
    index: Path
    seconds: float  # the Allure build alone
    history_runs: int  # runs in this report's history, this one included
    environment: dict[str, str]
    notes: list[str] = field(default_factory=list)


# --- finding the run and Allure -------------------------------------------------------------


def resolve_run(reports_dir: Path, run: str = LATEST) -> Path:
    """The run directory, with allure-results, that RUN names (a run id, a path, ``latest`` or
    ``previous``: :func:`smoke.output.past_runs.resolve_run`). Symbolic links are followed: the
    history is keyed by the real run id and kept beside the real run directory."""
    if not run:
        raise ReportError(f"no run given: name a run directory under {reports_dir}")
    try:
        run_dir = runs_history.resolve_run(run, reports_dir).resolve()
    except runs_history.HistoryError as exc:
        candidate = Path(run) if os.sep in run else reports_dir / run
        if (candidate / ALLURE_RESULTS_DIR).is_dir():
            # Allure results without results.json (a run stopped hard, or results copied from
            # elsewhere) are still worth a report.
            return candidate.resolve()
        if candidate.is_dir():
            raise ReportError(
                f"{candidate} has no {ALLURE_RESULTS_DIR}/: nothing to build a report from"
            ) from None
        raise ReportError(str(exc)) from None
    if not (run_dir / ALLURE_RESULTS_DIR).is_dir():
        raise ReportError(f"{run_dir} has no {ALLURE_RESULTS_DIR}/: nothing to build a report from")
    return run_dir


def find_allure(roots: Iterable[Path] | None = None) -> Path:
    """The Allure CLI installed by ``npm ci --prefix tools/allure`` in smoke's checkout (or the
    current directory). Never a global one: the pinned version is the one whose config format
    :mod:`smoke.finished.report.allurerc` writes."""
    for root in roots if roots is not None else (PACKAGE_ROOT, Path.cwd()):
        candidate = root / ALLURE_RELATIVE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ReportError(INSTALL_HINT)


# --- running Allure and cleaning what it wrote ------------------------------------------------


def run_allure(allure: Path, config: Path, results: list[Path], cwd: Path) -> None:
    argv = [str(allure), "generate", "--config", str(config), *map(str, results)]
    try:
        done = subprocess.run(
            argv, cwd=cwd, capture_output=True, text=True, timeout=ALLURE_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:  # the script is there but `node` is not on PATH
        raise ReportError(
            f"cannot run {allure}: {exc} (is node installed?)", ExitCode.ENVIRONMENT
        ) from None
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"allure generate took over {ALLURE_TIMEOUT:.0f} s; stopped", ExitCode.ENVIRONMENT
        ) from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise ReportError(
            f"allure generate failed (exit {done.returncode}):\n{tail}", ExitCode.ENVIRONMENT
        )


# Allure's Awesome page loads Google Analytics (gtag) whenever it is opened. A report of
# Wikimedia wikis is opened by people who did not agree to that, and offline the request only
# fails; the block is removed from the generated index.html.
_ANALYTICS = re.compile(
    r"\s*<script async src=\"https://www\.googletagmanager\.com/[^\"]*\"></script>"
    r"\s*<script>\s*window\.dataLayer[\s\S]*?</script>"
)


def strip_analytics(index: Path) -> bool:
    html = index.read_text("utf-8")
    cleaned, count = _ANALYTICS.subn("", html, count=1)
    if count:
        index.write_text(cleaned, "utf-8")
    return bool(count)


def _is_report_dir(path: Path) -> bool:
    return (path / "index.html").is_file() or (path / "summary.json").is_file()


def _check_output(output: Path) -> None:
    if output.exists() and (
        not output.is_dir() or (any(output.iterdir()) and not _is_report_dir(output))
    ):
        raise ReportError(
            f"{output} exists and is not an Allure report: refusing to replace it "
            "(choose another --output)"
        )


# --- the build --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Build:
    """One build, everything known before the history lock is taken."""

    allure: Path
    run_dir: Path
    output: Path
    single_file: bool
    started: int  # the run's start, epoch ms: its place in the history
    environment: dict[str, str]
    notes: list[str]

    @property
    def run_id(self) -> str:
        return self.run_dir.name

    @property
    def history_path(self) -> Path:
        # Beside where the run really is: one history per reports directory.
        return self.run_dir.parent / HISTORY_FILE

    @property
    def lock_path(self) -> Path:
        return self.run_dir.parent / f".{HISTORY_FILE}.lock"

    @property
    def name(self) -> str:
        return f"smoke {self.run_id} — {self.environment['target']}"


def build_report(
    request: ReportRequest,
    *,
    allure: Path | None = None,
    version_of: Callable[[str], str] = siteinfo_version,
    commit: Callable[[], str | None] = git_sha,
    lock_timeout: float = 120.0,
) -> BuiltReport:
    """Build the report of ``request.run``; see the module docstring for what goes in."""
    job = _prepare(request, allure, version_of, commit)
    try:
        # One build at a time per reports directory: the history is read, then rewritten.
        with FileLock(str(job.lock_path), timeout=lock_timeout):
            return _build_locked(job)
    except Timeout:
        raise ReportError(
            f"another `smoke report` holds {job.history_path}.lock for over {lock_timeout:.0f} s"
        ) from None


def _prepare(
    request: ReportRequest,
    allure: Path | None,
    version_of: Callable[[str], str],
    commit: Callable[[], str | None],
) -> _Build:
    """Everything refused is refused here (no run, no Allure, an output that is not a report),
    before the lock; then what the run was and its environment."""
    run_dir = resolve_run(request.reports_dir, request.run)
    allure = allure or find_allure()
    output = (request.output or run_dir / REPORT_DIR).absolute()
    _check_output(output)

    notes: list[str] = []
    meta, checks = read_run_meta(run_dir)
    results = read_allure_results(run_dir / ALLURE_RESULTS_DIR)
    environment = environment_info(
        run_dir.name,
        meta,
        run_checks(checks, results),
        results,
        version_of=version_of,
        commit=commit,
        notes=notes,
    )
    return _Build(
        allure=allure,
        run_dir=run_dir,
        output=output,
        single_file=request.single_file,
        started=run_started_ms(results, run_dir, meta),
        environment=environment,
        notes=notes,
    )


def _build_locked(job: _Build) -> BuiltReport:
    """Under the history lock: Allure gets the runs before this one; its entry is filed in."""
    entries = load_history(job.history_path, job.notes)
    before, after = split_history(entries, job.run_id, job.started)
    before = before[-(HISTORY_LIMIT - 1) :]
    job.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="smoke-report-") as tmp_name:
        tmp = Path(tmp_name)
        extra = tmp / "environment"
        extra.mkdir()
        (extra / PROPERTIES_FILE).write_text(properties_text(job.environment), "utf-8")
        own_history = tmp / HISTORY_FILE
        write_history(own_history, before)
        seconds = _generate(job, tmp, own_history, [job.run_dir / ALLURE_RESULTS_DIR, extra])
        record_run(
            job.history_path,
            own_history,
            before,
            after,
            run_id=job.run_id,
            started_ms=job.started,
            notes=job.notes,
        )
    return BuiltReport(
        run_id=job.run_id,
        output=job.output,
        index=job.output / "index.html",
        seconds=seconds,
        history_runs=len(before) + 1,
        environment=job.environment,
        notes=job.notes,
    )


def _generate(job: _Build, tmp: Path, history: Path, results: list[Path]) -> float:
    """Run Allure into a staging directory beside the output, then swap it in; the seconds
    Allure took. A failed build leaves the old report."""
    # mkdir, not mkdtemp: the report gets the usual permissions, not mkdtemp's 0700.
    staging = job.output.parent / f".{job.output.name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        config = tmp / CONFIG_FILE
        rc = allure_config(
            name=job.name, output=staging, history=history, single_file=job.single_file
        )
        config.write_text(config_module(rc), "utf-8")
        began = time.monotonic()
        run_allure(job.allure, config, results, cwd=tmp)
        seconds = time.monotonic() - began
        index = staging / "index.html"
        if not index.is_file():
            raise ReportError(
                f"allure generate wrote no index.html into {staging}", ExitCode.ENVIRONMENT
            )
        strip_analytics(index)
        if job.output.exists():
            shutil.rmtree(job.output)
        staging.replace(job.output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return seconds
