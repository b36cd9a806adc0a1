"""`smoke watch` refuses bad usage as `smoke run` does (exit 4, one sentence), before a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.cli.main import main
from smoke.model.exit_codes import ExitCode

CONFIG = """\
targets:
  staging:
    url: "http://127.0.0.1:9/{id}"
    wikis:
      - {id: enwiki, ores: [damaging, goodfaith]}
      - {id: nooreswiki, ores: []}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "wikis.yaml"
    path.write_text(CONFIG)
    return path


def watch(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> tuple[int, str]:
    try:
        code = main(["watch", "--config", str(config), "--target", "staging", *argv])
    except SystemExit as exc:  # argparse's own errors and --help
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--every", "0s"), "--every: '0s': a duration must be more than 0"),
        (("--every", "soon"), "--every: 'soon' is not a duration"),
        (("--for", "5 days"), "--for: '5 days' is not a duration"),
        (("--workers", "0"), "--workers: '0': must be at least 1"),
        (("--wiki", "nomatch*"), "matches no check of target 'staging'"),
        (("--wiki", "nooreswiki", "--variant", "damaging=*"), "all skipped"),
        (("-k", "enwiki and ("), "is not a valid expression"),
        (("--shard", "1/2"), "unrecognized arguments: --shard"),
        (("--retries", "-1"), "--retries"),
        (("--rounds", "0"), "--rounds: '0': must be at least 1"),
    ],
)
def test_bad_usage_exits_4_with_one_sentence(
    capsys: pytest.CaptureFixture[str], config: Path, argv: tuple[str, ...], expected: str
) -> None:
    code, output = watch(capsys, config, *argv)
    assert code == ExitCode.USAGE, output
    assert expected in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_an_unwritable_reports_dir_is_refused(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    code, output = watch(capsys, config, "--reports-dir", str(blocked / "reports"))
    assert code == ExitCode.USAGE
    assert "cannot create it" in output


def test_help_names_every_exit_code(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, output = watch(capsys, config, "--help")
    assert code == 0
    for option in ("--every", "--for", "--exit-on-failure", "--wiki", "-k", "--workers"):
        assert option in output
    exit_lines = output.split("exit codes:", 1)[1].splitlines()
    assert [line.split()[0] for line in exit_lines if line.strip()] == [
        "0",
        "1",
        "2",
        "3",
        "4",
        "130",
    ]
    assert "passed in the last round" in output  # 2: recovered
