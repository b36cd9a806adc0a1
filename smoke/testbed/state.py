"""The farm's state file: which wikis run where, under which process groups, with which faults.

Secrets are not in it: each wiki's smoke-account password lives in ``secrets/<wiki>.password``
(mode 0600) and the state only names that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
STATE_VERSION = 3  # 2: ores_extension, per-wiki ores_levels and ores_runtime; 3: mediawiki
# A state file from before version 3 is a farm of Debian 12's MediaWiki 1.39.
MEDIAWIKI_BEFORE_V3 = "1.39"
TREE_BEFORE_V3 = Path("/usr/share/mediawiki")  # ... served from Debian 12's package


def default_state_dir() -> Path:
    """``$SMOKE_TESTBED_DIR``, else ``$XDG_STATE_HOME/smoke/testbed`` (``~/.local/state/...``)."""
    explicit = os.environ.get("SMOKE_TESTBED_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "smoke" / "testbed"


@dataclass
class ProcessState:
    port: int
    pgid: int | None = None  # process group of the server; None when it is not running


@dataclass
class WikiState:
    id: str
    lang: str
    sitename: str
    url: str
    port: int
    pgid: int | None
    ores: list[str]
    account: str  # the smoke account's user name
    password_file: str  # path of the 0600 file holding its password
    contributions_user: str
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    # model -> the ORES levels the wiki offers (from smoke.testbed.wikis); {} without ORES.
    ores_levels: dict[str, list[str]] = field(default_factory=dict)
    # What serves ORES on the wiki since the last `up`: "extension", "fallback" or "none".
    ores_runtime: str = ""

    @property
    def dir(self) -> Path:
        return Path(self.password_file).parent.parent / "wikis" / self.id

    def password(self) -> str:
        return Path(self.password_file).read_text(encoding="utf-8").strip()


@dataclass
class FarmState:
    state_dir: str
    base_port: int
    service: ProcessState
    wikis: dict[str, WikiState] = field(default_factory=dict)
    version: int = STATE_VERSION
    # The Extension:ORES checkout the wikis load; None: the bundled imitation (SmokeOres).
    ores_extension: str | None = None
    # The generation ("1.43" or "1.39", smoke.testbed.generations) and the MediaWiki tree served.
    mediawiki: str = ""
    mediawiki_dir: str = ""
    # Whether the wikis' ORES asks Lift Wing (REL1_43's $wgOresUseLiftwing) or the ORES v3 API.
    ores_liftwing: bool = False

    @property
    def tree(self) -> Path:
        """The MediaWiki tree the farm's wikis run."""
        return Path(self.mediawiki_dir) if self.mediawiki_dir else TREE_BEFORE_V3

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FarmState:
        return cls(
            state_dir=data["state_dir"],
            base_port=data["base_port"],
            service=ProcessState(**data["service"]),
            wikis={k: WikiState(**v) for k, v in data.get("wikis", {}).items()},
            version=data.get("version", STATE_VERSION),
            ores_extension=data.get("ores_extension"),
            mediawiki=data.get("mediawiki", MEDIAWIKI_BEFORE_V3),
            mediawiki_dir=data.get("mediawiki_dir", ""),
            ores_liftwing=data.get("ores_liftwing", False),
        )


class NoFarm(Exception):
    """There is no farm state in the given directory."""


def load_state(state_dir: Path | None = None) -> FarmState:
    directory = state_dir or default_state_dir()
    path = directory / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoFarm(
            f"no testbed farm in {directory} (no {STATE_FILE}); run `smoke testbed up` first"
        ) from None
    except json.JSONDecodeError as exc:
        raise NoFarm(
            f"{path} is not valid JSON ({exc}); run `smoke testbed up` to repair"
        ) from None
    return FarmState.from_dict(data)


def save_state(state: FarmState) -> None:
    path = Path(state.state_dir) / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(state.to_json() + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: readers never see half a file


def write_faults_file(wiki: WikiState) -> None:
    """The per-wiki faults.json that the PHP side and the scoring service read per request.

    ORES caches thresholds in the object cache for a day; the wiki's settings put a checksum of
    this file into ``$wgOresCacheVersion``, part of that cache key, so a switch is never hidden.
    """
    wiki.dir.mkdir(parents=True, exist_ok=True)
    target = wiki.dir / "faults.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(wiki.faults, sort_keys=True), encoding="utf-8")
    tmp.replace(target)
    (wiki.dir / "flaky-counter").unlink(missing_ok=True)  # the flaky fault starts afresh
