"""Generations of the farm, and fetching MediaWiki 1.43 into the cache (the parts without apt)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smoke.testbed import debian_archive
from smoke.testbed.edits import shifted
from smoke.testbed.errors import BadInput
from smoke.testbed.generations import DEFAULT_GENERATION, choose_generation
from smoke.testbed.ores import OresCheckout


def test_choose_generation() -> None:
    assert DEFAULT_GENERATION == "1.43"
    assert choose_generation(None, None).name == "1.43"
    assert choose_generation(None, "1.39").name == "1.39"  # remembered
    assert choose_generation("1.43", "1.39").name == "1.43"  # the option wins
    assert choose_generation("1.39", None).vendor_ores.name == "ORES"
    assert choose_generation("1.43", None).vendor_ores.name == "ORES-REL1_43"
    assert choose_generation("1.43", None).php_modules == ("gmp",)
    with pytest.raises(BadInput, match=r"1\.43, 1\.39"):
        choose_generation("1.40", None)


@pytest.mark.parametrize(
    ("requires", "mediawiki", "ok"),
    [(">= 1.43", "1.39", False), (">= 1.43", "1.43", True), (">= 1.37.0", "1.43", True),
     (None, "1.39", True), ("*", "1.39", True)],
)  # fmt: skip
def test_a_checkout_says_which_mediawiki_it_needs(
    requires: str | None, mediawiki: str, ok: bool
) -> None:
    checkout = OresCheckout(Path("/x"), None, None, {}, requires_mediawiki=requires)
    assert checkout.supports(mediawiki) is ok


def test_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(debian_archive.CACHE_ENV_VAR, str(tmp_path / "c"))
    assert debian_archive.cache_dir() == tmp_path / "c"
    monkeypatch.delenv(debian_archive.CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert debian_archive.cache_dir() == tmp_path / "xdg" / "smoke" / "mediawiki"


def test_apt_keeps_to_the_cache(tmp_path: Path) -> None:
    options = debian_archive.apt_options(tmp_path)
    pairs = dict(o.split("=", 1) for o in options if "=" in o)
    assert pairs["Dir::Etc::sourcelist"] == str(tmp_path / "sources.list")
    assert pairs["Dir::Etc::sourceparts"] == "-"
    assert pairs["Dir::State::Lists"].startswith(str(tmp_path))
    assert pairs["Dir::Cache"].startswith(str(tmp_path))
    line = debian_archive.sources_list()
    assert line.startswith("deb [signed-by=") and line.rstrip().endswith("trixie main")


def test_the_unpacked_tree_is_made_self_contained(tmp_path: Path) -> None:
    tree = tmp_path / "mediawiki"
    (tree / "extensions-core" / "Gadgets").mkdir(parents=True)
    for name in ("LocalSettings.php", "config", "extensions", "images"):
        os.symlink(f"/var/lib/mediawiki/{name}", tree / name)
    debian_archive.make_self_contained(tree)
    assert not (tree / "LocalSettings.php").exists()
    assert (tree / "config").is_dir() and not (tree / "config").is_symlink()
    assert (tree / "images").is_dir()
    assert (tree / "extensions" / "Gadgets").is_dir()  # the bundled extensions
    assert os.readlink(tree / "extensions") == "extensions-core"


def test_a_cached_tree_is_used_without_fetching(tmp_path: Path) -> None:
    tree = debian_archive.tree_dir(tmp_path)
    tree.mkdir()
    assert debian_archive.tree_version(tree) is None  # half made: fetched again
    (tree / debian_archive.VERSION_FILE).write_text("1:1.43.9\n")
    assert debian_archive.ensure_tree(cache=tmp_path, log=pytest.fail) == tree


def test_ageing_a_timestamp() -> None:
    assert shifted("20261207031500", 7200) == "20261207011500"
    assert shifted(b"20260101000030", 60) == "20251231235930"
