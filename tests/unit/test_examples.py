"""The ready-made jobs stay in step with the CLI and with how GitLab runs them: every smoke
command in them parses, the GitLab pipeline keeps its artifacts inside the project directory
and hands the before-run to smoke-after, nothing runs the test suite on the deploy path, and
each example says what to change for a real setup. (Running them: tests/integration/
test_examples_run.py.)"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from smoke.cli.main import build_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GITLAB = EXAMPLES / "gitlab-ci-post-deploy.yml"
# A command (line start, or after `&&`, `||`, `;`, `!`): `smoke` on PATH (the GitLab jobs),
# "$smoke" (the scripts) or a venv's smoke, then what it is asked to do.
SMOKE_CALL = re.compile(
    r'(?:^|&&|\|\||;|!)\s*(?:"\$smoke"|\S*\.venv/bin/smoke|smoke) '
    r"((?:run|diff|report)\b[^|;&\n>#]*)",
    re.MULTILINE,
)
# Words that stand for several words or none: the caller's arguments, SMOKE_ARGS.
SPREAD = ('"$@"', '"${extra_args[@]}"', "$SMOKE_ARGS")


def gitlab_jobs() -> dict[str, Any]:
    jobs: dict[str, Any] = yaml.safe_load(GITLAB.read_text())
    return jobs


def job_script(name: str) -> list[str]:
    """before_script + script of a job, its `extends` resolved as GitLab does (one level)."""
    jobs = gitlab_jobs()
    job = jobs[name]
    base = jobs.get(job.get("extends", ""), {})
    before = job.get("before_script", base.get("before_script", []))
    return [*before, *job["script"]]


def shell_code(path: Path) -> str:
    """The commands of an example, without comments; continuation lines joined."""
    if path.suffix in (".yml", ".yaml"):
        lines = [
            line
            for name in gitlab_jobs()
            if "script" in gitlab_jobs()[name]
            for line in job_script(name)
        ]
        text = "\n".join(lines)
    else:
        text = path.read_text()
    text = text.replace("\\\n", " ")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def smoke_commands() -> list[tuple[str, str]]:
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file() and path.suffix != ".md":
            for match in SMOKE_CALL.finditer(shell_code(path)):
                found.append((path.name, match.group(1).strip()))
    return found


def test_examples_call_smoke_run_diff_and_report() -> None:
    commands = " ".join(f"{where}:{command.split()[0]}" for where, command in smoke_commands())
    for expected in (
        "gitlab-ci-post-deploy.yml:run",
        "gitlab-ci-post-deploy.yml:diff",
        "deploy-hook.sh:run",
        "deploy-hook.sh:diff",
        "smoke-nightly.sh:run",
        "smoke-nightly.sh:diff",
        "smoke-nightly.sh:report",
    ):
        assert expected in commands


@pytest.mark.parametrize(("where", "command"), smoke_commands())
def test_every_smoke_command_in_the_examples_parses(where: str, command: str) -> None:
    words = []
    for word in shlex.split(command.replace("|| code=$?", "").replace("|| true", ""), posix=False):
        if word in SPREAD:
            continue
        words.append(re.sub(r'"?\$\{?[A-Za-z_][A-Za-z_0-9:?\-]*[^ ]*', "X", word).strip('"'))
    try:
        build_parser().parse_args(words)
    except SystemExit as exc:  # argparse: unknown option or bad value
        pytest.fail(f"{where}: `smoke {command}` does not parse ({exc})")


@pytest.mark.parametrize("script", sorted(EXAMPLES.rglob("*.sh")), ids=lambda p: p.name)
def test_shell_scripts_are_valid_bash(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_gitlab_artifacts_stay_inside_the_project_directory() -> None:
    # GitLab collects artifacts only from paths relative to $CI_PROJECT_DIR.
    jobs = gitlab_jobs()
    for name in ("smoke-before", "smoke-after"):
        artifacts = jobs[name].get("artifacts", jobs[".smoke"]["artifacts"])
        paths = [*artifacts["paths"], *artifacts.get("reports", {}).values()]
        for path in paths:
            pure = PurePosixPath(path)
            assert not pure.is_absolute() and ".." not in pure.parts, f"{name}: {path}"
            assert "$" not in path, f"{name}: {path} (artifact paths: no variables)"
    assert jobs["smoke-after"]["artifacts"]["reports"]["junit"] == "reports/after/junit.xml"


def test_gitlab_baseline_travels_from_smoke_before_to_smoke_after() -> None:
    jobs = gitlab_jobs()
    before = " ".join(job_script("smoke-before"))
    after = " ".join(job_script("smoke-after"))
    assert "--reports-dir reports --run-id before" in before
    assert "--baseline reports/before" in after
    # smoke-after receives smoke-before's reports/ only through `needs` (artifacts: true).
    assert jobs["smoke-after"]["needs"] == ["smoke-before", "deploy"]
    assert "reports/" in jobs[".smoke"]["artifacts"]["paths"]
    assert jobs[".smoke"]["artifacts"]["when"] == "always"
    # Defects already there before the deploy do not hold the deploy; bad configuration does.
    assert jobs["smoke-before"]["allow_failure"] == {"exit_codes": [1, 3]}


def test_no_test_suite_on_the_deploy_path() -> None:
    for name, job in gitlab_jobs().items():
        if "script" in job or name == ".smoke":
            text = " ".join(job.get("before_script", []) + job.get("script", []))
            assert "pytest" not in text and "run tests" not in text, name


def test_gitlab_target_and_smoke_install_come_from_variables() -> None:
    variables = gitlab_jobs()[".smoke"]["variables"]
    assert variables["SMOKE_TARGET"] == "beta"
    assert {"SMOKE_ARGS", "SMOKE_DIR", "SMOKE_REPO", "SMOKE_REF", "SMOKE_CONFIG"} <= set(variables)
    script = "\n".join(job_script("smoke-before"))
    # The clone and the setup are skipped when SMOKE_DIR already holds an installed smoke.
    assert 'if [ ! -x "$SMOKE_DIR/.venv/bin/smoke" ]' in script
    assert '--target "$SMOKE_TARGET"' in script


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(EXAMPLES.rglob("*")) if p.is_file() and p.name != "README.md"],
    ids=lambda p: p.name,
)
def test_each_example_says_what_to_change_for_a_real_setup(path: Path) -> None:
    header = path.read_text()[:3000]
    assert re.search(r"what to change|change for a real setup", header, re.IGNORECASE), path.name
    assert re.search(r"test", header, re.IGNORECASE), f"{path.name}: say how it is tested"


def test_systemd_units_have_their_sections() -> None:
    service = (EXAMPLES / "nightly" / "smoke-nightly.service").read_text()
    timer = (EXAMPLES / "nightly" / "smoke-nightly.timer").read_text()
    assert "[Service]" in service and "ExecStart=" in service and "SuccessExitStatus=1 3" in service
    assert "[Timer]" in timer and "OnCalendar=" in timer and "[Install]" in timer


def test_cron_line_and_unit_run_the_same_script_with_the_same_environment() -> None:
    service = (EXAMPLES / "nightly" / "smoke-nightly.service").read_text()
    cron = [
        line
        for line in (EXAMPLES / "nightly" / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(cron) == 1
    fields = cron[0].split(maxsplit=5)
    assert fields[:5] == ["15", "3", "*", "*", "*"]
    exec_start = re.search(r"^ExecStart=(\S+)", service, re.MULTILINE)
    env_file = re.search(r"^EnvironmentFile=(\S+)", service, re.MULTILINE)
    assert exec_start and env_file
    assert exec_start.group(1) in fields[5] and f". {env_file.group(1)}" in fields[5]
    assert "%" not in fields[5]  # cron would turn it into a newline
