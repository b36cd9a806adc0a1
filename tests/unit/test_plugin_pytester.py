"""The pytest plugin as pytest itself runs it (``pytester``), on a hand-written wikis.yaml.

The target of these files is never the testbed: a loopback port that refuses connections, so no
wiki and no network are involved. Options, collection and configuration errors need no browser
and run in-process here; the tests that run checks launch Chromium in a pytest subprocess and
live in tests/integration/test_plugin_pytester_runs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.run import options

pytest_plugins = ["pytester"]

TWO_WIKIS = """\
targets:
  t:
    url: "http://127.0.0.1:{port}/{{id}}/w"
    wikis:
      - {{id: enwiki, ores: [damaging]}}
      - {{id: ruwiki, ores: []}}
"""
# Two pages of two variants: with ruwiki's empty `ores`, its damaging variant is skipped.
SELECTION = (
    "--target",
    "t",
    "--page",
    "recentchanges",
    "--variant",
    "plain",
    "--variant",
    "damaging=likelybad",
)
CHECK_IDS = [
    "enwiki/recentchanges/plain",
    "enwiki/recentchanges/damaging=likelybad",
    "ruwiki/recentchanges/plain",
    "ruwiki/recentchanges/damaging=likelybad",
]


@pytest.fixture(autouse=True)
def plugins_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    # The plugin under test is the one the pytest11 entry point registers (as are xdist's and
    # allure's), whatever the outer run was started with.
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)


def wikis_yaml(pytester: pytest.Pytester, port: int = 9) -> Path:
    return pytester.makefile(".yaml", wikis=TWO_WIKIS.format(port=port))


def reports(pytester: pytest.Pytester) -> tuple[str, str]:
    return ("--reports-dir", str(pytester.path / "reports"))


# --- no browser -----------------------------------------------------------------------------


def test_the_plugins_options_are_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    text = result.stdout.str()
    assert "smoke: MediaWiki page-load smoke checks:" in text
    flags = [option.flag for option in options.SHARED] + ["--shard-durations"]
    assert len(flags) > 20
    missing = [flag for flag in flags if f"  {flag}" not in text]
    assert missing == []


def test_collection_gives_one_item_per_check_with_stable_ids(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester)
    )
    assert result.ret == pytest.ExitCode.OK
    collected = [line for line in result.outlines if line.startswith("wikis.yaml::")]
    assert collected == [f"wikis.yaml::{check_id}" for check_id in CHECK_IDS]
    result.stdout.fnmatch_lines(["4 tests collected*"])


def test_items_carry_wiki_and_page_keywords_for_k(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester), "-k", "ruwiki"
    )
    collected = [line for line in result.outlines if line.startswith("wikis.yaml::")]
    assert collected == [f"wikis.yaml::{check_id}" for check_id in CHECK_IDS[2:]]


def test_only_the_yaml_files_named_on_the_command_line_are_collected(
    pytester: pytest.Pytester,
) -> None:
    wikis_yaml(pytester)
    pytester.makefile(".yaml", other="not: [a wikis file")  # would be a config error if read
    result = pytester.runpytest(
        "wikis.yaml", "--collect-only", "-q", *SELECTION, *reports(pytester)
    )
    assert result.ret == pytest.ExitCode.OK
    assert "other.yaml" not in result.stdout.str()


def test_a_config_error_is_one_line_naming_file_and_line(pytester: pytest.Pytester) -> None:
    bad = pytester.makefile(
        ".yaml",
        wikis=TWO_WIKIS.format(port=9).replace("ores: [damaging]", "ores: [damagin]"),
    )
    result = pytester.runpytest("wikis.yaml", *SELECTION, *reports(pytester))
    # Plain pytest reports it as a collection error (exit 2); `smoke run` validates the file
    # before pytest starts and exits 4 (tests/unit/test_cli_bad_input.py).
    assert result.ret == pytest.ExitCode.INTERRUPTED
    expected = (
        f"smoke: bad configuration: {bad}:5: targets.t.wikis[0].ores[0]: "
        "unknown ORES model 'damagin' (did you mean 'damaging'?)"
    )
    assert [line for line in result.outlines if line.startswith(expected)]
    result.stdout.fnmatch_lines(["*Interrupted: 1 error during collection*"])
    assert "Traceback" not in result.stdout.str()
    assert "ConfigError" not in result.stdout.str()


def test_an_unknown_target_is_a_config_error_too(pytester: pytest.Pytester) -> None:
    wikis_yaml(pytester)
    result = pytester.runpytest("wikis.yaml", "--target", "nope", *reports(pytester))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["smoke: bad configuration: *nope*"])


def test_without_a_yaml_argument_the_plugin_stays_out_of_the_way(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest(*reports(pytester))
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()  # no run directory for a foreign run
