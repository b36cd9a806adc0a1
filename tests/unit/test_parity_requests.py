"""`smoke parity` against a stub farm on loopback: how many requests, how many at once, which
User-Agent, and that no browser is ever started."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from smoke.config import parse_config
from smoke.model.checks import ORES_LEVELS
from smoke.survey.http import PoliteReader
from smoke.survey.parity import parity
from tests.unit.survey_pages import StubFarm, StubWiki

ROOT = Path(__file__).resolve().parents[2]
ALL = {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS}
DEFAULTS = {"damaging": ORES_LEVELS, "goodfaith": ORES_LEVELS[:3]}
WIKIS = ("enwiki", "ruwiki", "frwiki", "nooreswiki")


@pytest.fixture
def farm() -> Iterator[StubFarm]:
    stub = StubFarm()
    yield stub
    stub.close()


def two_targets(farm: StubFarm, tmp_path: Path) -> tuple[Path, str, str]:
    """A reference host like production and a target host like beta, four wikis each."""
    ref = farm.host(
        {
            "enwiki": StubWiki(DEFAULTS),
            "ruwiki": StubWiki(ALL, lang="ru", redirect=True),
            "frwiki": StubWiki({"damaging": ("likelygood", "likelybad")}, lang="fr"),
            "nooreswiki": StubWiki(None),
        }
    )
    tgt = farm.host(
        {
            "enwiki": StubWiki(DEFAULTS),
            "ruwiki": StubWiki(DEFAULTS, lang="ru", redirect=True),
            "frwiki": StubWiki(ALL, lang="fr"),
            "nooreswiki": StubWiki(None),
        }
    )
    lines = ["targets:"]
    for name, base in (("production", ref), ("beta", tgt)):
        lines += [f"  {name}:", f'    url: "{base}/{{id}}"', "    wikis:"]
        lines += [f"      - {{id: {w}, ores: []}}" for w in WIKIS]
    path = tmp_path / "wikis.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path, ref, tgt


def test_at_most_three_requests_per_wiki_one_at_a_time_per_host(
    farm: StubFarm, tmp_path: Path
) -> None:
    path, ref, tgt = two_targets(farm, tmp_path)
    reader = PoliteReader("smoke/test (+contact)", timeout=10)
    report = parity(parse_config(path.read_text()), "beta", "production", reader, workers=4)
    assert [g.text for g in report.gaps] == [
        "Beta cannot show a goodfaith verylikelybad fault on ruwiki: production offers it, "
        "beta does not"
    ]
    for base in (ref, tgt):
        counts = {w: farm.count(base, w) for w in WIKIS}
        assert all(1 <= n <= 3 for n in counts.values()), counts
        assert counts["ruwiki"] == 3  # api.php, the page, its redirect to the localised name
    # Four wikis share each host and four threads read: still one request at a time per host.
    assert farm.max_in_flight == {ref.removeprefix("http://"): 1, tgt.removeprefix("http://"): 1}
    assert sum(reader.requests.values()) == len(farm.requests)  # redirect hops are counted
    assert {ua for _, _, ua in farm.requests} == {"smoke/test (+contact)"}


def test_the_same_wiki_on_both_sides_is_read_once(farm: StubFarm, tmp_path: Path) -> None:
    base = farm.host({"ruwiki": StubWiki(ALL, lang="ru", redirect=True)})
    path = tmp_path / "wikis.yaml"
    path.write_text(
        "targets:\n"
        + "".join(
            f'  {name}:\n    url: "{base}/{{id}}"\n    wikis:\n      - {{id: ruwiki, ores: []}}\n'
            for name in ("a", "b")
        )
    )
    report = parity(parse_config(path.read_text()), "a", "b", PoliteReader("smoke/test"))
    assert report.exit_code == 0 and farm.count(base, "ruwiki") == 3


def test_an_unreadable_wiki_is_exit_3_with_the_reason(farm: StubFarm, tmp_path: Path) -> None:
    path, _ref, tgt = two_targets(farm, tmp_path)
    down = farm.host({"enwiki": StubWiki(DEFAULTS, rc_status=500)})
    text = path.read_text().replace(f'"{tgt}/{{id}}"', f'"{down}/{{id}}"')
    reader = PoliteReader("smoke/test")
    report = parity(parse_config(text), "beta", "production", reader, wikis=["enwiki"])
    assert report.exit_code == 3
    assert report.unreadable == [("enwiki", "beta: Special:RecentChanges: HTTP 500")]


# Run in a fresh interpreter where Playwright cannot be imported at all, then list what was.
_NO_BROWSER = """
import sys
sys.modules["playwright"] = None  # any `import playwright…` now raises ImportError
from smoke.cli.main import main
code = main(sys.argv[1:])
loaded = sorted(m for m, v in sys.modules.items() if v is not None and
                (m.split(".")[0] == "playwright" or m.startswith("smoke.browser")))
print("LOADED=" + ",".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def test_the_cli_never_starts_a_browser_and_exits_1_on_a_gap(
    farm: StubFarm, tmp_path: Path
) -> None:
    path, _ref, _tgt = two_targets(farm, tmp_path)
    out = tmp_path / "beta.yaml"
    result = subprocess.run(
        [
            *(sys.executable, "-c", _NO_BROWSER, "parity", "--config", str(path)),
            *("--target", "beta", "--reference", "production", "--json", "--write", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "LOADED=\n" in result.stderr, result.stderr
    doc = json.loads(result.stdout)
    assert [(g["wiki"], g["model"], g["level"]) for g in doc["gaps"]] == [
        ("ruwiki", "goodfaith", "verylikelybad")
    ]
    written = {
        w["id"]: w["ores"] for w in yaml.safe_load(out.read_text())["targets"]["beta"]["wikis"]
    }
    assert written["ruwiki"] == {m: list(v) for m, v in ALL.items()}  # production's levels
    assert written["nooreswiki"] == []
