"""``smoke report``: the Allure 3 HTML report of one run, with history, environment and categories.

Allure 3 (the npm package ``allure``, pinned in ``tools/allure/package.json``, installed with
``npm ci --prefix tools/allure``) renders; smoke prepares what it reads and owns the one piece of
state that outlives a run, the history file. Nothing in ``reports/<run>/allure-results/`` is
modified: a report can be rebuilt at any time from the same results.

What goes into a build (all in a temporary directory except the history file and the output):

* ``allurerc.mjs`` — report name, output, categories, history path, the Awesome plugin's options.
  It is plain JSON behind ``export default``: no value we put in it can become code.
* a second results directory holding only ``environment.properties`` (target, wikis, MediaWiki
  version, smoke version, git commit, run id). Allure merges it with the run's results; the
  Awesome report shows it as "Metadata".
* the history Allure reads: the entries of ``reports/allure-history.jsonl`` of runs *before* this
  one. Allure appends this run's entry to that copy; we then put the entry into the real file.

History rules (``reports/allure-history.jsonl``, one Allure history data point per line; we add
the key ``smokeRun`` with the run id and set ``timestamp`` to the run's start, because Allure
orders history by ``timestamp`` and would otherwise use the time the report was built):

* the report of a run shows the runs before it (by start time) that have been reported, never
  later ones — so the report of an old run looks as it would have on its day;
* building a report puts the run's entry at its place in time: reporting runs out of order, or
  the same run twice, never duplicates an entry or reorders the history;
* a run whose report was never built is not in the history; ``smoke report <run>`` adds it;
* the file keeps the newest :data:`HISTORY_LIMIT` runs; builds hold a lock on it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from smoke import __version__
from smoke.model.exit_codes import ExitCode
from smoke.model.wikimedia import PHABRICATOR, TASK_IN_TEXT, TASK_PATTERN
from smoke.output import history
from smoke.output.allure_labels import KNOWN_ISSUE_LABEL, OUTCOME_LABEL
from smoke.output.environment import PACKAGE_ROOT, api_url, git_sha, siteinfo_version
from smoke.output.history import HistoryError
from smoke.output.run_dir import LATEST

HISTORY_FILE = "allure-history.jsonl"
HISTORY_LIMIT = 100
RUN_KEY = "smokeRun"
REPORT_DIR = "allure-report"
RESULTS_DIR = "allure-results"

INSTALL_HINT = "Allure is not installed: run `npm ci --prefix tools/allure`"
ALLURE_RELATIVE = Path("tools/allure/node_modules/.bin/allure")
# The repository this package lives in (an editable install): where tools/allure is.

ALLURE_TIMEOUT = 600.0

# --- known issues: Phabricator tasks -----------------------------------------------------------


def task_id(text: str) -> str | None:
    """The Phabricator task named in ``text``: "T123", "phab:T123" or a task URL → "T123"."""
    match = TASK_IN_TEXT.search(text.strip())
    return f"T{match.group(1)}" if match else None


def phabricator_url(task: str) -> str:
    """``T123`` → ``https://phabricator.wikimedia.org/T123``; anything else is a ValueError."""
    found = task_id(task)
    if found is None or found != task.strip():
        raise ValueError(f"not a Phabricator task id (T followed by digits): {task!r}")
    return PHABRICATOR + found


# Allure 3 categories, from the labels the plugin sets (reporting.label_outcome) and the status
# allure-pytest derives. The first rule that matches a result wins, so the order is the meaning:
# * Known issue: label known_issue=T123. The plugin xfails a quarantined check, which Allure shows
#   as *skipped*; a known issue stays "known" whatever its status.
# * Flaky: label smoke_outcome=flaky, smoke's own judgement (failed or broken, then passed on a
#   retry; status passed, or failed under --fail-on-flaky). Allure's history-based "flaky" mark
#   (failed now, passed since an earlier failure) is deliberately not a category: a regression
#   after a fix would be filed away as flaky, and a failed check is exactly what smoke exists to
#   shout about. Allure still shows its flaky icon.
# * Product defect: failed (AssertionError from the detectors).
# * Could not check: broken (any other exception, e.g. CouldNotCheck in the item's setup).
# Grouping by wiki mirrors summary.md; messages carry request ids and URLs, so grouping by
# message would make one group per check.
CATEGORIES: list[dict[str, Any]] = [
    {
        "id": "known-issue",
        "name": "Known issue",
        "matchers": {
            "statuses": ["failed", "broken", "skipped"],
            "labels": {KNOWN_ISSUE_LABEL: TASK_PATTERN},
        },
        "groupBy": [{"label": KNOWN_ISSUE_LABEL}],
        "groupByMessage": False,
    },
    {
        "id": "flaky",
        "name": "Flaky",
        "matchers": {"labels": {OUTCOME_LABEL: "^flaky$"}},
        "groupBy": [{"label": "wiki"}],
        "groupByMessage": False,
    },
    {
        "id": "product-defect",
        "name": "Product defect",
        "matchers": {"statuses": ["failed"]},
        "groupBy": [{"label": "wiki"}],
        "groupByMessage": False,
    },
    {
        "id": "could-not-check",
        "name": "Could not check",
        "matchers": {"statuses": ["broken"]},
        "groupBy": [{"label": "wiki"}],
        "groupByMessage": False,
    },
]


