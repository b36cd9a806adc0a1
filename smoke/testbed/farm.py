"""Bringing the farm up, reporting on it, switching faults and taking it down.

Layout of a state directory::

    state.json                   the FarmState (no secrets)
    secrets/<wiki>.password      smoke account password, 0600 (dir 0700)
    secrets/<wiki>.admin         installer's admin password, 0600
    wikis/<wiki>/LocalSettings.php, smoke-settings.php, db/, faults.json, thresholds-*.json
    logs/<wiki>.log, logs/service.log
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from smoke.testbed import processes
from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.faults import FAULTS
from smoke.testbed.install import DEFAULT_MEDIAWIKI_DIR, ensure_mediawiki
from smoke.testbed.state import (
    FarmState,
    NoFarm,
    ProcessState,
    WikiState,
    load_state,
    save_state,
    write_faults_file,
)

ASSETS = Path(__file__).parent / "assets"
DEFAULT_BASE_PORT = 8480
SMOKE_ACCOUNT = "SmokeCheck"
CONTRIBUTIONS_USER = "Alice"
PHP_WORKERS = "4"
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class WikiSpec:
    id: str
    lang: str
    sitename: str
    ores: tuple[str, ...]
    pages: tuple[str, ...]


WIKI_SPECS: tuple[WikiSpec, ...] = (
    WikiSpec(
        "enwiki",
        "en",
        "Smoke English Wikipedia",
        ("damaging", "goodfaith"),
        ("Apollo program", "Basalt", "Comet", "Delta"),
    ),
    WikiSpec(
        "ruwiki",
        "ru",
        "Смоук Википедия",
        ("damaging", "goodfaith"),
        ("Программа Аполлон", "Базальт", "Комета", "Дельта"),
    ),
    WikiSpec(
        "frwiki",
        "fr",
        "Smoke Wikipédia",
        ("damaging", "goodfaith"),
        ("Programme Apollo", "Basalte", "Comète", "Delta"),
    ),
    # Like beta in 2017: a wiki where ORES is not enabled at all.
    WikiSpec(
        "nooreswiki",
        "en",
        "Smoke wiki without ORES",
        (),
        ("Apollo program", "Basalt", "Comet", "Delta"),
    ),
)
SPECS_BY_ID = {spec.id: spec for spec in WIKI_SPECS}

Log = Callable[[str], None]


def _write_secret(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(18) + "\n")


def _php_env(wiki_dir: Path, mediawiki_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "MW_CONFIG_FILE": str(wiki_dir / "LocalSettings.php"),
        "MW_INSTALL_PATH": str(mediawiki_dir),
        "PHP_CLI_SERVER_WORKERS": PHP_WORKERS,
    }


def _run_php(argv: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out = (result.stdout + result.stderr).strip().splitlines()
        raise EnvironmentProblem(
            f"{what} failed: {out[-1] if out else 'exit ' + str(result.returncode)}"
        )


def _smoke_settings(state: FarmState, wiki: WikiState) -> str:
    models = {m: True for m in wiki.ores}
    farm_wikis = [
        {"dbname": w.id, "lang": w.lang, "url": w.url, "sitename": w.sitename}
        for w in state.wikis.values()
    ]
    return f"""<?php
