"""Which ORES the farm's wikis run: a checkout of the real Extension:ORES, or the bundled imitation.

The checkout comes from ``smoke testbed up --ores-extension DIR``, else ``$SMOKE_ORES_EXTENSION``,
else the one the farm remembered in ``state.json``; ``--ores-fallback`` forgets it. Without one
the wikis run SmokeOres (``assets/SmokeOres``), an imitation that behaves like the extension on
everything smoke checks. Get a checkout with
``git clone https://gerrit.wikimedia.org/r/mediawiki/extensions/ORES``.
"""

from __future__ import annotations

import json
import os
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

    def describe(self) -> str:
        what = [f"version {self.version}"] if self.version else []
        what.append(f"commit {self.commit[:12]}" if self.commit else "not a git checkout")
        return f"Extension:ORES at {self.dir} ({', '.join(what)})"

    def as_json(self) -> dict[str, str | None]:
        return {"dir": str(self.dir), "version": self.version, "commit": self.commit}

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
    return OresCheckout(
        dir=directory,
        version=data.get("version"),
        commit=_git_commit(directory),
        default_bounds={m: config.get(m, {}) for m in ORES_MODELS},
    )


def _git_commit(directory: Path) -> str | None:
    if not (directory / ".git").exists():
        return None
    result = subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def choose_checkout(
    option: Path | None,
    *,
    fallback: bool,
    remembered: str | None,
    environ: Mapping[str, str] = os.environ,
) -> OresCheckout | None:
    """The checkout ``up`` loads, or None for the imitation. Raises a one-sentence error.

    An explicit choice (option, then the environment) that is not an ORES checkout is bad input;
    a remembered one that has disappeared is an environment problem.
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
    return None
