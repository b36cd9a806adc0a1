"""Which ORES `up` loads: an Extension:ORES checkout (option, then environment, then the one the
farm remembers) or the imitation; what it says about a checkout; bad checkouts refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.ores import ENV_VAR, choose_checkout, read_checkout
from smoke.testbed.wikis import LEVEL_BOUNDS, ORES_LEVELS


def fake_checkout(where: Path, *, name: str = "ORES", version: str | None = None) -> Path:
    defaults = {
        model: {
            level: (
                False
                if (model, level) == ("goodfaith", "verylikelybad")
                else dict(LEVEL_BOUNDS[model][level])
            )
            for level in ORES_LEVELS
        }
        for model in LEVEL_BOUNDS
    }
    manifest: dict[str, object] = {
        "name": name,
        "config": {"OresFiltersThresholds": {"value": defaults}},
    }
    if version:
        manifest["version"] = version
    where.mkdir(parents=True, exist_ok=True)
    (where / "extension.json").write_text(json.dumps(manifest), encoding="utf-8")
    return where


def test_read_checkout_describes_it(tmp_path: Path) -> None:
    checkout = read_checkout(fake_checkout(tmp_path / "ORES"))
    assert checkout.version is None and checkout.commit is None
    assert checkout.describe() == (
        f"Extension:ORES at {tmp_path / 'ORES'} (not a git checkout, scores from ORES v3)"
    )
    assert checkout.defaults_differ() == []
    versioned = read_checkout(fake_checkout(tmp_path / "v", version="1.2.3"))
    assert "version 1.2.3" in versioned.describe()


def test_read_checkout_names_the_git_commit(tmp_path: Path) -> None:
    where = fake_checkout(tmp_path / "ORES")
    git = ["git", "-C", str(where), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "extension.json"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    checkout = read_checkout(where)
    assert checkout.commit == head
    assert f"commit {head[:12]}" in checkout.describe()
    branch = checkout.branch
    assert branch and f"branch {branch}" in checkout.describe()
    assert checkout.as_json() == {
        "dir": str(where),
        "version": None,
        "commit": head,
        "branch": branch,
        "api": "v3",
    }


def test_defaults_that_differ_are_named(tmp_path: Path) -> None:
    where = fake_checkout(tmp_path / "ORES")
    data = json.loads((where / "extension.json").read_text())
    thresholds = data["config"]["OresFiltersThresholds"]["value"]
    thresholds["goodfaith"]["verylikelybad"] = dict(LEVEL_BOUNDS["goodfaith"]["verylikelybad"])
    thresholds["damaging"]["maybebad"]["min"] = "maximum filter_rate @ recall >= 0.8"
    (where / "extension.json").write_text(json.dumps(data))
    differ = read_checkout(where).defaults_differ()
    assert differ == ["damaging/maybebad", "goodfaith/verylikelybad"]


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda d: d.mkdir(), ["has no extension.json"]),
        (lambda d: fake_checkout(d, name="Echo"), ["is not Extension:ORES", "'Echo'"]),
        (lambda d: (d.mkdir(), (d / "extension.json").write_text("{nope")), ["cannot read"]),
    ],
    ids=["empty", "other-extension", "garbled"],
)
def test_not_a_checkout(tmp_path: Path, setup: object, words: list[str]) -> None:
    where = tmp_path / "x"
    setup(where)  # type: ignore[operator]
    with pytest.raises(ValueError) as refused:
        read_checkout(where)
    for word in words:
        assert word in str(refused.value)
    with pytest.raises(BadInput) as bad:
        choose_checkout(where, fallback=False, remembered=None, environ={})
    assert "--ores-extension" in str(bad.value) and "git clone" in str(bad.value)


def test_choice_order(tmp_path: Path) -> None:
    option, env, remembered = (fake_checkout(tmp_path / n) for n in ("opt", "env", "mem"))
    environ = {ENV_VAR: str(env)}

    def chosen(**kw: object) -> Path | None:
        args: dict[str, object] = {"fallback": False, "remembered": str(remembered)}
        args.update(kw)
        checkout = choose_checkout(args.pop("option", None), **args)  # type: ignore[arg-type]
        return checkout.dir if checkout else None

    assert chosen(option=option, environ=environ) == option
    assert chosen(environ=environ) == env
    assert chosen(environ={}) == remembered
    assert chosen(environ={}, remembered=None) is None  # the imitation
    assert chosen(option=option, environ=environ, fallback=True) is None
    assert chosen(environ={ENV_VAR: ""}) == remembered  # an empty variable is no choice


def test_a_remembered_checkout_that_is_gone(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem) as gone:
        choose_checkout(None, fallback=False, remembered=str(tmp_path / "gone"), environ={})
    assert "--ores-fallback" in str(gone.value) and "--ores-extension" in str(gone.value)
    with pytest.raises(BadInput) as bad:
        choose_checkout(None, fallback=False, remembered=None, environ={ENV_VAR: "/nonexistent"})
    assert f"${ENV_VAR}" in str(bad.value)
