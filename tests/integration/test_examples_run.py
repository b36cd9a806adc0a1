"""The shipped examples run as they stand, against the local farm: the GitLab post-deploy pipeline
(gitlab-ci-local, shell executor, each job in its own directory as on GitLab), the deploy hook
around a deploy that breaks a wiki, and the nightly sweep through its very cron line; the systemd
units pass `systemd-analyze verify` and every shell script passes shellcheck.

Only variables (and, for the cron line, the machine's paths) change: the target (SMOKE_TARGET),
where smoke is installed (SMOKE_DIR: this checkout, instead of a clone) and a small selection.
Needs what `./run tests` installs: tools/gitlab-ci-local (npm), rsync, shellcheck, systemd.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from smoke.testbed.state import FarmState
from tests.integration.runner_helpers import ROOT
from tests.unit.test_examples import GITLAB, job_script

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "examples"
GITLAB_CI_LOCAL = ROOT / "tools" / "gitlab-ci-local" / "node_modules" / ".bin" / "gitlab-ci-local"
SMOKE = ROOT / ".venv" / "bin" / "smoke"
# Two checks the js-error fault breaks; a JavaScript error does not go away on a retry, and one
# browser is quicker to start than two for two checks.
SELECTION = (
    "--wiki ruwiki --page recentchanges --variant plain --variant hidenondamaging"
    " --retries 0 --workers 1"
)
BROKEN = ("ruwiki/recentchanges/plain", "ruwiki/recentchanges/hidenondamaging")
# gitlab-ci-local's line at the end of each job: "smoke-after finished in 9.2 s  FAIL 1".
FINISHED = re.compile(
    r"^(?P<job>\S+)\s+finished in (?P<took>[^A-Z\n]*?)\s*(?:(?:WARN|FAIL) (?P<code>\d+)\s*)?$", re.M
)


def need(tool: str | Path) -> str:
    found = shutil.which(str(tool))
    if found is None:  # a setup step is missing: fail, never skip
        pytest.fail(f"{tool} is missing: `./run tests` installs it (see ./run, `tests`)")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without smoke's variables: only the example's own settings choose."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMOKE_")}
    return {**env, **extra}


def new_failures(text: str) -> str:
    """The "New failures" section of a `smoke diff`."""
    match = re.search(r"=== New failures ===\n(.*?)(?:\n===|\Z)", text, re.S)
    return match.group(1) if match else ""


def junit_counts(path: Path) -> tuple[int, int]:
    """(test cases, failed test cases) of a junit.xml."""
    cases = ET.parse(path).getroot().iter("testcase")
    outcomes = [case.find("failure") is not None for case in cases]
    return len(outcomes), sum(outcomes)


# --- the GitLab pipeline ----------------------------------------------------------------------


@dataclass
class Pipeline:
    """A deploy project whose .gitlab-ci.yml is the example, run by gitlab-ci-local."""

    project: Path
    home: Path
    variables: dict[str, str]

    def run(self, *jobs: str) -> tuple[int, str, dict[str, int]]:
        """gitlab-ci-local's exit code, its output and each job's exit code (no JOBS: all)."""
        argv = [str(GITLAB_CI_LOCAL), "--home", str(self.home)]
        # The jobs name a Docker image: run them in this shell all the same, each in its own
        # copy of the project (as GitLab's runners do), artifacts kept in .gitlab-ci-local/.
        argv += ["--force-shell-executor", "--shell-isolation", "--no-artifacts-to-source"]
        argv += ["--no-color", *(f"--variable={k}={v}" for k, v in self.variables.items())]
        done = subprocess.run(
            [*argv, *jobs],
            cwd=self.project,  # gitlab-ci-local's --cwd takes only relative paths
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=300,
            check=False,
        )
        output = done.stdout + done.stderr
        codes = {m["job"]: int(m["code"] or 0) for m in FINISHED.finditer(output)}
        codes.pop("pipeline", None)  # "pipeline finished in 26 s": the last line
        return done.returncode, output, codes

    def artifacts(self, job: str) -> Path:
        return self.project / ".gitlab-ci-local" / "artifacts" / job

    def log(self, job: str) -> str:
        return (self.project / ".gitlab-ci-local" / "output" / f"{job}.log").read_text()


@pytest.fixture
def pipeline(farm_state: FarmState, tmp_path: Path) -> Pipeline:
    need(GITLAB_CI_LOCAL)
    need("rsync")  # gitlab-ci-local copies the project with it
    project = tmp_path / "deploy-project"
    project.mkdir()
    shutil.copy(GITLAB, project / ".gitlab-ci.yml")
    git = ["git", "-C", str(project), "-c", "user.name=smoke", "-c", "user.email=smoke@localhost"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "deploy project"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    variables = {
        "SMOKE_TARGET": "local",
        "SMOKE_DIR": str(ROOT),  # an installed smoke: no clone, no setup
        "SMOKE_ARGS": SELECTION,
        "SMOKE_TESTBED_DIR": farm_state.state_dir,  # smoke's own variable for the local target
    }
    return Pipeline(project, tmp_path / "home", variables)


def gitlab_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(GITLAB.read_text())
    return spec


def test_gitlab_pipeline_passes_on_a_healthy_farm_with_artifacts_where_gitlab_collects_them(
    pipeline: Pipeline,
) -> None:
    started = time.monotonic()
    code, output, jobs = pipeline.run()
    took = time.monotonic() - started
    assert code == 0, output[-3000:]
    assert jobs == {"smoke-before": 0, "deploy": 0, "smoke-after": 0}, output[-3000:]
    before, after = pipeline.artifacts("smoke-before"), pipeline.artifacts("smoke-after")
    assert (before / "reports" / "before" / "results.json").is_file()
    # The baseline travelled to smoke-after as smoke-before's artifact, and is kept with it.
    assert (after / "reports" / "before" / "results.json").is_file()
    junit = after / gitlab_spec()["smoke-after"]["artifacts"]["reports"]["junit"]
    assert junit_counts(junit) == (len(BROKEN), 0)
    log = pipeline.log("smoke-after")
    assert "baseline before: 0 new failures" in log
    assert "No check changed outcome." in log
    print(
        f"\npost-deploy pipeline on the local farm: {took:.1f} s; jobs: {FINISHED.findall(output)}"
    )


def test_gitlab_smoke_after_fails_on_what_the_deploy_broke(
    pipeline: Pipeline, fault: Callable[..., None]
) -> None:
    code, output, jobs = pipeline.run("smoke-before")
    assert (code, jobs) == (0, {"smoke-before": 0}), output[-3000:]
    fault("ruwiki", "js-error")  # the deploy breaks ruwiki's RecentChanges
    code, output, jobs = pipeline.run("deploy", "smoke-after")
    assert code != 0 and jobs == {"deploy": 0, "smoke-after": 1}, output[-3000:]
    named = new_failures(pipeline.log("smoke-after"))
    for check in BROKEN:
        assert f"`{check}` passed → failed" in named, pipeline.log("smoke-after")[-3000:]
    junit = pipeline.artifacts("smoke-after") / "reports" / "after" / "junit.xml"
    assert junit_counts(junit) == (len(BROKEN), len(BROKEN))


def test_gitlab_fault_already_there_before_the_deploy_does_not_fail_it(
    pipeline: Pipeline, fault: Callable[..., None]
) -> None:
    fault("ruwiki", "js-error")
    code, output, jobs = pipeline.run()
    # smoke-before: exit 1, allowed (a warning); smoke-after: nothing new, passes.
    assert code == 0 and jobs == {"smoke-before": 1, "deploy": 0, "smoke-after": 0}, output[-3000:]
    assert "WARN" in output
    log = pipeline.log("smoke-after")
    assert "baseline before: 0 new failures" in log and new_failures(log) == ""
    junit = pipeline.artifacts("smoke-after") / "reports" / "after" / "junit.xml"
    assert junit_counts(junit) == (len(BROKEN), len(BROKEN))  # still failing, and reported


# --- the deploy hook ----------------------------------------------------------------------------


def deploy_hook(
    farm: FarmState, reports: Path, *args: str, target: str = "local", **env: str
) -> subprocess.CompletedProcess[str]:
    env = clean_env(
        SMOKE_TARGET=target,
        SMOKE_REPORTS=str(reports),
        SMOKE_ARGS=SELECTION,
        SMOKE_TESTBED_DIR=farm.state_dir,
        **env,
    )
    return subprocess.run(
        [str(EXAMPLES / "deploy-hook.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=reports.parent,  # not the checkout: scap and helmfile run it from anywhere
        timeout=300,
        check=False,
    )


@pytest.fixture
def switch_off(farm_state: FarmState) -> Iterator[None]:
    yield
    subprocess.run(
        [
            str(SMOKE),
            "testbed",
            "--state-dir",
            farm_state.state_dir,
            "fault",
            "ruwiki",
            "js-error",
            "off",
        ],
        capture_output=True,
        check=True,
    )


def test_deploy_hook_around_a_deploy_that_breaks_a_wiki(
    farm_state: FarmState, tmp_path: Path, switch_off: None
) -> None:
    breaking_deploy = [
        str(SMOKE),
        "testbed",
        "--state-dir",
        farm_state.state_dir,
        "fault",
        "ruwiki",
        "js-error",
        "on",
    ]
    done = deploy_hook(farm_state, tmp_path / "reports", "around", "--", *breaking_deploy)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    named = new_failures(done.stdout)
    assert all(f"`{check}` passed → failed" in named for check in BROKEN), done.stdout[-3000:]
    runs = sorted(p.name for p in (tmp_path / "reports").glob("deploy-*") if p.is_dir())
    assert [r.split("-")[1] for r in runs] == ["after", "before"]
    baseline = (tmp_path / "reports" / ".deploy-baseline").read_text().strip()
    assert baseline.startswith("deploy-before-")


def test_deploy_hook_reports_a_failed_deploy_and_never_deploys_without_a_baseline(
    farm_state: FarmState, tmp_path: Path
) -> None:
    failed = deploy_hook(farm_state, tmp_path / "a", "around", "--", "sh", "-c", "exit 7")
    assert failed.returncode == 7, failed.stderr[-2000:]
    assert "the deploy command failed (exit 7)" in failed.stderr
    assert len(list((tmp_path / "a").glob("deploy-after-*/results.json"))) == 1
    marker = tmp_path / "deployed"
    refused = deploy_hook(
        farm_state, tmp_path / "b", "around", "--", "touch", str(marker), target="nowhere"
    )
    assert refused.returncode == 4 and not marker.exists(), refused.stderr[-2000:]
    assert "not deploying" in refused.stderr
    # A smoke that dies with exit 1 before writing results is no baseline either.
    crashing = tmp_path / "crashing" / ".venv" / "bin"
    crashing.mkdir(parents=True)
    (crashing / "smoke").write_text("#!/bin/sh\necho Traceback >&2\nexit 1\n")
    (crashing / "smoke").chmod(0o755)
    crashed = deploy_hook(
        farm_state,
        tmp_path / "c",
        "around",
        "--",
        "touch",
        str(marker),
        SMOKE_DIR=str(crashing.parents[1]),
        SMOKE_CONFIG=str(ROOT / "wikis.yaml"),
    )
    assert crashed.returncode == 5 and not marker.exists(), crashed.stderr[-2000:]
    orphan = deploy_hook(farm_state, tmp_path / "d", "after")
    assert orphan.returncode == 4 and "no before-run" in orphan.stderr


# --- the nightly sweep ----------------------------------------------------------------------------


def cron_command(env_file: Path, log_dir: Path) -> str:
    """The crontab's line without its schedule, the machine's paths moved to this checkout
    (/srv/smoke) and temporary files (the environment file, the log directory)."""
    lines = (EXAMPLES / "nightly" / "crontab").read_text().splitlines()
    (line,) = [line for line in lines if line.strip() and not line.startswith("#")]
    command = line.split(maxsplit=5)[5]
    for path, moved in (
        ("/srv/smoke", ROOT),
        ("/etc/smoke/beta.env", env_file),
        ("/var/log/smoke", log_dir),
    ):
        assert path in command
        command = command.replace(path, str(moved))
    return command


def test_nightly_cron_line_sweeps_diffs_reports_and_publishes(
    farm_state: FarmState, tmp_path: Path, fault: Callable[..., None]
) -> None:
    reports, www, logs = tmp_path / "reports", tmp_path / "www", tmp_path / "log"
    logs.mkdir()
    env_file = tmp_path / "beta.env"
    env_file.write_text(
        f"SMOKE_TARGET=local\nSMOKE_TESTBED_DIR={farm_state.state_dir}\n"
        f"SMOKE_REPORTS={reports}\nSMOKE_PUBLISH_DIR={www}\nSMOKE_ARGS='{SELECTION}'\n"
    )
    command = cron_command(env_file, logs)
    # What cron gives a job: /bin/sh and a minimal environment.
    cron_env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SHELL": "/bin/sh",
        "LOGNAME": "smoke",
    }

    def night() -> int:
        return subprocess.run(
            ["/bin/sh", "-c", command], env=cron_env, timeout=600, check=False
        ).returncode

    assert night() == 0, (logs / "nightly.log").read_text()[-3000:]
    assert "First nightly run" in (www / "changes-since-last-night.md").read_text()
    fault("ruwiki", "js-error")
    assert night() == 1, (logs / "nightly.log").read_text()[-3000:]
    changes = (www / "changes-since-last-night.md").read_text()
    assert all(f"`{check}` passed → failed" in new_failures(changes) for check in BROKEN), changes
    assert "<html" in (www / "index.html").read_text()[:2000].lower()
    assert "ruwiki/recentchanges/plain" in (www / "summary.md").read_text()
    runs = sorted(reports.glob("nightly-*/allure-report/index.html"))
    assert len(runs) == 2


# --- systemd units, shell scripts ---------------------------------------------------------------


def test_systemd_units_verify(tmp_path: Path) -> None:
    """As installed on a machine where smoke lives in this checkout instead of /srv/smoke
    (verify wants ExecStart's program to exist)."""
    analyze = need("systemd-analyze")
    nightly = EXAMPLES / "nightly"
    service = (nightly / "smoke-nightly.service").read_text().replace("/srv/smoke", str(ROOT))
    (tmp_path / "smoke-nightly.service").write_text(service)
    shutil.copy(nightly / "smoke-nightly.timer", tmp_path)
    units = [str(tmp_path / "smoke-nightly.service"), str(tmp_path / "smoke-nightly.timer")]
    done = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, check=False
    )
    # Unknown keys and bad values are only warnings (exit 0): any line naming a unit fails too.
    said = [line for line in (done.stdout + done.stderr).splitlines() if "smoke-nightly" in line]
    assert done.returncode == 0 and said == [], done.stdout + done.stderr


