"""The end of a run: read the server's exceptions and put them wherever a check's result goes.

Each check the logs know gets a ``server`` record (results.json, and from there summary.md,
causes and ``smoke diff``), a ``server-exception.txt`` among its artifacts, and an Allure
attachment; every text redacted like the rest of the run's output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from smoke.config.logs import TESTBED_LOG
from smoke.model.wikimedia import smoke_agent
from smoke.output.allure_server import add_server_errors
from smoke.output.causes import cause_text
from smoke.output.evidence import SERVER_ARTIFACT, check_dir_name
from smoke.output.redact import redact
from smoke.output.results import CheckResult
from smoke.output.run_dir import ALLURE_RESULTS_DIR, ARTIFACTS_DIR
from smoke.plan.planner import Plan
from smoke.serverlog.read import read_server_errors
from smoke.testbed.state import NoFarm, load_state

EVIDENCE_FILE = "server-exception.txt"


def _farm_logs(plan: Plan) -> dict[str, Path]:
    try:
        state = load_state(plan.options.testbed_dir)
    except NoFarm:
        return {}
    return {wiki_id: wiki.dir / "exception.log" for wiki_id, wiki in state.wikis.items()}


def _redacted(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [_redacted(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, secrets) for k, v in value.items()}
    return value


def evidence_text(record: Mapping[str, Any]) -> str:
    lines = [f"request id: {record.get('request_id', '')}", f"source: {record.get('source', '')}"]
    if record.get("logged_at"):
        lines.append(f"logged at: {record['logged_at']}")
    if record.get("message"):
        cls = record.get("exception_class") or ""
        lines += ["", f"{cls}: {record['message']}" if cls else str(record["message"])]
        lines += list(record.get("frames") or [])
    if record.get("link"):
        lines += ["", f"server log: {record['link']}"]
    return "\n".join(lines) + "\n"


def attach_server_logs(
    run_dir: Path,
    results: list[CheckResult],
    plan: Plan | None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[str], tuple[str, ...]]:
    """Adds ``server`` to the results the logs know; (notes for the run, secrets to redact)."""
    if plan is None:
        return [], ()
    logs = plan.config.target(plan.target).logs
    if logs is None:
        return [], ()
    farm = _farm_logs(plan) if logs.exception_log == TESTBED_LOG else {}
    read = read_server_errors(
        [asdict(r) for r in results],
        logs,
        farm_logs=farm,
        environ=os.environ if environ is None else environ,
        user_agent=smoke_agent(plan.config.contact, "server logs"),
    )
    secrets = (*plan.secrets(), *read.secrets)
    texts: dict[str, str] = {}
    for result in results:
        record = read.records.get(result.id)
        if record is None:
            continue
        result.server = _redacted(record, secrets)
        text = texts[result.id] = evidence_text(result.server)
        directory = run_dir / ARTIFACTS_DIR / check_dir_name(result.id)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / EVIDENCE_FILE).write_text(text, "utf-8")
        result.artifacts[SERVER_ARTIFACT] = str((directory / EVIDENCE_FILE).relative_to(run_dir))
    causes = {r.id: cause_text(asdict(r)) for r in results if r.server}
    add_server_errors(
        run_dir / ALLURE_RESULTS_DIR,
        texts,
        {r.id: r.server for r in results if r.server},
        causes,
    )
    return [redact(note, secrets) for note in read.notes], read.secrets
