"""Which ORES the farm's wikis run: a checkout of the real Extension:ORES, or the bundled imitation.

The checkout comes from ``smoke testbed up --ores-extension DIR``, else ``$SMOKE_ORES_EXTENSION``,
else the one the farm remembered in ``state.json`` (for the same MediaWiki generation), else the
generation's vendored copy beside the repository (``../shared/vendor/ORES-REL1_43`` for 1.43,
``../shared/vendor/ORES`` for 1.39); ``--ores-fallback`` forgets it. Without one the wikis run
SmokeOres (``assets/SmokeOres``), an imitation that behaves like the extension on everything smoke
checks. Get a checkout with
``git clone https://gerrit.wikimedia.org/r/mediawiki/extensions/ORES`` (``-b REL1_43`` for 1.43).

A checkout with ``includes/LiftWingService.php`` (REL1_43 and later) runs in Lift Wing mode: one
``POST`` per revision and model, and numeric thresholds in configuration.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.wikis import LEVEL_BOUNDS, ORES_LEVELS, ORES_MODELS

ENV_VAR = "SMOKE_ORES_EXTENSION"
CLONE_URL = "https://gerrit.wikimedia.org/r/mediawiki/extensions/ORES"

# What a wiki runs, as state.json and `testbed status` name it.
REAL = "extension"
FALLBACK = "fallback"
NO_ORES = "none"


@dataclass(frozen=True)
class OresCheckout:
    dir: Path
    version: str | None  # extension.json "version" (Extension:ORES has none)
    commit: str | None  # the git commit when the directory is a git checkout
    # OresFiltersThresholds of its extension.json, for damaging and goodfaith
    default_bounds: Mapping[str, Mapping[str, Any]]
    liftwing: bool = False  # it has LiftWingService.php: the farm runs it in Lift Wing mode
    branch: str | None = None  # the git branch, when the directory is a git checkout on one
    requires_mediawiki: str | None = None  # extension.json requires.MediaWiki, e.g. ">= 1.43"

    @property
    def api(self) -> str:
        return "Lift Wing" if self.liftwing else "ORES v3"

    def describe(self) -> str:
        what = [f"version {self.version}"] if self.version else []
        what.append(f"commit {self.commit[:12]}" if self.commit else "not a git checkout")
        if self.branch:
            what.append(f"branch {self.branch}")
        what.append(f"scores from {self.api}")
        return f"Extension:ORES at {self.dir} ({', '.join(what)})"

    def as_json(self) -> dict[str, str | None]:
        return {
            "dir": str(self.dir),
            "version": self.version,
            "commit": self.commit,
            "branch": self.branch,
            "api": "liftwing" if self.liftwing else "v3",
        }

    def supports(self, mediawiki: str) -> bool:
        """Whether its ``requires.MediaWiki`` (">= X.Y[.Z]") admits MediaWiki ``mediawiki``."""
        match = re.match(r"^\s*>=\s*(\d+)\.(\d+)", self.requires_mediawiki or "")
        if not match:
            return True  # no (or an unusual) constraint: let MediaWiki itself tell
        wanted = (int(match.group(1)), int(match.group(2)))
        have = tuple(int(part) for part in mediawiki.split(".")[:2])
        return have >= wanted

    def defaults_differ(self) -> list[str]:
        """Levels whose default bounds in this checkout differ from the farm's LEVEL_BOUNDS.

        The farm writes every level explicitly, so its wikis keep the levels of its table; a
        difference only means enwiki ("the extension's defaults") no longer mirrors this version.
        """
        differ = []
        for model in ORES_MODELS:
            for level in ORES_LEVELS:
                theirs = self.default_bounds.get(model, {}).get(level, False)
                ours = dict(LEVEL_BOUNDS[model][level])
                off = model == "goodfaith" and level == "verylikelybad"  # off by default
                if (theirs is False) != off or (theirs is not False and theirs != ours):
                    differ.append(f"{model}/{level}")
        return differ


def read_checkout(directory: Path) -> OresCheckout:
    """Describe an Extension:ORES checkout; ValueError (one sentence) when it is not one."""
    manifest = directory / "extension.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{directory} has no extension.json") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {manifest}: {exc}") from None
    if not isinstance(data, dict) or data.get("name") != "ORES":
        raise ValueError(f"{manifest} is not Extension:ORES (name: {data.get('name')!r})")
    config = data.get("config", {}).get("OresFiltersThresholds", {}).get("value", {})
    requires = data.get("requires", {})
    return OresCheckout(
        dir=directory,
        version=data.get("version"),
        commit=_git(directory, "rev-parse", "HEAD"),
        default_bounds={m: config.get(m, {}) for m in ORES_MODELS},
        liftwing=(directory / "includes" / "LiftWingService.php").is_file(),
        branch=_git(directory, "rev-parse", "--abbrev-ref", "HEAD"),
        requires_mediawiki=requires.get("MediaWiki") if isinstance(requires, dict) else None,
    )


def _git(directory: Path, *args: str) -> str | None:
    if not (directory / ".git").exists():
        return None
    result = subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    answer = result.stdout.strip()
    return answer if answer and answer != "HEAD" else None  # "HEAD": a detached checkout


def choose_checkout(
    option: Path | None,
    *,
    fallback: bool,
    remembered: str | None,
    environ: Mapping[str, str] = os.environ,
    default: Path | None = None,
) -> OresCheckout | None:
    """The checkout ``up`` loads, or None for the imitation. Raises a one-sentence error.

    An explicit choice (option, then the environment) that is not an ORES checkout is bad input;
    a remembered one that has disappeared is an environment problem. ``default`` (the
    generation's vendored copy) is used when nothing else is chosen and it is a checkout.
    """
    if fallback:
        return None
    explicit = option or (Path(environ[ENV_VAR]) if environ.get(ENV_VAR) else None)
    where = "--ores-extension" if option else f"${ENV_VAR}"
    if explicit is not None:
        try:
            return read_checkout(explicit.expanduser().resolve())
        except ValueError as exc:
            raise BadInput(f"{where}: {exc}; clone one with `git clone {CLONE_URL}`") from None
    if remembered:
        try:
            return read_checkout(Path(remembered))
        except ValueError as exc:
            raise EnvironmentProblem(
                f"the farm's ORES checkout is gone ({exc}); give another with --ores-extension "
                f"DIR, or use --ores-fallback for the imitation"
            ) from None
    if default is not None:
        try:
            return read_checkout(default.resolve())
        except ValueError:
            return None  # no vendored copy here: the imitation, and `up` says so
    return None


def describe_ores(checkout: OresCheckout | None) -> str:
    """Which ORES the wikis run, as `up` says it."""
    if checkout is None:
        return (
            "the wikis run the imitation SmokeOres: no Extension:ORES checkout given "
            f"(--ores-extension DIR or ${ENV_VAR}; get one with `git clone {CLONE_URL}`)"
        )
    return checkout.describe()
