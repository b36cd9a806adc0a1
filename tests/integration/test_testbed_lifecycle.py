"""`smoke testbed up|status|down|fault` through the CLI: a farm of its own from an empty state
directory, reuse, repair, status, secrets, a clean `down`, and bad input that leaves things as
they were.

This file takes its farm down, so it never uses the shared session farm; it starts one farm of its
own (module scope) on free ports. The tests run in file order and the last one stops the farm; each
is still correct on its own (e.g. when pytest-xdist hands them to different workers).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import signal
import socket
import stat
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from smoke.cli import main as cli
from smoke.testbed import farm
from smoke.testbed.state import FarmState, load_state
from tests.integration.conftest import free_port_block
from tests.integration.host_helpers import listening_ports

FARM_SIZE = len(farm.WIKI_SPECS) + 1  # scoring service + wikis
UP_BUDGET = 60.0  # seconds for `up` from an empty state directory


def quiet(_msg: str) -> None:
    pass


def run_testbed(state_dir: Path, *args: str) -> int:
    return cli.main(["testbed", "--state-dir", str(state_dir), *args])


def random_port_block() -> int:
    """A free block away from the session farm's 18000+, spread so parallel sessions rarely meet."""
    return free_port_block(FARM_SIZE, start=random.randrange(20000, 29000, 10))


# --- what /proc says ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    pgid: int
    state: str
    cmdline: str


def processes() -> list[Proc]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(Proc(int(entry.name), int(fields[2]), fields[0], cmdline))
    return found


def farm_processes(pgids: set[int], ports: set[int]) -> list[Proc]:
    """Live processes in one of ``pgids``, or serving one of ``ports`` by their command line."""
    marks = [f"127.0.0.1:{p} " for p in ports] + [f"--port {p} " for p in ports]
    return [
        p
        for p in processes()
        if p.state != "Z" and (p.pgid in pgids or any(m in p.cmdline + " " for m in marks))
    ]


def pgids(state: FarmState) -> dict[str, int | None]:
    return {"service": state.service.pgid, **{w.id: w.pgid for w in state.wikis.values()}}


def farm_ports(base: int) -> set[int]:
    return set(range(base, base + FARM_SIZE))


