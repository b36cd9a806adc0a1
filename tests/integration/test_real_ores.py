"""The farm on the real Extension:ORES: configured levels per wiki, scores stored by the
extension's own job, its markup on RecentChanges/Watchlist/Contributions, every ORES fault, and
the same outcomes as on the imitation SmokeOres.

One farm for the whole module (module scope, free ports, an empty state directory), loading the
checkout that ``ores_checkout()`` finds. Without a checkout every test here is SKIPPED with the
reason, never passed. The tests run in file order; the last one switches the farm to the imitation
and back.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from smoke.testbed import farm, scoring
from smoke.testbed.state import FarmState, load_state
from smoke.testbed.wikis import ORES_MODELS, configured_levels
from tests.integration.conftest import ROOT, free_port_block, ores_checkout
from tests.integration.test_testbed_faults import (
    CONTRIBS,
    RC,
    WL,
    Response,
    assert_contributions_healthy,
    assert_contributions_unscored,
    assert_fatal_runtime_exception,
    assert_ores_healthy,
    assert_ores_silently_gone,
    fetch,
    filter_groups,
    login,
    look_at,
    look_at_any,
    mw_config,
    ores_groups,
)

CHECKOUT, NO_CHECKOUT = ores_checkout()
pytestmark = pytest.mark.skipif(CHECKOUT is None, reason=NO_CHECKOUT)

ORES_WIKIS = ("enwiki", "ruwiki", "frwiki")
SMOKE = str(ROOT / ".venv" / "bin" / "smoke")


def quiet(_msg: str) -> None:
    pass


@dataclass
class RealFarm:
    state: FarmState
    log: list[str]
    seconds: float

    @property
    def state_dir(self) -> Path:
        return Path(self.state.state_dir)

    def fault(self, wiki: str, name: str, on: bool = True, **options: Any) -> None:
        farm.set_fault(self.state_dir, wiki, name, on, log=quiet, **options)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealFarm]:
    state_dir = tmp_path_factory.mktemp("real-ores")
    # Away from the session farm (18000+) and the lifecycle farm (20000-29000).
    base = free_port_block(len(farm.WIKI_SPECS) + 1, random.randrange(30000, 39000, 10), 40000)
    log: list[str] = []
    started = time.monotonic()
    try:
        state = farm.up(
            state_dir, base_port=base, mediawiki="1.39", ores_extension=CHECKOUT, log=log.append
        )
        yield RealFarm(state, log, time.monotonic() - started)
    finally:
        farm.down(state_dir, log=quiet)


@pytest.fixture
def switched(real: RealFarm) -> Iterator[Callable[..., None]]:
    """Faults switched on for one test; all of them off afterwards, whatever happened."""
    names: list[tuple[str, str]] = []

    def switch(wiki: str, name: str, **options: Any) -> None:
        real.fault(wiki, name, **options)
        names.append((wiki, name))

    yield switch
    for wiki, name in reversed(names):
        real.fault(wiki, name, False)


def classification(wiki_dir: Path) -> tuple[dict[int, dict[str, float]], dict[str, str], set[int]]:
    """ores_classification as {rev: {model: P(true)}}, ores_model {name: version}, and the
    revisions the extension scores (non-bot edits in recentchanges saved after install)."""
    db = sqlite3.connect(next((wiki_dir / "db").glob("*wiki.sqlite")))
    try:
        models = dict(db.execute("SELECT oresm_id, oresm_name FROM ores_model"))
        versions = dict(db.execute("SELECT oresm_name, oresm_version FROM ores_model"))
        scores: dict[int, dict[str, float]] = {}
        for rev, model, probability in db.execute(
            "SELECT oresc_rev, oresc_model, oresc_probability FROM ores_classification"
        ):
            scores.setdefault(rev, {})[models[model]] = probability
        scored = {
            rev
            for (rev,) in db.execute(
                "SELECT rc_this_oldid FROM recentchanges WHERE rc_bot = 0 AND rc_type IN (0, 1) "
                "AND rc_this_oldid > 1"
            )
        }
    finally:
        db.close()
    return scores, versions, scored


# --- the farm and its state --------------------------------------------------------------------


def test_up_loads_the_checkout_and_says_so(
    real: RealFarm, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        print(f"\n[testbed] `up` with Extension:ORES from an empty state dir: {real.seconds:.1f} s")
    assert any(line.startswith(f"ORES: Extension:ORES at {CHECKOUT}") for line in real.log)
    state = load_state(real.state_dir)
    assert state.ores_extension == str(CHECKOUT)
    for wiki_id, wiki in state.wikis.items():
        assert wiki.ores_levels == {m: list(lv) for m, lv in configured_levels(wiki_id).items()}
        assert wiki.ores_runtime == ("extension" if wiki.ores_levels else "none")
    settings = (state.wikis["ruwiki"].dir / "smoke-settings.php").read_text()
    assert f"wfLoadExtension( 'ORES', '{CHECKOUT}/extension.json' );" in settings
    assert "SmokeOres" not in settings


def test_status_names_the_checkout(real: RealFarm) -> None:
    result = subprocess.run(
        [SMOKE, "testbed", "--state-dir", str(real.state_dir), "status", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ores"]["runs"] == "extension" and report["ores"]["dir"] == str(CHECKOUT)
    assert {w["id"]: w["ores_levels"] for w in report["wikis"]} == {
        wiki: {m: list(lv) for m, lv in configured_levels(wiki).items()}
        for wiki in real.state.wikis
    }
    text = subprocess.run(
        [SMOKE, "testbed", "--state-dir", str(real.state_dir), "status"],
        capture_output=True, text=True, timeout=60, check=False,
    ).stdout  # fmt: skip
    # Which MediaWiki first, then which ORES (and how it scores), then the wikis.
    lines = text.splitlines()
    assert lines[0].startswith("MediaWiki: 1.39"), text
    assert lines[1].startswith(f"ORES: Extension:ORES at {CHECKOUT}"), text
    assert "scores from ORES v3" in lines[1], text


# --- what the wikis show -------------------------------------------------------------------------


@pytest.mark.parametrize("wiki_id", [*ORES_WIKIS, "nooreswiki"])
def test_recentchanges_offers_the_configured_levels(real: RealFarm, wiki_id: str) -> None:
    """enwiki: the extension's defaults (no goodfaith verylikelybad); ruwiki: all four of both;
    frwiki: no damaging maybebad; nooreswiki: no ORES."""
    rc = fetch(real.state.wikis[wiki_id].url + RC)
    assert rc.status == 200
    assert ores_groups(rc.body) == configured_levels(wiki_id)
    if wiki_id == "nooreswiki":
        assert "ext.ores" not in rc.body and mw_config(rc.body, "oresData") is None
    else:
        assert_ores_healthy(rc, wiki_id)


def test_watchlist_offers_the_configured_levels(real: RealFarm) -> None:
    wiki = real.state.wikis["frwiki"]
    assert_ores_healthy(fetch(wiki.url + WL, opener=login(wiki)), "frwiki")


def test_the_extensions_job_stored_the_scores(real: RealFarm) -> None:
    """The ORESFetchScoreJob of every seeded edit (run by runJobs.php) asked the service and
    filled ores_classification; PopulatedSqlModelLookup filled ores_model."""
    for wiki_id in ORES_WIKIS:
        scores, versions, scored = classification(real.state.wikis[wiki_id].dir)
        assert versions == scoring.MODEL_VERSIONS
        assert len(scored) >= 10
        assert set(scores) == scored, wiki_id  # every non-bot edit, nothing else
        for rev, by_model in scores.items():
            assert by_model == {m: scoring.probability(m, rev) for m in ORES_MODELS}, rev
    service_log = (real.state_dir / "logs" / "service.log").read_text()
    assert "GET /v3/scores/ruwiki/?models=damaging%7Cgoodfaith&revids=" in service_log


def test_contributions_and_meta_ores(real: RealFarm) -> None:
    for wiki_id in ORES_WIKIS:
        wiki = real.state.wikis[wiki_id]
        assert_contributions_healthy(fetch(wiki.url + CONTRIBS))
        api = json.loads(fetch(f"{wiki.url}/api.php?action=query&meta=ores&format=json").body)
        ores = api["query"]["ores"]
        assert ores["wikiid"] == wiki_id and set(ores["models"]) == set(ORES_MODELS)
        expected = {
            level: scoring.threshold("damaging", "true", formula)["threshold"]  # type: ignore[index]
            for level, formula in (
                ("maybebad", "maximum filter_rate @ recall >= 0.9"),
                ("likelybad", "maximum recall @ precision >= 0.6"),
                ("verylikelybad", "maximum recall @ precision >= 0.9"),
            )
            if level in configured_levels(wiki_id)["damaging"]
        }
        assert ores["damagingthresholds"] == expected


def test_filters_app_in_a_browser(real: RealFarm, browser: Browser) -> None:
    """Chromium: the structured filters app initialises with the configured groups; ORES's
    styles are loaded; filtering on a level keeps only rows of that level."""
    wiki = real.state.wikis["ruwiki"]
    look = look_at(browser, wiki.url + RC)
    assert look.page_errors == []
    assert look.states["ext.ores.styles"] == "ready"
    assert {"damaging", "goodfaith"} <= set(look.groups)
    filtered = fetch(wiki.url + RC + "&goodfaith=verylikelybad")
    rows = filtered.body.count('data-mw-revid="')
    assert rows and filtered.body.count("mw-changeslist-goodfaith-verylikelybad") >= rows


# --- faults on the real extension ----------------------------------------------------------------


def test_level_null_drops_only_that_level(real: RealFarm, switched: Callable[..., None]) -> None:
    wiki = real.state.wikis["ruwiki"]
    levels = configured_levels("ruwiki")
    switched("ruwiki", "level-null", model="goodfaith", level="likelybad")
    rc = fetch(wiki.url + RC)
    assert rc.status == 200
    assert ores_groups(rc.body) == {
        "damaging": levels["damaging"],
        "goodfaith": tuple(lv for lv in levels["goodfaith"] if lv != "likelybad"),
    }
    ores_log = (wiki.dir / "ores.log").read_text()
    assert "Unable to parse threshold" in ores_log and '"levelName":"likelybad"' in ores_log
    real.fault("ruwiki", "level-null", False)
    assert_ores_healthy(fetch(wiki.url + RC), "ruwiki")  # at once: no cached answer hides it


def test_service_500(real: RealFarm, switched: Callable[..., None]) -> None:
    """What the real extension does when the scoring service fails: every level dropped, HTTP
    200, the Contributions checkbox kept (filtering nothing); no error page."""
    wiki = real.state.wikis["enwiki"]
    user = login(wiki)
    switched("enwiki", "service-500")
    assert_ores_silently_gone(fetch(wiki.url + RC))
    assert_ores_silently_gone(fetch(wiki.url + WL, opener=user))
    assert_contributions_unscored(fetch(wiki.url + CONTRIBS))
    assert "Failed to fetch ORES stats" in (wiki.dir / "ores.log").read_text()
    real.fault("enwiki", "service-500", False)
    assert_ores_healthy(fetch(wiki.url + RC), "enwiki")


def test_null_threshold_silent(real: RealFarm, switched: Callable[..., None]) -> None:
    wiki = real.state.wikis["frwiki"]
    switched("frwiki", "null-threshold-silent")
    assert_ores_silently_gone(fetch(wiki.url + RC))
    assert_contributions_unscored(fetch(wiki.url + CONTRIBS))


def test_null_threshold_crash(real: RealFarm, switched: Callable[..., None]) -> None:
    """2017 replayed: HTTP 500 with RuntimeException "Unable to parse threshold" on all three."""
    wiki = real.state.wikis["ruwiki"]
    user = login(wiki)
    switched("ruwiki", "null-threshold-crash")
    for page in (
        fetch(wiki.url + RC),
        fetch(wiki.url + CONTRIBS),
        fetch(wiki.url + WL, opener=user),
    ):
        assert_fatal_runtime_exception(page, english=False)
    exceptions = (wiki.dir / "exception.log").read_text()
    assert "RuntimeException" in exceptions and "Unable to parse threshold" in exceptions


def test_module_error(real: RealFarm, switched: Callable[..., None], browser: Browser) -> None:
    switched("enwiki", "module-error")
    for page in (RC, CONTRIBS):
        states = look_at_any(browser, real.state.wikis["enwiki"].url + page)
        assert states["ext.smokefarm.moduleerror"] == "error", page


# --- the imitation gives the same -----------------------------------------------------------------

PARITY_PAGES = (
    RC + "&damaging=likelybad",
    RC + "&goodfaith=maybebad;likelybad&enhanced=1",
    RC + "&hidenondamaging=1",
    RC + "&damaging=verylikelybad&action=render",
    CONTRIBS + "&hidenondamaging=1",
    "/index.php?title=Special:Contributions/192.0.2.7",
)


def what_smoke_sees(page: Response) -> dict[str, Any]:
    groups = mw_config(page.body, "wgStructuredChangeFilters")
    assert groups is None or isinstance(groups, list)
    return {
        "status": page.status,
        # Full group definitions: levels, labels, row classes, subsets, conflicts.
        "groups": [g for g in groups if g["name"] in ORES_MODELS] if groups else None,
        "all_groups": list(filter_groups(page.body) or {}),
        "rows": sorted(r for r in page.body.split('"') if r.startswith("mw-changeslist-damag")),
        "revisions": page.body.count('data-mw-revid="'),
        "oresData": mw_config(page.body, "oresData"),
        "oresThresholds": mw_config(page.body, "oresThresholds"),
        "modules": sorted(
            {m for m in ("ext.ores.styles", "ext.ores.highlighter") if m in page.body}
        ),
        "checkbox": "ores-hide-nondamaging" in page.body,
    }


def test_the_imitation_shows_the_same(real: RealFarm, farm_state: FarmState) -> None:
    """Page for page, the session farm (the imitation, unless it runs a checkout too) shows what
    the real extension shows: groups, row classes, scores, modules, checkbox, meta=ores."""
    if farm_state.ores_extension:
        pytest.skip("the session farm runs Extension:ORES too ($SMOKE_ORES_EXTENSION)")
    for wiki_id in ORES_WIKIS:
        ours, theirs = farm_state.wikis[wiki_id], real.state.wikis[wiki_id]
        for path in PARITY_PAGES:
            imitation, extension = fetch(ours.url + path), fetch(theirs.url + path)
            assert what_smoke_sees(imitation) == what_smoke_sees(extension), (wiki_id, path)
        meta = "/api.php?action=query&meta=ores&format=json"
        assert fetch(ours.url + meta).body.replace(farm_state.service_url, "S") == fetch(
            theirs.url + meta
        ).body.replace(real.state.service_url, "S")


def sweep(state_dir: str, reports: Path, run_id: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """`smoke run` as a user runs it; the checks of results.json by id."""
    result = subprocess.run(
        [SMOKE, "run", "--testbed-dir", state_dir, "--reports-dir", str(reports),
         "--run-id", run_id, "-n", "2", "--wiki", "frwiki",
         "--page", "recentchanges", "--page", "contributions"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    results = reports / run_id / "results.json"
    assert results.exists(), result.stdout[-2000:] + result.stderr[-2000:]
    checks = json.loads(results.read_text())["checks"]
    return result.returncode, {c["id"]: c for c in checks}


def test_a_sweep_gives_the_same_outcomes_on_both(
    real: RealFarm, farm_state: FarmState, tmp_path: Path
) -> None:
    """The same checks on the imitation and on the real extension end the same way. frwiki lacks
    a level of each model, so this covers levels offered and not; failures here can only be levels
    the wiki does not offer (until wikis.yaml knows each wiki's levels)."""
    if farm_state.ores_extension:
        pytest.skip("the session farm runs Extension:ORES too ($SMOKE_ORES_EXTENSION)")
    code_a, imitation = sweep(farm_state.state_dir, tmp_path, "imitation")
    code_b, extension = sweep(str(real.state_dir), tmp_path, "extension")
    outcomes = {i: c["outcome"] for i, c in imitation.items()}
    assert outcomes == {i: c["outcome"] for i, c in extension.items()}
    assert code_a == code_b
    for check in extension.values():
        if check["outcome"] in ("failed", "broken"):
            messages = [f["message"] for f in check["findings"]]
            assert messages and all("not offered" in m for m in messages), check["id"]


# --- switching ORES on an existing farm ----------------------------------------------------------


def test_switching_to_the_imitation_and_back(real: RealFarm) -> None:
    """`up --ores-fallback` runs the imitation on the same wikis; `up --ores-extension` brings the
    real one back, and its PopulateDatabase.php scores edits the imitation saw unscored."""
    before = {w: ores_groups(fetch(real.state.wikis[w].url + RC).body) for w in ORES_WIKIS}
    log: list[str] = []
    farm.up(real.state_dir, ores_fallback=True, log=log.append)
    assert any(line.startswith("ORES: ") and "imitation" in line for line in log)
    state = load_state(real.state_dir)
    assert state.ores_extension is None and state.wikis["enwiki"].ores_runtime == "fallback"
    for wiki_id in ORES_WIKIS:
        assert ores_groups(fetch(state.wikis[wiki_id].url + RC).body) == before[wiki_id]
    # Edits the imitation saw have no stored scores: here, none of enwiki's have.
    db = sqlite3.connect(state.wikis["enwiki"].dir / "db" / "enwiki.sqlite")
    with db:
        db.execute("DELETE FROM ores_classification")
    db.close()

    farm.up(real.state_dir, ores_extension=CHECKOUT, log=quiet)
    state = load_state(real.state_dir)
    assert state.ores_extension == str(CHECKOUT)
    scores, _, scored = classification(state.wikis["enwiki"].dir)
    # Every edit again, and install.php's Main Page too: PopulateDatabase.php scores it.
    assert scored <= set(scores) <= scored | {1}
    assert_ores_healthy(fetch(state.wikis["enwiki"].url + RC), "enwiki")