def shell_texts() -> list[Any]:
    """(name, shell, text) of every shell script in the examples, the GitLab jobs' scripts and
    the cron line."""
    found = [
        pytest.param(p.name, "bash", p.read_text(), id=p.name)
        for p in sorted(EXAMPLES.rglob("*.sh"))
    ]
    spec = gitlab_spec()
    for job in (name for name in spec if "script" in spec[name]):
        # $SMOKE_ARGS is split into words on purpose: SC2086 (double quote) is off for the jobs.
        text = "# shellcheck disable=SC2086\n" + "\n".join(job_script(job))
        found.append(pytest.param(job, "bash", text, id=f"gitlab-{job}"))
    crontab = (EXAMPLES / "nightly" / "crontab").read_text().splitlines()
    for line in (line for line in crontab if line.strip() and not line.startswith("#")):
        # The environment file exists only on the machine (SC1091: not followed).
        text = "# shellcheck disable=SC1091\n" + line.split(maxsplit=5)[5]
        found.append(pytest.param("crontab", "sh", text, id="crontab"))
    return found


@pytest.mark.parametrize(("name", "shell", "text"), shell_texts())
def test_shellcheck(name: str, shell: str, text: str, tmp_path: Path) -> None:
    shellcheck = need("shellcheck")
    script = tmp_path / "script"
    script.write_text(text if text.startswith("#!") else f"#!/usr/bin/env {shell}\n{text}")
    done = subprocess.run(
        [shellcheck, "--shell", shell, str(script)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{name}:\n{done.stdout}"
