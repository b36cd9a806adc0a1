"""Making sure the Debian packages the farm needs are there (and installing them when we can).

MediaWiki 1.39 is Debian 12's package ``mediawiki``; MediaWiki 1.43 is not installed at all (it is
unpacked in a cache, :mod:`smoke.testbed.debian_archive`), only the PHP modules it needs are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from smoke.testbed.errors import EnvironmentProblem

DEFAULT_MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
DEBIAN_PACKAGES = ("mediawiki", "php-sqlite3", "php-intl", "php-mbstring", "php-xml")
# `php -m` names of the extensions MediaWiki needs with SQLite.
PHP_MODULES = ("pdo_sqlite", "intl", "mbstring", "xml")


def missing_parts(mediawiki_dir: Path | None, extra_modules: tuple[str, ...] = ()) -> list[str]:
    """What is missing: MediaWiki at ``mediawiki_dir`` (None: not asked), php, PHP modules."""
    missing = []
    if mediawiki_dir is not None and not (mediawiki_dir / "maintenance" / "install.php").is_file():
        missing.append(f"MediaWiki at {mediawiki_dir}")
    php = shutil.which("php")
    if php is None:
        missing.append("php")
    else:
        modules = (
            subprocess.run([php, "-m"], capture_output=True, text=True, check=False)
            .stdout.lower()
            .split()
        )
        missing += [f"php module {m}" for m in (*PHP_MODULES, *extra_modules) if m not in modules]
    return missing


def ensure_mediawiki(
    mediawiki_dir: Path | None,
    *,
    allow_install: bool,
    log: list[str],
    extra_modules: tuple[str, ...] = (),
    extra_packages: tuple[str, ...] = (),
) -> None:
    """Install the Debian packages when parts are missing; raise a one-sentence error otherwise.

    ``mediawiki_dir`` None: MediaWiki comes from elsewhere (the 1.43 cache), only PHP is checked
    and Debian's ``mediawiki`` package is not installed.
    """
    missing = missing_parts(mediawiki_dir, extra_modules)
    if not missing:
        return
    custom_dir = mediawiki_dir is not None and mediawiki_dir != DEFAULT_MEDIAWIKI_DIR
    if custom_dir and f"MediaWiki at {mediawiki_dir}" in missing:
        raise EnvironmentProblem(
            f"no MediaWiki at {mediawiki_dir} (maintenance/install.php not found); "
            f"point --mediawiki-dir at MediaWiki 1.39+ or drop it to use Debian's package"
        )
    wanted = DEBIAN_PACKAGES if mediawiki_dir is not None else DEBIAN_PACKAGES[1:]
    packages = (*wanted, *extra_packages)
    if not allow_install:
        raise EnvironmentProblem(
            f"missing: {', '.join(missing)}; install them with "
            f"`sudo apt-get install -y {' '.join(packages)}` (or run without --no-install)"
        )
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        why = "apt-get is not available" if apt is None else "this is not root"
        raise EnvironmentProblem(
            f"missing: {', '.join(missing)}, and {why}; as root on Debian/Ubuntu run "
            f"`apt-get install -y {' '.join(packages)}`, then `smoke testbed up` again"
        )
    log.append(f"installing Debian packages: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", *packages]):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise EnvironmentProblem(
                f"`{' '.join(argv)}` failed ({tail[0] if tail else 'no output'})"
            )
    still = missing_parts(mediawiki_dir, extra_modules)
    if still:
        raise EnvironmentProblem(f"still missing after apt-get install: {', '.join(still)}")
