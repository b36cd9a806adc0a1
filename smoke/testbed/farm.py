"""Bringing the farm up, reporting on it, switching faults and taking it down.

Layout of a state directory::

    state.json                   the FarmState (no secrets)
    secrets/<wiki>.password      smoke account password, 0600 (dir 0700)
    secrets/<wiki>.admin         installer's admin password, 0600
    wikis/<wiki>/LocalSettings.php, smoke-settings.php, db/, faults.json, requests.log,
                 ores.log (the extension's log), exception.log (every exception, with message)
    logs/<wiki>.log, logs/service.log

The wikis and their ORES levels are the table in :mod:`smoke.testbed.wikis` (re-exported here).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from smoke.testbed import mediawiki, processes
from smoke.testbed.db_faults import MODEL_UNREGISTERED, database, switch_registration
from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.faults import describe, switched
from smoke.testbed.generations import Generation, choose_generation, mediawiki_tree
from smoke.testbed.ores import (
    ENV_VAR,
    FALLBACK,
    NO_ORES,
    REAL,
    OresCheckout,
    choose_checkout,
    describe_ores,
)
from smoke.testbed.settings import render
from smoke.testbed.state import (
    STATE_VERSION,
    FarmState,
    NoFarm,
    ProcessState,
    WikiState,
    load_state,
    save_state,
    write_faults_file,
)
from smoke.testbed.wikis import SPECS_BY_ID, WIKI_SPECS, WikiSpec, configured_levels

__all__ = ["SPECS_BY_ID", "WIKI_SPECS", "WikiSpec", "configured_levels", "down", "status", "up"]

DEFAULT_BASE_PORT = 8480
SMOKE_ACCOUNT = "SmokeCheck"
CONTRIBUTIONS_USER = "Alice"

Log = Callable[[str], None]


def _write_secret(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(18) + "\n")


def _start_service(state: FarmState) -> None:
    state.service.pgid = processes.start_group(
        [
            sys.executable,
            "-m",
            "smoke.testbed.service",
            "--port",
            str(state.service.port),
            "--state-dir",
            state.state_dir,
        ],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        log_file=Path(state.state_dir) / "logs" / "service.log",
    )
    if not processes.wait_http(state.service_url + "/health", timeout=mediawiki.START_TIMEOUT):
        processes.stop_group(state.service.pgid, None)  # just started: ours, even before exec
        state.service.pgid = None
        raise EnvironmentProblem(
            f"the scoring service on port {state.service.port} did not start "
            f"(see {state.state_dir}/logs/service.log)"
        )


SERVICE_MARKER = "smoke.testbed.service"


def _new_state(state_dir: Path, base_port: int) -> FarmState:
    state = FarmState(
        state_dir=str(state_dir), base_port=base_port, service=ProcessState(port=base_port)
    )
    for offset, spec in enumerate(WIKI_SPECS, start=1):
        port = base_port + offset
        state.wikis[spec.id] = WikiState(
            id=spec.id,
            lang=spec.lang,
            sitename=spec.sitename,
            url=f"http://127.0.0.1:{port}",
            port=port,
            pgid=None,
            ores=list(spec.ores),
            account=SMOKE_ACCOUNT,
            password_file=str(state_dir / "secrets" / f"{spec.id}.password"),
            contributions_user=CONTRIBUTIONS_USER,
        )
    return state


def _load_or_create(state_dir: Path, base_port: int | None, log: Log) -> FarmState:
    try:
        state = load_state(state_dir)
    except NoFarm:
        return _new_state(state_dir, base_port or DEFAULT_BASE_PORT)
    if base_port is not None and base_port != state.base_port:
        log(
            f"note: reusing the farm on base port {state.base_port} (given {base_port}); "
            f"`smoke testbed down --purge` first to move it"
        )
    return state


def _check_ports(state: FarmState, service_up: bool) -> None:
    """Every port we would start on must be free, so a clash leaves the farm as it was."""
    to_start = [w for w in state.wikis.values() if not mediawiki.running(w)]
    clashes = (
        [f"{state.service.port} (scoring service)"]
        if (not service_up and not processes.port_is_free(state.service.port))
        else []
    )
    clashes += [
        f"{w.port} ({w.id})"
        for w in to_start
        if "down" not in w.faults and not processes.port_is_free(w.port)
    ]
    if clashes:
        raise EnvironmentProblem(
            f"port {', '.join(clashes)} already in use by another process; free it or pick "
            f"other ports with `smoke testbed up --base-port N` (the farm was left as it was)"
        )


def _bring_up(
    state: FarmState,
    wiki: WikiState,
    checkout: OresCheckout | None,
    previous_checkout: str | None,
    mediawiki_dir: Path,
    log: Log,
) -> None:
    """Install, configure, seed and start one wiki; idempotent."""
    spec = SPECS_BY_ID[wiki.id]
    _write_secret(Path(wiki.password_file))
    admin = Path(state.state_dir) / "secrets" / f"{wiki.id}.admin"
    _write_secret(admin)
    fresh = mediawiki.install(wiki, admin, mediawiki_dir, log)
    wiki.ores = list(spec.ores)
    wiki.ores_levels = {model: list(levels) for model, levels in spec.ores_levels.items()}
    runtime = NO_ORES if not wiki.ores_levels else REAL if checkout else FALLBACK
    (wiki.dir / "smoke-settings.php").write_text(render(state, wiki, checkout), "utf-8")
    write_faults_file(wiki)
    # The real extension's tables: on its first up on this wiki, or a checkout elsewhere.
    new_schema = runtime == REAL and (
        wiki.ores_runtime != REAL or previous_checkout != state.ores_extension
    )
    if new_schema:
        mediawiki.update_schema(wiki, mediawiki_dir)
    mediawiki.seed(wiki, spec.pages, mediawiki_dir)
    if runtime == REAL:
        mediawiki.run_jobs(wiki, mediawiki_dir)  # the ORESFetchScoreJob of each seeded edit
        if new_schema and not fresh and checkout is not None:
            mediawiki.populate_scores(wiki, checkout.dir, mediawiki_dir)  # edits from before
    wiki.ores_runtime = runtime
    if "down" in wiki.faults:
        log(f"{wiki.id}: left stopped (fault 'down' is on)")
        return
    if not mediawiki.running(wiki):
        log(f"{wiki.id}: starting php -S on {wiki.url}")
        mediawiki.start(state, wiki, mediawiki_dir)


def _switch_generation(state: FarmState, gen: Generation, log: Log) -> None:
    """Wikis installed by the other MediaWiki are stopped and installed afresh by this one."""
    log(f"switching the farm from MediaWiki {state.mediawiki} to {gen.name}: new wikis")
    _stop_wikis(state, log)
    for wiki in state.wikis.values():
        shutil.rmtree(wiki.dir, ignore_errors=True)
        wiki.ores_runtime = ""  # the new install needs the extension's tables again
    state.ores_extension = None  # the other generation's checkout is not remembered across


def up(
    state_dir: Path,
    *,
    base_port: int | None = None,
    mediawiki: str | None = None,
    mediawiki_dir: Path | None = None,
    allow_install: bool = True,
    ores_extension: Path | None = None,
    ores_fallback: bool = False,
    log: Log = print,
) -> FarmState:
    """Create or repair the farm; returns its state. Idempotent.

    ``mediawiki`` ("1.43" or "1.39"; else the one remembered; else 1.43) is the generation
    (:mod:`smoke.testbed.generations`); ``mediawiki_dir`` overrides where its code is.
    ``ores_extension`` (else ``$SMOKE_ORES_EXTENSION``, else the one remembered, else the
    generation's vendored copy) is the Extension:ORES checkout the wikis load; none, or
    ``ores_fallback``: the imitation.
    """
    started = time.monotonic()
    state = _load_or_create(state_dir, base_port, log)
    gen = choose_generation(mediawiki, state.mediawiki or None)
    tree = mediawiki_tree(gen, mediawiki_dir, allow_install=allow_install, log=log)
    switching_generation = bool(state.mediawiki) and state.mediawiki != gen.name
    checkout = choose_checkout(
        ores_extension,
        fallback=ores_fallback,
        remembered=None if switching_generation else state.ores_extension,
        default=gen.vendor_ores,
    )
    if checkout is not None and not checkout.supports(gen.name):
        raise BadInput(
            f"the Extension:ORES at {checkout.dir} requires MediaWiki "
            f"{checkout.requires_mediawiki}, not {gen.name}; give a checkout for {gen.name} with "
            f"--ores-extension (or ${ENV_VAR})"
        )
    service_up = processes.group_alive(state.service.pgid, SERVICE_MARKER)
    _check_ports(state, service_up)
    if switching_generation:
        _switch_generation(state, gen, log)

    previous_checkout = state.ores_extension
    state.ores_extension = str(checkout.dir) if checkout else None
    state.ores_liftwing = bool(checkout and checkout.liftwing)
    state.mediawiki = gen.name
    state.mediawiki_dir = str(tree)
    state.version = STATE_VERSION
    mediawiki_dir = tree
    log(f"MediaWiki: {gen.name} at {tree}")
    log(f"ORES: {describe_ores(checkout)}")
    # A Lift Wing checkout's defaults are numbers; the farm writes its own numbers anyway.
    if checkout and not checkout.liftwing and checkout.defaults_differ():
        log(
            f"note: this checkout's default levels differ from the farm's table for "
            f"{', '.join(checkout.defaults_differ())}; the wikis keep the table's levels"
        )
    switching = previous_checkout != state.ores_extension
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    (state_dir / "secrets").mkdir(mode=0o700, exist_ok=True)
    if switching:
        _stop_wikis(state, log)  # a running server would keep serving the other ORES
    save_state(state)
    if not service_up:
        log(f"scoring service: starting on port {state.service.port}")
        _start_service(state)
        save_state(state)

    with ThreadPoolExecutor(max_workers=len(state.wikis)) as pool:
        futures = [
            pool.submit(_bring_up, state, w, checkout, previous_checkout, mediawiki_dir, log)
            for w in state.wikis.values()
        ]
        errors = [f.exception() for f in futures if f.exception() is not None]
    save_state(state)
    if errors:
        raise errors[0]  # type: ignore[misc]
    log(
        f"farm up in {time.monotonic() - started:.1f} s: {len(state.wikis)} wikis, "
        f"state in {state_dir}"
    )
    return state


@dataclass(frozen=True)
class WikiStatus:
    id: str
    url: str
    answers: bool
    faults: dict[str, dict[str, object]]
    ores: list[str]
    ores_runtime: str  # "extension", "fallback" or "none"
    ores_levels: dict[str, list[str]]

    def fault_names(self) -> list[str]:
        return [describe(name, options) for name, options in self.faults.items()]


def status(state_dir: Path) -> tuple[FarmState, list[WikiStatus], bool]:
    state = load_state(state_dir)
    rows = [
        WikiStatus(
            w.id,
            w.url,
            processes.http_ok(mediawiki.health_url(w)),
            w.faults,
            w.ores,
            w.ores_runtime,
            w.ores_levels,
        )
        for w in state.wikis.values()
    ]
    service_ok = processes.http_ok(state.service_url + "/health")
    return state, rows, service_ok


def _stop_wikis(state: FarmState, log: Log) -> None:
    for wiki in state.wikis.values():
        if processes.stop_group(wiki.pgid, mediawiki.marker(wiki.port)):
            log(f"{wiki.id}: stopped")
        wiki.pgid = None


def down(state_dir: Path, *, purge: bool = False, log: Log = print) -> None:
    try:
        state = load_state(state_dir)
    except NoFarm:
        if purge and state_dir.exists():
            shutil.rmtree(state_dir)
        log(f"no farm in {state_dir}; nothing to stop")
        return
    _stop_wikis(state, log)
    if processes.stop_group(state.service.pgid, SERVICE_MARKER):
        log("scoring service: stopped")
    state.service.pgid = None
    if purge:
        shutil.rmtree(state_dir)
        log(f"removed {state_dir}")
    else:
        save_state(state)


def set_fault(
    state_dir: Path,
    wiki_id: str,
    fault: str,
    on: bool,
    *,
    delay: float | None = None,
    model: str | None = None,
    level: str | None = None,
    mediawiki_dir: Path | None = None,
    log: Log = print,
) -> FarmState:
    """Switch one fault of one wiki at run time (no reinstall).

    ``mediawiki_dir``: the tree a restarted wiki serves (default: the one ``up`` chose)."""
    try:
        state = load_state(state_dir)
    except NoFarm as exc:
        raise BadInput(str(exc)) from None
    if wiki_id not in state.wikis:
        raise BadInput(f"unknown wiki {wiki_id!r}; the farm has: {', '.join(state.wikis)}")
    wiki = state.wikis[wiki_id]
    before = wiki.faults
    wiki.faults = switched(
        wiki.faults,
        fault,
        on,
        wiki_id=wiki_id,
        ores_levels=wiki.ores_levels,
        delay=delay,
        model=model,
        level=level,
    )
    write_faults_file(wiki)
    if fault == MODEL_UNREGISTERED:
        switch_registration(database(wiki.dir, wiki.id), before, wiki.faults)
    if fault == "down":
        if on and processes.stop_group(wiki.pgid, mediawiki.marker(wiki.port)):
            wiki.pgid = None
        elif not on and not mediawiki.running(wiki):
            if not processes.port_is_free(wiki.port):
                raise EnvironmentProblem(
                    f"port {wiki.port} ({wiki.id}) is taken by another process"
                )
            mediawiki.start(state, wiki, mediawiki_dir or state.tree)
    save_state(state)
    if on:
        shown = describe(fault, wiki.faults.get(fault, {}))
    else:
        shown = f"{fault} ({model}/{level})" if model and level else fault
    log(f"{wiki_id}: fault {shown} {'on' if on else 'off'}")
    return state
