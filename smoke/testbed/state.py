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
STATE_VERSION = 1


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
    """The per-wiki faults.json that the PHP extension and the scoring service read per request."""
    wiki.dir.mkdir(parents=True, exist_ok=True)
    target = wiki.dir / "faults.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(wiki.faults), encoding="utf-8")
    tmp.replace(target)
    # Thresholds cached by the extension would hide a just-switched fault.
    (wiki.dir / "flaky-counter").unlink(missing_ok=True)  # the flaky fault starts afresh
    for cached in wiki.dir.glob("thresholds-*.json"):
        cached.unlink(missing_ok=True)