def answers(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        return int(response.status)


def one_sentence(err: str) -> str:
    """The error output: exactly one line, prefixed, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("smoke testbed: "), err
    assert "Traceback" not in err
    return lines[0]


# --- the farm of this file ---------------------------------------------------------------------


@dataclass
class Lifecycle:
    state_dir: Path
    base: int
    exit_code: int
    seconds: float


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lifecycle]:
    state_dir = tmp_path_factory.mktemp("lifecycle")
    assert list(state_dir.iterdir()) == []
    base = random_port_block()
    started = time.monotonic()
    code = run_testbed(state_dir, "up", "--base-port", str(base), "--no-install")
    seconds = time.monotonic() - started
    try:
        yield Lifecycle(state_dir, base, code, seconds)
    finally:
        farm.down(state_dir, log=quiet)  # safety net; test_down checks the real thing


def test_up_from_an_empty_state_dir(
    lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        print(f"\n[testbed] `up` from an empty state dir took {lifecycle.seconds:.1f} s")
    assert lifecycle.exit_code == 0
    assert lifecycle.seconds <= UP_BUDGET
    state = load_state(lifecycle.state_dir)
    assert state.base_port == lifecycle.base
    assert {w.id: w.port for w in state.wikis.values()} == {
        spec.id: lifecycle.base + offset for offset, spec in enumerate(farm.WIKI_SPECS, start=1)
    }
    assert all(pgids(state).values())
    assert farm_ports(lifecycle.base) <= listening_ports()
    for wiki in state.wikis.values():
        assert answers(wiki.url + "/index.php?title=Special:RecentChanges") == 200
    assert answers(state.service_url + "/health") == 200
    # The state dir and its secrets are private.
    assert stat.S_IMODE(lifecycle.state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((lifecycle.state_dir / "secrets").stat().st_mode) == 0o700


def test_secrets_stay_secret(lifecycle: Lifecycle) -> None:
    state = load_state(lifecycle.state_dir)
    wiki = state.wikis["enwiki"]
    # Log in once, so the password has travelled through the farm at least once.
    cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    jar = urllib.request.build_opener(cookies)
    with jar.open(f"{wiki.url}/api.php?action=query&meta=tokens&type=login&format=json") as r:
        token = json.load(r)["query"]["tokens"]["logintoken"]
    form = urlencode(
        {
            "action": "clientlogin",
            "username": wiki.account,
            "password": wiki.password(),
            "logintoken": token,
            "loginreturnurl": wiki.url + "/",
            "format": "json",
        }
    ).encode()
    with jar.open(f"{wiki.url}/api.php", form) as r:
        assert json.load(r)["clientlogin"]["status"] == "PASS"

    passwords = {w.id: w.password() for w in state.wikis.values()}
    assert len(set(passwords.values())) == len(passwords)  # one per wiki
    for w in state.wikis.values():
        path = Path(w.password_file)
        assert path.parent == lifecycle.state_dir / "secrets"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(passwords[w.id]) >= 16
    for admin in (lifecycle.state_dir / "secrets").glob("*.admin"):
        assert stat.S_IMODE(admin.stat().st_mode) == 0o600

    state_json = (lifecycle.state_dir / "state.json").read_text(encoding="utf-8")
    logs = sorted((lifecycle.state_dir / "logs").iterdir())
    assert logs, "the farm writes logs"
    # Nowhere outside secrets/: not in state.json, logs/, settings, caches or the wiki databases.
    files = [
        p
        for p in lifecycle.state_dir.rglob("*")
        if p.is_file() and "secrets" not in p.relative_to(lifecycle.state_dir).parts
    ]
    for secret in passwords.values():
        assert secret not in state_json
        for path in files:
            assert secret.encode() not in path.read_bytes(), path
    # Nor on a command line of the farm's processes (`ps` shows those to every user).
    for proc in farm_processes({p for p in pgids(state).values() if p}, set()):
        assert not any(secret in proc.cmdline for secret in passwords.values()), proc


def test_status_json_via_the_cli(lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run_testbed(lifecycle.state_dir, "status", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["state_dir"] == str(lifecycle.state_dir)
    assert report["service"] == {"url": f"http://127.0.0.1:{lifecycle.base}", "answers": True}
    # Which ORES: the real extension when a checkout is found ($SMOKE_ORES_EXTENSION, else the
    # generation's vendored copy), else the imitation (test_real_ores.py covers the real one).
    state = load_state(lifecycle.state_dir)
    runs = "extension" if state.ores_extension else "fallback"
    assert report["ores"]["runs"] == runs
    # Which MediaWiki: the default generation, 1.43.
    assert report["mediawiki"]["generation"] == "1.43"
    assert report["mediawiki"]["version"].startswith("1.43.")
    wikis = {w["id"]: w for w in report["wikis"]}
    assert set(wikis) == {spec.id for spec in farm.WIKI_SPECS}
    for offset, spec in enumerate(farm.WIKI_SPECS, start=1):
        assert wikis[spec.id] == {
            "id": spec.id,
            "url": f"http://127.0.0.1:{lifecycle.base + offset}",
            "answers": True,
            "faults": {},
            "ores": list(spec.ores),
            "ores_runtime": runs if spec.ores else "none",
            "ores_levels": {m: list(levels) for m, levels in spec.ores_levels.items()},
        }
    assert wikis["nooreswiki"]["ores"] == [] and wikis["nooreswiki"]["ores_levels"] == {}
    # The human-readable form says the same.
    assert run_testbed(lifecycle.state_dir, "status") == 0
    text = capsys.readouterr().out
    assert text.count("answers") == FARM_SIZE and "DOWN" not in text
    assert text.startswith("MediaWiki: 1.43.") and "\nORES: " in text
    assert "goodfaith: likelygood,maybebad,likelybad,verylikelybad" in text  # ruwiki


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("dewiki", "js-error", "on"), ["'dewiki'", "enwiki", "ruwiki"]),
        (("enwiki", "meltdown", "on"), ["'meltdown'", "null-threshold-crash", "slow"]),
        (
            ("enwiki", "level-null", "on", "--model", "goodfaith", "--level", "verylikelybad"),
            ["enwiki does not offer goodfaith verylikelybad"],
        ),
        (
            ("ruwiki", "level-null", "on", "--model", "reverted", "--level", "likelybad"),
            ["'reverted'", "damaging"],
        ),
        (("ruwiki", "level-null", "on"), ["--model", "--level"]),
    ],
    ids=["unknown-wiki", "unknown-fault", "level-not-offered", "unknown-model", "no-level"],
)
def test_fault_with_an_unknown_name(
    lifecycle: Lifecycle,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    names: list[str],
) -> None:
    before = (lifecycle.state_dir / "state.json").read_bytes()
    faults_before = {
        p: p.read_bytes() for p in (lifecycle.state_dir / "wikis").glob("*/faults.json")
    }
    capsys.readouterr()
    assert run_testbed(lifecycle.state_dir, "fault", *args) == 4
    message = one_sentence(capsys.readouterr().err)
    for name in names:
        assert name in message
    assert (lifecycle.state_dir / "state.json").read_bytes() == before
    assert {p: p.read_bytes() for p in faults_before} == faults_before
    assert run_testbed(lifecycle.state_dir, "status") == 0  # everything still answers


def test_second_up_reuses_the_running_farm(
    lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str]
) -> None:
    before = pgids(load_state(lifecycle.state_dir))
    capsys.readouterr()
    started = time.monotonic()
    assert run_testbed(lifecycle.state_dir, "up", "--no-install") == 0
    seconds = time.monotonic() - started
    out = capsys.readouterr().out
    with capsys.disabled():
        print(f"\n[testbed] second `up` (reuse) took {seconds:.1f} s")
    assert pgids(load_state(lifecycle.state_dir)) == before
    assert "starting" not in out and "installing" not in out, out
    assert "ORES: " in out, out  # `up` says which ORES the wikis run
    assert seconds < 30


def test_up_with_a_directory_that_is_no_ores_checkout(
    lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = (lifecycle.state_dir / "state.json").read_bytes()
    capsys.readouterr()
    code = run_testbed(lifecycle.state_dir, "up", "--no-install", "--ores-extension", str(tmp_path))
    assert code == 4
    message = one_sentence(capsys.readouterr().err)
    assert str(tmp_path) in message and "git clone" in message
    assert (lifecycle.state_dir / "state.json").read_bytes() == before


def test_up_repairs_a_killed_wiki(lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str]) -> None:
    state = load_state(lifecycle.state_dir)
    before = pgids(state)
    victim = state.wikis["ruwiki"]
    old_pgid = victim.pgid
    assert old_pgid
    os.killpg(old_pgid, signal.SIGKILL)  # by hand: the master and its workers
    deadline = time.monotonic() + 10
    while victim.port in listening_ports() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert victim.port not in listening_ports()

    # While something else holds the dead wiki's port, `up` refuses and changes nothing.
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers
        squatter.bind(("127.0.0.1", victim.port))
        squatter.listen()
        capsys.readouterr()
        assert run_testbed(lifecycle.state_dir, "up", "--no-install") == 5
        message = one_sentence(capsys.readouterr().err)
        assert str(victim.port) in message and "ruwiki" in message
        assert pgids(load_state(lifecycle.state_dir)) == before
    for wiki_id in ("enwiki", "frwiki", "nooreswiki"):
        assert answers(state.wikis[wiki_id].url + "/api.php") == 200

    assert run_testbed(lifecycle.state_dir, "up", "--no-install") == 0
    after = pgids(load_state(lifecycle.state_dir))
    assert after["ruwiki"] and after["ruwiki"] != before["ruwiki"]
    assert {k: v for k, v in after.items() if k != "ruwiki"} == {
        k: v for k, v in before.items() if k != "ruwiki"
    }
    assert answers(victim.url + "/index.php?title=Special:RecentChanges") == 200
    assert not farm_processes({old_pgid}, set())  # the old group is all gone


def test_down_leaves_no_process(lifecycle: Lifecycle, capsys: pytest.CaptureFixture[str]) -> None:
    state = load_state(lifecycle.state_dir)
    recorded = {p for p in pgids(state).values() if p}
    assert len(recorded) == FARM_SIZE
    ports = farm_ports(lifecycle.base)
    assert farm_processes(recorded, ports)  # there is something to stop

    started = time.monotonic()
    assert run_testbed(lifecycle.state_dir, "down") == 0
    seconds = time.monotonic() - started
    assert farm_processes(recorded, ports) == []
    assert not ports & listening_ports()
    assert all(p is None for p in pgids(load_state(lifecycle.state_dir)).values())
    assert seconds < 15

    # Status now says the farm is down (exit 1); a second `down` is harmless.
    capsys.readouterr()
    assert run_testbed(lifecycle.state_dir, "status", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["service"]["answers"] is False
    assert not any(w["answers"] for w in report["wikis"])
    assert run_testbed(lifecycle.state_dir, "down") == 0


# --- bad input with no farm at all ------------------------------------------------------------


def test_fault_and_status_before_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_testbed(empty, "fault", "enwiki", "slow", "on", "--delay", "3") == 4
    message = one_sentence(capsys.readouterr().err)
    assert "smoke testbed up" in message
    assert run_testbed(empty, "status") == 4
    assert "smoke testbed up" in one_sentence(capsys.readouterr().err)
    assert run_testbed(empty, "down") == 0  # nothing to stop is not an error
    assert "nothing to stop" in capsys.readouterr().out
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("offset", [0, 2], ids=["service-port", "ruwiki-port"])
def test_up_on_a_taken_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offset: int
) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    base = random_port_block()
    taken = base + offset
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        assert run_testbed(fresh, "up", "--base-port", str(base), "--no-install") == 5
        message = one_sentence(capsys.readouterr().err)
        assert str(taken) in message and "--base-port" in message
        others = farm_ports(base) - {taken}
        assert not others & listening_ports()
        assert farm_processes(set(), others) == []
    assert list(fresh.iterdir()) == []  # no state, no secrets, no wikis


def test_up_without_mediawiki(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "fresh"
    code = run_testbed(
        fresh,
        "up",
        "--mediawiki-dir",
        "/nonexistent",
        "--no-install",
        "--base-port",
        str(random_port_block()),
    )
    assert code == 5
    message = one_sentence(capsys.readouterr().err)
    assert "/nonexistent" in message and "--mediawiki-dir" in message
    assert not fresh.exists()
