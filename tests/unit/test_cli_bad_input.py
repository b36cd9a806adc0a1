"""Bad configuration and usage: one clear message naming file, line and field; exit 4; no traceback.

These run the real CLI in-process; configuration errors stop it before any browser or farm.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smoke.cli.main import main
from smoke.model.exit_codes import ExitCode
from smoke.testbed import farm
from smoke.testbed.state import FarmState, ProcessState, WikiState, save_state

GOOD = """\
targets:
  staging:
    url: "http://127.0.0.1:9/{id}"
    login: {username_env: SMOKE_TEST_USER, password_env: SMOKE_TEST_PASSWORD}
    contributions_user: Alice
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
      - {id: ruwiki, ores: [damaging]}
"""


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKE_TEST_USER", "Someone")
    monkeypatch.setenv("SMOKE_TEST_PASSWORD", "not-a-real-password")


@pytest.mark.parametrize(
    ("config_text", "expected"),
    [
        ("targets:\n  staging:\n    url: a: b\n    wikis: []\n", ["wikis.yaml:3", "YAML"]),
        (
            GOOD.replace("contributions_user", "contribution_user"),
            ["wikis.yaml:5", "contribution_user", "contributions_user"],
        ),
        (GOOD.replace("[damaging]}", "yes}"), ["wikis.yaml:8", "ores"]),
        (GOOD.replace("[damaging]}", "[damagin]}"), ["wikis.yaml:8", "damagin", "damaging"]),
        (GOOD.replace("ruwiki", "enwiki"), ["wikis.yaml:8", "duplicate", "enwiki"]),
        (
            GOOD
            + "variants:\n  - {name: x, pages: [recentchanges], params: {damaging: likleybad}}\n",
            ["wikis.yaml:10", "likleybad", "likelybad"],
        ),
        (
            GOOD + "variants:\n  - {name: x, pages: [recentchange], params: {}}\n",
            ["wikis.yaml:10", "recentchange", "recentchanges"],
        ),
    ],
    ids=[
        "yaml-syntax",
        "unknown-key",
        "wrong-type",
        "unknown-ores-model",
        "duplicate-wiki",
        "unknown-ores-value",
        "unknown-page-in-yaml",
    ],
)
def test_bad_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str, expected: list[str]
) -> None:
    config = write(tmp_path, config_text)
    for command in (["run"], ["list"], ["validate"]):
        extra = ["--target", "staging"] if command != ["validate"] else []
        code, output = run_cli(capsys, *command, "--config", str(config), *extra)
        assert code == ExitCode.USAGE, (command, output)
        assert "Traceback" not in output
        assert len(output.strip().splitlines()) == 1, output
        for text in expected:
            assert text in output, (text, output)


def test_missing_credentials_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMOKE_TEST_PASSWORD")
    code, output = run_cli(
        capsys, "run", "--config", str(write(tmp_path, GOOD)), "--target", "staging"
    )
    assert code == ExitCode.USAGE
    assert "SMOKE_TEST_PASSWORD" in output and "wikis.yaml:4" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--wiki", "dewiki"], ["dewiki", "enwiki"]),
        (["--wiki", "zz*"], ["matches no"]),
        (["--page", "recentchange"], ["recentchange", "recentchanges"]),
        (["--variant", "damaging=likleybad"], ["damaging=likleybad"]),
        (["--target", "stagign"], ["stagign", "staging"]),
    ],
    ids=["unknown-wiki", "empty-glob", "unknown-page", "unknown-variant", "unknown-target"],
)
def test_bad_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: list[str]
) -> None:
    config = write(tmp_path, GOOD)
    target = [] if "--target" in args else ["--target", "staging"]
    code, output = run_cli(capsys, "list", "--config", str(config), *target, *args)
    assert code == ExitCode.USAGE, output
    assert "Traceback" not in output
    for text in expected:
        assert text in output, (text, output)


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_cli(capsys, "run", "--config", str(tmp_path / "nope.yaml"))
    assert code == ExitCode.USAGE
    assert "nope.yaml" in output and "Traceback" not in output


def test_local_target_without_a_farm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_cli(capsys, "run", "--testbed-dir", str(tmp_path / "no-farm"))
    assert code == ExitCode.USAGE
    assert "smoke testbed up" in output and "Traceback" not in output


def test_list_expands_local_target_from_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`smoke list` reads the farm's state file and needs no browser and no running farm."""
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state = FarmState(state_dir=str(state_dir), base_port=9000, service=ProcessState(port=9000))
    for offset, spec in enumerate(farm.WIKI_SPECS, start=1):
        state.wikis[spec.id] = WikiState(
            id=spec.id,
            lang=spec.lang,
            sitename=spec.sitename,
            url=f"http://127.0.0.1:{9000 + offset}",
            port=9000 + offset,
            pgid=None,
            ores=list(spec.ores),
            account="SmokeCheck",
            password_file=str(state_dir / "secrets" / f"{spec.id}.password"),
            contributions_user="Alice",
        )
    save_state(state)
    code, output = run_cli(
        capsys,
        "list",
        "--testbed-dir",
        str(state_dir),
        "--wiki",
        "ruwiki",
        "--page",
        "recentchanges",
        "--variant",
        "damaging=likelybad",
    )
    assert code == 0
    assert (
        "ruwiki/recentchanges/damaging=likelybad  http://127.0.0.1:9002/index.php?"
        "title=Special:RecentChanges&damaging=likelybad" in output
    )
