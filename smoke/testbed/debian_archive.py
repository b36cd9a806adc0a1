"""MediaWiki 1.43 for the farm: Debian 13's ``mediawiki`` package, fetched and unpacked in a cache.

Debian 12 ships MediaWiki 1.39 only. Debian 13 (trixie) ships 1.43 as an ``Architecture: all``
package, so any Debian/Ubuntu with apt can fetch it without adding a source to the system:

1. a private sources list naming trixie's ``main`` in a cache directory, and apt options that keep
   every list and cache of apt in that directory (``Dir::Etc::sourcelist``,
   ``Dir::Etc::sourceparts=-``, ``Dir::State::Lists``, ``Dir::Cache``);
2. ``apt-get update`` then ``apt-get download mediawiki mediawiki-classes`` with those options;
3. ``dpkg-deb -x`` of both into a fresh directory, whose ``usr/share/mediawiki`` becomes the tree.
   The package's ``LocalSettings.php``, ``config``, ``extensions`` and ``images`` are symlinks into
   ``/var/lib/mediawiki``: they are replaced (no LocalSettings.php, the wikis' own come from
   ``MW_CONFIG_FILE``; ``extensions`` points at the bundled ``extensions-core``; empty
   ``config`` and ``images``).

Nothing is installed system-wide. The tree lives in :func:`cache_dir` (``$SMOKE_MEDIAWIKI_CACHE``,
else ``$XDG_CACHE_HOME/smoke/mediawiki``, else ``~/.cache/smoke/mediawiki``) and is reused by every
later ``up`` and by every test session; a lock file keeps two concurrent ``up`` from fetching twice.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from smoke.testbed.errors import EnvironmentProblem

CACHE_ENV_VAR = "SMOKE_MEDIAWIKI_CACHE"
SUITE = "trixie"
# Debian's own redirector: it picks a mirror near the user.
ARCHIVE = "http://deb.debian.org/debian"
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
PACKAGES = ("mediawiki", "mediawiki-classes")
TREE_NAME = "mediawiki-1.43"
VERSION_FILE = ".smoke-package-version"  # in the tree: the package version it was unpacked from
# The symlinks into /var/lib/mediawiki that the package ships in usr/share/mediawiki.
_SYMLINKS = ("LocalSettings.php", "config", "extensions", "images")

Log = Callable[[str], None]


def cache_dir() -> Path:
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smoke" / "mediawiki"


def tree_dir(cache: Path | None = None) -> Path:
    """Where the unpacked MediaWiki 1.43 is (or will be): ``<cache>/mediawiki-1.43``."""
    return (cache or cache_dir()) / TREE_NAME


def tree_version(tree: Path) -> str | None:
    """The Debian package version a cached tree was unpacked from; None when it is not complete."""
    try:
        return (tree / VERSION_FILE).read_text("utf-8").strip() or None
    except OSError:
        return None


def sources_list() -> str:
    return f"deb [signed-by={KEYRING}] {ARCHIVE} {SUITE} main\n"


def apt_options(work: Path) -> list[str]:
    """apt-get options that keep apt's lists and caches under ``work`` (the system's untouched)."""
    options = [
        "-o", f"Dir::Etc::sourcelist={work / 'sources.list'}",
        "-o", "Dir::Etc::sourceparts=-",
        "-o", f"Dir::State::Lists={work / 'lists'}",
        "-o", f"Dir::Cache={work / 'cache'}",
        "-o", "Acquire::Languages=none",
        "-q",
    ]  # fmt: skip
    if os.geteuid() == 0:
        # As root apt downloads as the user _apt, who may not write into the cache directory.
        options += ["-o", "APT::Sandbox::User=root"]
    return options


def ensure_tree(*, log: Log = print, cache: Path | None = None) -> Path:
    """The MediaWiki 1.43 tree, fetched and unpacked on first use; raises EnvironmentProblem."""
    cache = cache or cache_dir()
    tree = tree_dir(cache)
    if tree_version(tree):
        return tree
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / ".lock"):
        if tree_version(tree):  # another process fetched it while we waited
            return tree
        log(f"MediaWiki 1.43: fetching Debian 13's package into {cache} (once; about 50 MB)")
        _fetch_and_unpack(cache, tree)
        log(f"MediaWiki 1.43: {tree_version(tree)} unpacked in {tree}")
    return tree


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(argv: list[str], what: str, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd)
    except FileNotFoundError:
        raise EnvironmentProblem(
            f"{what}: {argv[0]} not found; MediaWiki 1.43 is fetched from Debian's archive with "
            f"apt-get and dpkg-deb (Debian/Ubuntu), or give an unpacked MediaWiki 1.43 with "
            f"--mediawiki-dir"
        ) from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        errors = [line for line in lines if line.startswith(("E:", "W:", "Err"))] or lines
        raise EnvironmentProblem(
            f"{what} failed: {errors[-1] if errors else 'exit ' + str(result.returncode)}"
        )
    return result.stdout


def _fetch_and_unpack(cache: Path, tree: Path) -> None:
    if not KEYRING.is_file():
        raise EnvironmentProblem(
            f"no Debian archive keyring at {KEYRING} to check Debian 13's packages with; "
            f"install the package debian-archive-keyring, or give an unpacked MediaWiki 1.43 "
            f"with --mediawiki-dir"
        )
    work = cache / "apt"
    for sub in ("lists/partial", "cache/archives/partial", "debs"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    (work / "sources.list").write_text(sources_list(), "utf-8")
    options = apt_options(work)
    _run(["apt-get", *options, "update"], "apt-get update (Debian 13 package lists)")
    debs = work / "debs"
    for old in debs.glob("*.deb"):
        old.unlink()
    wanted = [f"{name}/{SUITE}" for name in PACKAGES]
    _run(["apt-get", *options, "download", *wanted], "apt-get download mediawiki", cwd=debs)
    packages = sorted(debs.glob("mediawiki_*.deb"))
    if not packages:
        raise EnvironmentProblem(f"apt-get download left no mediawiki_*.deb in {debs}")
    version = _run(["dpkg-deb", "--field", str(packages[0]), "Version"], "dpkg-deb --field").strip()
    # Unpack beside the final place, then move it in: a half-unpacked tree is never used.
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache))
    try:
        for deb in sorted(debs.glob("*.deb")):
            _run(["dpkg-deb", "-x", str(deb), str(staging)], f"dpkg-deb -x {deb.name}")
        unpacked = staging / "usr" / "share" / "mediawiki"
        if not (unpacked / "maintenance" / "install.php").is_file():
            raise EnvironmentProblem(f"{packages[0].name} holds no usr/share/mediawiki")
        make_self_contained(unpacked)
        (unpacked / VERSION_FILE).write_text(version + "\n", "utf-8")
        if tree.exists():
            shutil.rmtree(tree)
        unpacked.rename(tree)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for deb in debs.glob("*.deb"):
        deb.unlink()  # the tree is what is kept; the .deb files would double the cache


def make_self_contained(tree: Path) -> None:
    """Replace the package's symlinks into /var/lib/mediawiki by parts of the tree itself."""
    for name in _SYMLINKS:
        link = tree / name
        if link.is_symlink():
            link.unlink()
    (tree / "config").mkdir(exist_ok=True)
    (tree / "images").mkdir(exist_ok=True)
    if (tree / "extensions-core").is_dir() and not (tree / "extensions").exists():
        (tree / "extensions").symlink_to("extensions-core")