// Written by `smoke testbed up`; regenerated on every up. Do not edit.
$wgShowExceptionDetails = false; // production-like: "Fatal exception of type ..." with a request id
$wgUseSiteJs = true;
$wgDefaultUserOptions['rcdays'] = 30;
$wgDefaultUserOptions['watchlistdays'] = 30;
$wgSmokeOresServiceUrl = {json.dumps(state.service_url)};
$wgSmokeOresWikiId = {json.dumps(wiki.id)};
$wgSmokeOresStateDir = {json.dumps(str(wiki.dir))};
$wgSmokeOresModels = json_decode({json.dumps(json.dumps(models))}, true);
$wgSmokeOresFarmWikis = json_decode({json.dumps(json.dumps(farm_wikis))}, true);
$wgDebugLogGroups['SmokeOres'] = {json.dumps(str(wiki.dir / "smokeores.log"))};
wfLoadExtension( 'SmokeOres', {json.dumps(str(ASSETS / "SmokeOres" / "extension.json"))} );
"""


def _install_wiki(state: FarmState, wiki: WikiState, mediawiki_dir: Path, log: Log) -> None:
    wiki_dir = wiki.dir
    local_settings = wiki_dir / "LocalSettings.php"
    db_file = wiki_dir / "db" / f"{wiki.id}.sqlite"
    if local_settings.exists() and db_file.exists():
        return
    log(f"{wiki.id}: installing MediaWiki ({wiki.lang})")
    shutil.rmtree(wiki_dir, ignore_errors=True)  # a half-made wiki is rebuilt from scratch
    wiki_dir.mkdir(parents=True)
    admin_file = Path(state.state_dir) / "secrets" / f"{wiki.id}.admin"
    _write_secret(admin_file)
    env = _php_env(wiki_dir, mediawiki_dir)
    _run_php(
        [
            "php",
            str(mediawiki_dir / "maintenance" / "install.php"),
            "--dbtype",
            "sqlite",
            "--dbpath",
            str(wiki_dir / "db"),
            "--dbname",
            wiki.id,
            "--server",
            wiki.url,
            "--scriptpath",
            "",
            "--confpath",
            str(wiki_dir),
            "--passfile",
            str(admin_file),
            "--lang",
            wiki.lang,
            "--quiet",
            wiki.sitename,
            "Admin",
        ],
        env,
        f"{wiki.id}: install.php",
    )
    with open(local_settings, "a", encoding="utf-8") as handle:
        handle.write("\nrequire_once __DIR__ . '/smoke-settings.php';\n")


def _seed_wiki(wiki: WikiState, mediawiki_dir: Path) -> None:
    env = _php_env(wiki.dir, mediawiki_dir)
    env["SMOKE_SEED_PASSWORD_FILE"] = wiki.password_file
    _run_php(
        [
            "php",
            str(ASSETS / "seed.php"),
            "--account",
            wiki.account,
            "--pages",
            json.dumps(list(SPECS_BY_ID[wiki.id].pages)),
        ],
        env,
        f"{wiki.id}: seeding",
    )


def _start_wiki(state: FarmState, wiki: WikiState, mediawiki_dir: Path) -> None:
    wiki.pgid = processes.start_group(
        ["php", "-S", f"127.0.0.1:{wiki.port}", "-t", str(mediawiki_dir)],
        env=_php_env(wiki.dir, mediawiki_dir),
        log_file=Path(state.state_dir) / "logs" / f"{wiki.id}.log",
    )
    if not processes.wait_http(_health_url(wiki), timeout=START_TIMEOUT):
        processes.stop_group(wiki.pgid, None)  # just started: ours, even before its exec
        wiki.pgid = None
        raise EnvironmentProblem(
            f"{wiki.id}: php -S on port {wiki.port} did not answer within {START_TIMEOUT:.0f} s "
            f"(see {state.state_dir}/logs/{wiki.id}.log)"
        )


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
    if not processes.wait_http(state.service_url + "/health", timeout=START_TIMEOUT):
        processes.stop_group(state.service.pgid, None)  # just started: ours, even before exec
        state.service.pgid = None
        raise EnvironmentProblem(
            f"the scoring service on port {state.service.port} did not start "
            f"(see {state.state_dir}/logs/service.log)"
        )


def _marker(port: int) -> str:
    return f"127.0.0.1:{port}"


def _service_marker(state: FarmState) -> str:
    return "smoke.testbed.service"


def _health_url(wiki: WikiState) -> str:
    return f"{wiki.url}/api.php?action=query&meta=siteinfo&format=json"


def wiki_running(wiki: WikiState) -> bool:
    return processes.group_alive(wiki.pgid, _marker(wiki.port))


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


def up(
    state_dir: Path,
    *,
    base_port: int | None = None,
    mediawiki_dir: Path = DEFAULT_MEDIAWIKI_DIR,
    allow_install: bool = True,
    log: Log = print,
) -> FarmState:
    """Create or repair the farm; returns its state. Idempotent."""
    started = time.monotonic()
    notes: list[str] = []
    ensure_mediawiki(mediawiki_dir, allow_install=allow_install, log=notes)
    for note in notes:
        log(note)
    try:
        state = load_state(state_dir)
        if base_port is not None and base_port != state.base_port:
            log(
                f"note: reusing the farm on base port {state.base_port} (given {base_port}); "
                f"`smoke testbed down --purge` first to move it"
            )
    except NoFarm:
        state = _new_state(state_dir, base_port or DEFAULT_BASE_PORT)

    # Check every port we would have to start on before touching anything, so a clash leaves
    # the farm exactly as it was.
    service_up = processes.group_alive(state.service.pgid, _service_marker(state))
    to_start = [w for w in state.wikis.values() if not wiki_running(w) and "down" not in w.faults]
    clashes = (
        [f"{state.service.port} (scoring service)"]
        if (not service_up and not processes.port_is_free(state.service.port))
        else []
    )
    clashes += [f"{w.port} ({w.id})" for w in to_start if not processes.port_is_free(w.port)]
    if clashes:
        raise EnvironmentProblem(
            f"port {', '.join(clashes)} already in use by another process; free it or pick "
            f"other ports with `smoke testbed up --base-port N` (the farm was left as it was)"
        )

    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    (state_dir / "secrets").mkdir(mode=0o700, exist_ok=True)
    save_state(state)
    if not service_up:
        log(f"scoring service: starting on port {state.service.port}")
        _start_service(state)
        save_state(state)

    def bring_up(wiki: WikiState) -> None:
        _write_secret(Path(wiki.password_file))
        _install_wiki(state, wiki, mediawiki_dir, log)
        (wiki.dir / "smoke-settings.php").write_text(_smoke_settings(state, wiki), "utf-8")
        write_faults_file(wiki)
        _seed_wiki(wiki, mediawiki_dir)
        if "down" in wiki.faults:
            log(f"{wiki.id}: left stopped (fault 'down' is on)")
        elif not wiki_running(wiki):
            log(f"{wiki.id}: starting php -S on {wiki.url}")
            _start_wiki(state, wiki, mediawiki_dir)

    with ThreadPoolExecutor(max_workers=len(state.wikis)) as pool:
        futures = [pool.submit(bring_up, wiki) for wiki in state.wikis.values()]
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


def status(state_dir: Path) -> tuple[FarmState, list[WikiStatus], bool]:
    state = load_state(state_dir)
    rows = [
        WikiStatus(w.id, w.url, processes.http_ok(_health_url(w)), w.faults, w.ores)
        for w in state.wikis.values()
    ]
    service_ok = processes.http_ok(state.service_url + "/health")
    return state, rows, service_ok


def down(state_dir: Path, *, purge: bool = False, log: Log = print) -> None:
    try:
        state = load_state(state_dir)
    except NoFarm:
        if purge and state_dir.exists():
            shutil.rmtree(state_dir)
        log(f"no farm in {state_dir}; nothing to stop")
        return
    for wiki in state.wikis.values():
        if processes.stop_group(wiki.pgid, _marker(wiki.port)):
            log(f"{wiki.id}: stopped")
        wiki.pgid = None
    if processes.stop_group(state.service.pgid, _service_marker(state)):
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
    mediawiki_dir: Path = DEFAULT_MEDIAWIKI_DIR,
    log: Log = print,
) -> FarmState:
    """Switch one fault of one wiki at run time (no reinstall)."""
    if fault not in FAULTS:
        raise BadInput(f"unknown fault {fault!r}; known faults: {', '.join(FAULTS)}")
    try:
        state = load_state(state_dir)
    except NoFarm as exc:
        raise BadInput(str(exc)) from None
    if wiki_id not in state.wikis:
        raise BadInput(f"unknown wiki {wiki_id!r}; the farm has: {', '.join(state.wikis)}")
    wiki = state.wikis[wiki_id]
    if on:
        options: dict[str, object] = {}
        if fault == "slow":
            options["delay"] = 40 if delay is None else delay
        wiki.faults[fault] = options
    else:
        wiki.faults.pop(fault, None)
    write_faults_file(wiki)
    if fault == "down":
        if on and processes.stop_group(wiki.pgid, _marker(wiki.port)):
            wiki.pgid = None
        elif not on and not wiki_running(wiki):
            if not processes.port_is_free(wiki.port):
                raise EnvironmentProblem(
                    f"port {wiki.port} ({wiki.id}) is taken by another process"
                )
            _start_wiki(state, wiki, mediawiki_dir)
    save_state(state)
    log(f"{wiki_id}: fault {fault} {'on' if on else 'off'}")
    return state