# The Graphs page. Allure's default set includes charts by feature/epic/story/severity/layer,
# labels smoke never sets (empty panels); stability is shown by wiki and by page instead.
CHARTS: list[dict[str, Any]] = [
    {"type": "currentStatus", "title": "Current status"},
    {"type": "statusDynamics", "title": "Status dynamics (trend)"},
    {"type": "statusTransitions", "title": "Status transitions"},
    *(
        {
            "type": "stabilityDistribution",
            "title": f"Stability by {label}",
            "skipStatuses": ["skipped", "unknown"],
            "threshold": 90,
            "groupBy": f"label-name:{label}",
        }
        for label in ("wiki", "page")
    ),
    {"type": "statusAgePyramid", "title": "Status age pyramid"},
    {"type": "durations", "title": "Durations histogram", "groupBy": "none"},
    {"type": "durationDynamics", "title": "Durations dynamics"},
]


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
    ``previous``: :func:`smoke.output.history.resolve_run`). Symbolic links are followed: the
    history is keyed by the real run id and kept beside the real run directory."""
    if not run:
        raise ReportError(f"no run given: name a run directory under {reports_dir}")
    try:
        run_dir = history.resolve_run(run, reports_dir).resolve()
    except HistoryError as exc:
        candidate = Path(run) if os.sep in run else reports_dir / run
        if (candidate / RESULTS_DIR).is_dir():
            # Allure results without results.json (a run stopped hard, or results copied from
            # elsewhere) are still worth a report.
            return candidate.resolve()
        if candidate.is_dir():
            raise ReportError(
                f"{candidate} has no {RESULTS_DIR}/: nothing to build a report from"
            ) from None
        raise ReportError(str(exc)) from None
    if not (run_dir / RESULTS_DIR).is_dir():
        raise ReportError(f"{run_dir} has no {RESULTS_DIR}/: nothing to build a report from")
    return run_dir


def find_allure(roots: Iterable[Path] | None = None) -> Path:
    """The Allure CLI installed by ``npm ci --prefix tools/allure`` in smoke's checkout (or the
    current directory). Never a global one: the pinned version is the one whose config format
    this module writes."""
    for root in roots if roots is not None else (PACKAGE_ROOT, Path.cwd()):
        candidate = root / ALLURE_RELATIVE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ReportError(INSTALL_HINT)


# --- what the run was: meta, checks, start time ---------------------------------------------


def read_run_meta(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``run`` and ``checks`` of results.json; both empty when the file is missing or bad (an
    interrupted run may lack it: the allure-results alone still make a report)."""
    try:
        body = json.loads((run_dir / "results.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}, []
    if not isinstance(body, dict):
        return {}, []
    run = body.get("run")
    checks = body.get("checks")
    return (
        run if isinstance(run, dict) else {},
        [c for c in checks if isinstance(c, dict)] if isinstance(checks, list) else [],
    )


def read_allure_results(results_dir: Path) -> list[dict[str, Any]]:
    results = []
    for path in sorted(results_dir.glob("*-result.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            results.append(data)
    return results


def _label(result: dict[str, Any], name: str) -> str | None:
    for label in result.get("labels") or []:
        if isinstance(label, dict) and label.get("name") == name:
            value = label.get("value")
            return str(value) if value is not None else None
    return None


def run_checks(
    checks: list[dict[str, Any]], allure_results: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """(wiki, checked URL) of each check: from results.json, else from the Allure results."""
    found = [(str(c.get("wiki", "")), str(c.get("url", ""))) for c in checks if c.get("wiki")]
    if found:
        return found
    for result in allure_results:
        wiki = _label(result, "wiki")
        urls = [
            str(link.get("url", ""))
            for link in result.get("links") or []
            if isinstance(link, dict) and link.get("name") == "checked URL"
        ]
        if wiki:
            found.append((wiki, urls[0] if urls else ""))
    return found


def run_started_ms(
    allure_results: list[dict[str, Any]], run_dir: Path, meta: dict[str, Any] | None = None
) -> int:
    """When the run started, in epoch ms: its earliest check, else results.json's ``started_at``,
    else the modification time of what the run wrote."""
    starts = [int(r["start"]) for r in allure_results if isinstance(r.get("start"), int)]
    if starts:
        return min(starts)
    try:
        return int(datetime.fromisoformat(str((meta or {})["started_at"])).timestamp() * 1000)
    except (KeyError, ValueError):
        pass  # not recorded (older or interrupted runs): fall back to file times
    for path in (run_dir / "results.json", run_dir / RESULTS_DIR, run_dir):
        try:
            return int(path.stat().st_mtime * 1000)
        except OSError:
            continue
    return int(time.time() * 1000)


# --- environment --------------------------------------------------------------------------------


def _meta_value(environment: dict[str, Any], key: str) -> str | None:
    for name, value in environment.items():
        if name.lower() == key.lower() and value not in (None, ""):
            return str(value)
    return None


def environment_info(
    run_id: str,
    meta: dict[str, Any],
    checks: list[tuple[str, str]],
    allure_results: list[dict[str, Any]],
    *,
    version_of: Callable[[str], str] = siteinfo_version,
    commit: Callable[[], str | None] = git_sha,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """What the report's "Metadata" shows. ``run.environment`` of results.json (name → value)
    wins over anything looked up now; the MediaWiki version is otherwise asked of one wiki."""
    recorded = meta.get("environment")
    recorded = recorded if isinstance(recorded, dict) else {}
    notes = notes if notes is not None else []
    target = meta.get("target") or next(
        (t for r in allure_results if (t := _label(r, "target"))), ""
    )
    wikis = sorted({wiki for wiki, _url in checks})
    info: dict[str, str] = {"target": str(target) or "unknown", "wikis": ", ".join(wikis)}

    version = _meta_value(recorded, "MediaWiki")
    if version is None:
        version = "unknown"
        asked = next(((w, a) for w, u in checks if (a := api_url(u))), None)
        if asked is None:
            notes.append("MediaWiki version unknown: no check URL to ask siteinfo of")
        else:
            try:
                version = f"{version_of(asked[1])} ({asked[0]}, asked at report time)"
            except (OSError, ValueError) as exc:
                notes.append(f"MediaWiki version unknown: siteinfo of {asked[0]} failed: {exc}")
    info["MediaWiki"] = version
    info["smoke"] = str(meta.get("smoke_version") or __version__)
    sha = _meta_value(recorded, "git")
    if sha is None:
        now = commit()
        sha = f"{now} (at report time)" if now else None
    if sha:
        info["git"] = sha
    info["run"] = run_id
    for name, value in recorded.items():  # anything else the run recorded, as it recorded it
        if not any(name.lower() == known.lower() for known in info) and value not in (None, ""):
            info[str(name)] = str(value)
    return info


def _escape_properties(text: str, key: bool) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    out = out.replace("\t", "\\t")
    if key:
        out = out.replace(" ", "\\ ").replace("=", "\\=").replace(":", "\\:")
    elif out.startswith(" "):
        out = "\\" + out  # a leading blank would be eaten as separator whitespace
    return out


def properties_text(items: dict[str, str]) -> str:
    """Java-properties text (what Allure reads as environment.properties)."""
    return "".join(
        f"{_escape_properties(k, True)}={_escape_properties(v, False)}\n" for k, v in items.items()
    )


# --- history ----------------------------------------------------------------------------------


def _timestamp(entry: dict[str, Any]) -> int:
    value = entry.get("timestamp")
    return value if isinstance(value, int) else 0


def load_history(path: Path, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The history data points in ``path``, oldest first; unreadable lines are dropped (noted)."""
    return sorted(_history_lines(path, notes), key=_timestamp)


def _history_lines(path: Path, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The data points in file order (Allure appends at the end)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        elif notes is not None:
            notes.append(f"{path}:{number}: not a history entry; dropped")
    return entries


def split_history(
    entries: list[dict[str, Any]], run_id: str, started_ms: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(entries before the run, entries after it), each oldest first; the run's own earlier
    entry (a rebuild) is in neither."""
    others = sorted((e for e in entries if e.get(RUN_KEY) != run_id), key=_timestamp)
    return (
        [e for e in others if _timestamp(e) < started_ms],
        [e for e in others if _timestamp(e) >= started_ms],
    )


def merge_history(
    before: list[dict[str, Any]],
    entry: dict[str, Any],
    after: list[dict[str, Any]],
    limit: int = HISTORY_LIMIT,
) -> list[dict[str, Any]]:
    merged = sorted([*before, entry, *after], key=_timestamp)
    return merged[-limit:] if limit > 0 else []


def write_history(path: Path, entries: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(
        "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries),
        "utf-8",
    )
    tmp.replace(path)  # readers never see a half-written history


# --- the Allure config and the build ---------------------------------------------------------


def allure_config(
    *,
    name: str,
    output: Path,
    history: Path,
    single_file: bool,
) -> dict[str, Any]:
    return {
        "name": name,
        "output": str(output),
        "historyPath": str(history),
        "categories": CATEGORIES,
        # "thread" and "host" say which xdist worker ran a check: noise in a report of wikis.
        "hideLabels": ["thread", "host"],
        "plugins": {
            "awesome": {
                "options": {
                    "reportName": name,
                    "singleFile": single_file,
                    "reportLanguage": "en",
                    # The tree by wiki, then page (the default is the file path: wikis.yaml).
                    "groupBy": ["wiki", "page"],
                    "charts": CHARTS,
                }
            }
        },
    }


def config_module(config: dict[str, Any]) -> str:
    # JSON is valid JavaScript: the config stays data, whatever a run id or label contains.
    return "export default " + json.dumps(config, indent=2, ensure_ascii=False) + ";\n"


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


def build_report(
    request: ReportRequest,
    *,
    allure: Path | None = None,
    version_of: Callable[[str], str] = siteinfo_version,
    commit: Callable[[], str | None] = git_sha,
    lock_timeout: float = 120.0,
) -> BuiltReport:
    """Build the report of ``request.run``; see the module docstring for what goes in."""
    run_dir = resolve_run(request.reports_dir, request.run)
    reports_dir = run_dir.parent  # where the run really is: one history per reports directory
    run_id = run_dir.name
    allure = allure or find_allure()
    output = (request.output or run_dir / REPORT_DIR).absolute()
    _check_output(output)

    notes: list[str] = []
    meta, checks = read_run_meta(run_dir)
    results = read_allure_results(run_dir / RESULTS_DIR)
    started = run_started_ms(results, run_dir, meta)
    environment = environment_info(
        run_id,
        meta,
        run_checks(checks, results),
        results,
        version_of=version_of,
        commit=commit,
        notes=notes,
    )
    name = f"smoke {run_id} — {environment['target']}"

    history_path = reports_dir / HISTORY_FILE
    try:
        # One build at a time per reports directory: the history is read, then rewritten.
        with FileLock(str(reports_dir / f".{HISTORY_FILE}.lock"), timeout=lock_timeout):
            return _build_locked(
                allure=allure,
                run_dir=run_dir,
                run_id=run_id,
                output=output,
                name=name,
                single_file=request.single_file,
                history_path=history_path,
                started=started,
                environment=environment,
                notes=notes,
            )
    except Timeout:
        raise ReportError(
            f"another `smoke report` holds {history_path}.lock for over {lock_timeout:.0f} s"
        ) from None


def _build_locked(
    *,
    allure: Path,
    run_dir: Path,
    run_id: str,
    output: Path,
    name: str,
    single_file: bool,
    history_path: Path,
    started: int,
    environment: dict[str, str],
    notes: list[str],
) -> BuiltReport:
    before, after = split_history(load_history(history_path, notes), run_id, started)
    before = before[-(HISTORY_LIMIT - 1) :]
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="smoke-report-") as tmp_name:
        tmp = Path(tmp_name)
        extra = tmp / "environment"
        extra.mkdir()
        (extra / "environment.properties").write_text(properties_text(environment), "utf-8")
        own_history = tmp / HISTORY_FILE
        write_history(own_history, before)
        # Build next to the output and swap at the end: a failed build leaves the old report.
        # (mkdir, not mkdtemp: the report gets the usual permissions, not mkdtemp's 0700)
        staging = output.parent / f".{output.name}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            config = tmp / "allurerc.mjs"
            config.write_text(
                config_module(
                    allure_config(
                        name=name, output=staging, history=own_history, single_file=single_file
                    )
                ),
                "utf-8",
            )
            began = time.monotonic()
            run_allure(allure, config, [run_dir / RESULTS_DIR, extra], cwd=tmp)
            seconds = time.monotonic() - began
            index = staging / "index.html"
            if not index.is_file():
                raise ReportError(
                    f"allure generate wrote no index.html into {staging}", ExitCode.ENVIRONMENT
                )
            strip_analytics(index)
            if output.exists():
                shutil.rmtree(output)
            staging.replace(output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        new = _history_lines(own_history)[len(before) :]
        if len(new) == 1:
            entry = {**new[0], RUN_KEY: run_id, "timestamp": started}
            write_history(history_path, merge_history(before, entry, after))
        else:  # Allure changed how it keeps history: keep ours as it was
            notes.append(
                f"Allure appended {len(new)} history entries (expected 1); "
                f"{history_path} left unchanged"
            )
    return BuiltReport(
        run_id=run_id,
        output=output,
        index=output / "index.html",
        seconds=seconds,
        history_runs=len(before) + 1,
        environment=environment,
        notes=notes,
    )
