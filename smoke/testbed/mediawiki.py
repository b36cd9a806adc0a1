"""Running MediaWiki's PHP for one farm wiki: install, schema update, seeding, jobs, ``php -S``.

Every step runs with ``MW_CONFIG_FILE`` pointing at the wiki's own LocalSettings.php, so one
MediaWiki installation serves all the farm's wikis.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from smoke.testbed import processes
from smoke.testbed.errors import EnvironmentProblem
from smoke.testbed.state import FarmState, WikiState

ASSETS = Path(__file__).parent / "assets"
PHP_WORKERS = "4"
START_TIMEOUT = 20.0

Log = Callable[[str], None]


def version(mediawiki_dir: Path) -> str | None:
    """MediaWiki's own version of a tree (``MW_VERSION`` in includes/Defines.php), e.g. 1.43.9."""
    try:
        text = (mediawiki_dir / "includes" / "Defines.php").read_text("utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", text)
    return match.group(1) if match else None


def php_env(wiki_dir: Path, mediawiki_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "MW_CONFIG_FILE": str(wiki_dir / "LocalSettings.php"),
        "MW_INSTALL_PATH": str(mediawiki_dir),
        "PHP_CLI_SERVER_WORKERS": PHP_WORKERS,
    }


def run_php(argv: Sequence[str], env: dict[str, str], what: str) -> str:
    """Run a PHP command; its output, or EnvironmentProblem naming its last line."""
    result = subprocess.run(list(argv), env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out = (result.stdout + result.stderr).strip().splitlines()
        raise EnvironmentProblem(
            f"{what} failed: {out[-1] if out else 'exit ' + str(result.returncode)}"
        )
    return result.stdout


def install(wiki: WikiState, admin_password_file: Path, mediawiki_dir: Path, log: Log) -> bool:
    """install.php into the wiki's directory unless it is there; True when it installed."""
    local_settings = wiki.dir / "LocalSettings.php"
    if local_settings.exists() and (wiki.dir / "db" / f"{wiki.id}.sqlite").exists():
        return False
    log(f"{wiki.id}: installing MediaWiki ({wiki.lang})")
    shutil.rmtree(wiki.dir, ignore_errors=True)  # a half-made wiki is rebuilt from scratch
    wiki.dir.mkdir(parents=True)
    script = mediawiki_dir / "maintenance" / "install.php"
    run_php(
        ["php", str(script), "--dbtype", "sqlite", "--dbpath", str(wiki.dir / "db"),
         "--dbname", wiki.id, "--server", wiki.url, "--scriptpath", "",
         "--confpath", str(wiki.dir), "--passfile", str(admin_password_file),
         "--lang", wiki.lang, "--quiet", wiki.sitename, "Admin"],
        php_env(wiki.dir, mediawiki_dir),
        f"{wiki.id}: install.php",
    )  # fmt: skip
    with open(local_settings, "a", encoding="utf-8") as handle:
        handle.write("\nrequire_once __DIR__ . '/smoke-settings.php';\n")
    return True


def update_schema(wiki: WikiState, mediawiki_dir: Path) -> None:
    """update.php: creates the tables of the extensions the wiki loads (ORES: ores_model,
    ores_classification)."""
    script = mediawiki_dir / "maintenance" / "update.php"
    run_php(
        ["php", str(script), "--quick"],
        php_env(wiki.dir, mediawiki_dir),
        f"{wiki.id}: update.php",
    )


def seed(wiki: WikiState, pages: Sequence[str], mediawiki_dir: Path) -> None:
    """Users, edits and the smoke account's watchlist (idempotent; see assets/seed.php)."""
    env = php_env(wiki.dir, mediawiki_dir)
    env["SMOKE_SEED_PASSWORD_FILE"] = wiki.password_file
    run_php(
        ["php", str(ASSETS / "seed.php"), "--account", wiki.account, "--pages", json.dumps(pages)],
        env,
        f"{wiki.id}: seeding",
    )


def run_jobs_failures(wiki: WikiState, mediawiki_dir: Path) -> list[str]:
    """runJobs.php; the lines of the jobs that failed (runJobs.php ends each job's line with
    "good" or "error=<why>")."""
    script = mediawiki_dir / "maintenance" / "runJobs.php"
    output = run_php(
        ["php", str(script)],
        php_env(wiki.dir, mediawiki_dir),
        f"{wiki.id}: runJobs.php",
    )
    return [line.strip() for line in output.splitlines() if " error=" in line]


def run_jobs(wiki: WikiState, mediawiki_dir: Path) -> None:
    """runJobs.php: the queued ORESFetchScoreJob of each seeded edit asks the scoring service for
    its scores and stores them in ores_classification, as the job runners do in production."""
    failed = run_jobs_failures(wiki, mediawiki_dir)
    if failed:
        raise EnvironmentProblem(f"{wiki.id}: a job failed in runJobs.php: {failed[0].strip()}")


def populate_scores(wiki: WikiState, ores_dir: Path, mediawiki_dir: Path) -> None:
    """The extension's PopulateDatabase.php: scores the edits made before the wiki ran it."""
    run_php(
        ["php", str(ores_dir / "maintenance" / "PopulateDatabase.php")],
        php_env(wiki.dir, mediawiki_dir),
        f"{wiki.id}: ORES PopulateDatabase.php",
    )


def marker(port: int) -> str:
    """What the command line of the wiki's php -S carries (see processes.group_alive)."""
    return f"127.0.0.1:{port}"


def health_url(wiki: WikiState) -> str:
    return f"{wiki.url}/api.php?action=query&meta=siteinfo&format=json"


def running(wiki: WikiState) -> bool:
    return processes.group_alive(wiki.pgid, marker(wiki.port))


def start(state: FarmState, wiki: WikiState, mediawiki_dir: Path) -> None:
    wiki.pgid = processes.start_group(
        ["php", "-S", f"127.0.0.1:{wiki.port}", "-t", str(mediawiki_dir)],
        env=php_env(wiki.dir, mediawiki_dir),
        log_file=Path(state.state_dir) / "logs" / f"{wiki.id}.log",
    )
    if not processes.wait_http(health_url(wiki), timeout=START_TIMEOUT):
        processes.stop_group(wiki.pgid, None)  # just started: ours, even before its exec
        wiki.pgid = None
        raise EnvironmentProblem(
            f"{wiki.id}: php -S on port {wiki.port} did not answer within {START_TIMEOUT:.0f} s "
            f"(see {state.state_dir}/logs/{wiki.id}.log)"
        )
