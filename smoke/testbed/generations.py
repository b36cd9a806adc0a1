"""The two generations of the farm: which MediaWiki, where its code comes from, which ORES.

========  ==========================================  ============================  ==========
name      MediaWiki                                   Extension:ORES (default)      scores
========  ==========================================  ============================  ==========
``1.43``  Debian 13's package, fetched into a cache   ``../shared/vendor/ORES-REL1_43``  Lift Wing,
          (:mod:`smoke.testbed.debian_archive`)                                     numeric
                                                                                    thresholds
``1.39``  Debian 12's package (``/usr/share/...``)    ``../shared/vendor/ORES``     ORES v3,
                                                                                    formulas
========  ==========================================  ============================  ==========

``1.43`` is the default: the stack closest to today's Beta Cluster. ``1.39`` replays 2017 (the
formula thresholds the ORES service answered ``null`` to). ``smoke testbed up --mediawiki`` picks
one and the farm remembers it, like its ORES checkout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smoke.testbed import debian_archive
from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.install import ensure_mediawiki

# <repository>/../shared/vendor: where these machines and CI keep the vendored ORES copies.
VENDOR_DIR = Path(__file__).resolve().parents[3] / "shared" / "vendor"


@dataclass(frozen=True)
class Generation:
    name: str
    label: str  # for `status`: "MediaWiki 1.43 (Debian 13's package)"
    # The Debian-packaged tree (1.39) or None: fetched into the cache (1.43).
    packaged_dir: Path | None
    vendor_ores: Path  # the default Extension:ORES checkout of this generation
    php_modules: tuple[str, ...]  # `php -m` names it needs besides MediaWiki's usual ones
    debian_php_packages: tuple[str, ...]


GENERATIONS: dict[str, Generation] = {
    g.name: g
    for g in (
        Generation(
            "1.43",
            "MediaWiki 1.43 (Debian 13's package, unpacked in the cache)",
            None,
            VENDOR_DIR / "ORES-REL1_43",
            ("gmp",),
            ("php-gmp",),
        ),
        Generation(
            "1.39",
            "MediaWiki 1.39 (Debian 12's package)",
            Path("/usr/share/mediawiki"),
            VENDOR_DIR / "ORES",
            (),
            (),
        ),
    )
}
DEFAULT_GENERATION = "1.43"


def generation(name: str) -> Generation:
    try:
        return GENERATIONS[name]
    except KeyError:
        raise BadInput(
            f"unknown MediaWiki generation {name!r}; the farm has: {', '.join(GENERATIONS)}"
        ) from None


def choose_generation(option: str | None, remembered: str | None) -> Generation:
    """``--mediawiki``, else the one the farm remembers, else the default (1.43)."""
    return generation(option or remembered or DEFAULT_GENERATION)


def mediawiki_tree(
    gen: Generation,
    mediawiki_dir: Path | None,
    *,
    allow_install: bool,
    log: Callable[[str], None],
) -> Path:
    """The MediaWiki tree the farm serves, made ready: ``--mediawiki-dir``, else Debian 12's
    package (1.39), else Debian 13's package unpacked in the cache (1.43, fetched on first use
    unless ``allow_install`` is false). PHP and its modules are checked (and installed with
    apt-get when allowed) either way."""
    notes: list[str] = []
    packaged = mediawiki_dir or gen.packaged_dir  # None: the cache
    ensure_mediawiki(
        packaged,
        allow_install=allow_install,
        log=notes,
        extra_modules=gen.php_modules,
        extra_packages=gen.debian_php_packages,
    )
    for note in notes:
        log(note)
    if packaged is not None:
        return packaged
    tree = debian_archive.tree_dir()
    if not debian_archive.tree_version(tree) and not allow_install:
        raise EnvironmentProblem(
            f"MediaWiki {gen.name} is not in the cache ({tree}); fetch it with "
            f"`smoke testbed fetch` (or run `up` without --no-install)"
        )
    return debian_archive.ensure_tree(log=log)
