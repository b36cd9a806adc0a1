"""The generated documentation matches what it is generated from, and the README stays short."""

from __future__ import annotations

from pathlib import Path

import pytest

from smoke.cli import docs
from smoke.cli.main import build_parser
from smoke.model.exit_codes import EXIT_MEANINGS, ExitCode
from smoke.testbed.faults import FAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_committed_docs_match_the_parsers_and_the_fault_catalogue() -> None:
    for path, text in docs.expected(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run `.venv/bin/python -m smoke.cli.docs`"
        )


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / docs.FARM_MD).write_text(
        f"# farm\n\n{docs.FAULTS_BEGIN}\nSTALE-ROW\n{docs.FAULTS_END}\n"
    )
    (tmp_path / docs.README_MD).write_text(f"# smoke\n\n{docs.EXITS_BEGIN}\n{docs.EXITS_END}\n")
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert docs.main(["--root", str(tmp_path), "--check"]) == 0
    farm = (tmp_path / docs.FARM_MD).read_text()
    assert farm.startswith("# farm\n") and "STALE-ROW" not in farm


def test_every_option_of_every_command_is_in_options_md() -> None:
    text = docs.options_markdown(build_parser())
    for flag in (
        "--target",
        "--baseline",
        "--every",
        "--exit-on-failure",
        "--reference",
        "--purge",
    ):
        assert f"`{flag}" in text
    for command in ("smoke run", "smoke watch", "smoke testbed fault", "smoke parity"):
        assert f"## `{command}`" in text


def test_exit_codes_in_options_md_come_from_the_enum() -> None:
    assert set(EXIT_MEANINGS) == set(ExitCode), "every exit code has one meaning"
    text = docs.options_markdown(build_parser())
    for code, meaning in EXIT_MEANINGS.items():
        assert f"| {int(code)} | {docs._cell(meaning)} |" in text


def test_every_fault_is_a_row_of_the_farm_table() -> None:
    table = docs.faults_markdown()
    for name in FAULTS:
        assert f"| `{name}` |" in table


def test_markers_missing_is_an_error() -> None:
    with pytest.raises(ValueError, match="markers are missing"):
        docs.with_faults("# farm without markers\n")


def test_readme_is_read_in_five_minutes() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 220, f"README.md has {len(lines)} lines; move detail into docs/"


def test_readme_and_docs_links_point_at_files() -> None:
    """Every relative link of README.md and docs/ names a file of the repository."""
    import re

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            assert path.exists(), f"{page.name}: broken link {target}"
