"""The ready-made jobs stay in step with the CLI: every smoke command in them parses, the shell
scripts are valid bash, the CI file is valid YAML and the systemd units have their sections."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from smoke.cli.main import build_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SMOKE_CALL = re.compile(r"(?:\.venv/bin/|/srv/smoke/\.venv/bin/)smoke ([^|;&\n>#]+)")


def smoke_commands() -> list[tuple[str, str]]:
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file():
            for match in SMOKE_CALL.finditer(path.read_text()):
                found.append((path.name, match.group(1).strip()))
    return found


def test_examples_exist_and_mention_smoke() -> None:
    assert len(smoke_commands()) >= 6


@pytest.mark.parametrize(("where", "command"), smoke_commands())
def test_every_smoke_command_in_the_examples_parses(where: str, command: str) -> None:
    words = [re.sub(r"\$\{?[A-Za-z_][A-Za-z_0-9:?]*[^ ]*", "X", w) for w in shlex.split(command)]
    words = [w.replace('"', "") for w in words if w not in ("||", "true")]
    try:
        build_parser().parse_args(words)
    except SystemExit as exc:  # argparse: unknown option or bad value
        pytest.fail(f"{where}: `smoke {command}` does not parse ({exc})")


@pytest.mark.parametrize("script", sorted(EXAMPLES.rglob("*.sh")), ids=lambda p: p.name)
def test_shell_scripts_are_valid_bash(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_gitlab_job_is_valid_yaml_with_junit_report() -> None:
    job = yaml.safe_load((EXAMPLES / "gitlab-ci-post-deploy.yml").read_text())
    assert job["smoke-after"]["needs"] == ["smoke-before", "deploy"]
    assert "--baseline" in " ".join(job["smoke-after"]["script"])
    assert job[".smoke"]["artifacts"]["reports"]["junit"].endswith("junit.xml")


def test_systemd_units_have_their_sections() -> None:
    service = (EXAMPLES / "nightly" / "smoke-nightly.service").read_text()
    timer = (EXAMPLES / "nightly" / "smoke-nightly.timer").read_text()
    assert "[Service]" in service and "ExecStart=" in service and "SuccessExitStatus=1 3" in service
    assert "[Timer]" in timer and "OnCalendar=" in timer and "[Install]" in timer
