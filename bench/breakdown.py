"""Where a check's time goes, per page type: ``python -m bench.breakdown --testbed-dir DIR``.

One browser, one page, sequential (no contention to share out), on a running healthy farm. For
each page type it loads the same variants many times and times each phase of a check apart,
in wall milliseconds and in CPU milliseconds of the browser side (Playwright's driver and
Chromium: this process's descendants) and of the farm's servers (PHP, scoring service):

  navigation   goto(url, wait_until="load"): request, server render, parse, subresources
  app start    load -> ResourceLoader settled and (RC/WL) body.mw-rcfilters-ui-initialized
  settle       smoke's 100 ms wait for errors thrown just after initialisation (idle)
  probe        the list refetch smoke probes on RC/WL (fetch of the URL + action=render)
  state        smoke's page-side record building (STATE_NOW_SCRIPT: config, modules, HTML)
  detectors    every detector on the record (Python)
  gc           the pool's V8 collection after a check
  screenshot   evidence of a failed check (only failed checks pay it)
  in-app       the whole in-app path of one variant (IN_APP_SCRIPT: filter change, refetch,
               list shown, settle, state): what replaces navigation..state for an ORES variant

and, for the request-blocking candidate, how many images, fonts and media a page fetches.
smoke's own bookkeeping per check (pytest item, result files, Allure) is what remains of a
``smoke run`` check once these are taken out: compare with the sweep's baselines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.procfs import CLK_TCK, children_map, descendants, scan_proc
from smoke.browser.chromium import find_chromium
from smoke.browser.page_scripts import (
    COLLECT_GARBAGE_SCRIPT,
    CONTROLLER_HOOK_SCRIPT,
    GC_HANDLE_SCRIPT,
    GC_LAUNCH_ARGS,
    IN_APP_SCRIPT,
    NO_POLLING_SCRIPT,
    STATE_NOW_SCRIPT,
)
from smoke.judge.detectors import run_detectors
from smoke.model.checks import Expectation
from smoke.model.checks import Page as SmokePage
from smoke.model.record import FilterGroup, MwConfig, PageRecord
from smoke.testbed.state import load_state

SETTLED = """() => {
  if (!(window.mw && mw.loader && typeof mw.loader.getModuleNames === 'function')) return false;
  const settled = ['ready', 'error', 'missing'];
  if ((window.RLPAGEMODULES || []).some(m => {
    const s = mw.loader.getState(m); return s !== null && !settled.includes(s); })) return false;
  const body = document.body.classList;
  return !body.contains('mw-rcfilters-enabled') || body.contains('mw-rcfilters-ui-initialized');
}"""
PROBE = """async () => {
  const url = new URL(location.href); url.searchParams.set('action', 'render');
  return (await fetch(url.toString(), {credentials: 'same-origin'})).status;
}"""
MEDIA = """() => performance.getEntriesByType('resource').reduce((n, e) => {
  const kind = /\\.(png|jpe?g|gif|svg|webp|ico)(\\?|$)/.test(e.name) ? 'image'
    : /\\.(woff2?|ttf|otf)(\\?|$)/.test(e.name) ? 'font'
    : /\\.(mp4|webm|ogg|mp3)(\\?|$)/.test(e.name) ? 'media' : e.initiatorType;
  n[kind] = (n[kind] || 0) + 1; return n; }, {})"""

PAGES = {
    SmokePage.RECENTCHANGES: (
        "damaging=likelybad",
        "goodfaith=likelybad",
        "damaging=maybebad",
        "damaging=likelygood",
    ),
    SmokePage.CONTRIBUTIONS: ("", "hidenondamaging=1"),
}
TITLES = {
    SmokePage.RECENTCHANGES: "Special:RecentChanges",
    SmokePage.CONTRIBUTIONS: "Special:Contributions/Alice",
}


class Clock:
    """Wall and CPU (browser side, servers) of one phase."""

    def __init__(self, server_pgids: set[int]) -> None:
        self.server_pgids = server_pgids
        self.phases: dict[str, list[tuple[float, float, float]]] = {}

    def _cpu(self) -> tuple[float, float]:
        procs = scan_proc()
        mine = descendants([os.getpid()], children_map(procs))
        client = sum(procs[p].ticks + procs[p].cticks for p in mine if p in procs)
        server = sum(p.ticks + p.cticks for p in procs.values() if p.pgid in self.server_pgids)
        return client / CLK_TCK, server / CLK_TCK

    def time(self, phase: str, work: Callable[[], Any]) -> Any:
        client0, server0 = self._cpu()
        started = time.perf_counter()
        result = work()
        wall = time.perf_counter() - started
        client1, server1 = self._cpu()
        self.phases.setdefault(phase, []).append((wall, client1 - client0, server1 - server0))
        return result

    def rows(self) -> list[tuple[str, float, float, float]]:
        return [
            (
                phase,
                1000 * statistics.median(v[0] for v in values),
                1000 * sum(v[1] for v in values) / len(values),
                1000 * sum(v[2] for v in values) / len(values),
            )
            for phase, values in self.phases.items()
        ]


def record_of(state: dict[str, Any], url: str) -> PageRecord:
    groups = state.get("groups")
    return PageRecord(
        requested_url=url,
        final_url=url,
        status=200,
        module_states=dict(state.get("modules") or {}),
        mw_config=MwConfig(
            filter_groups=None
            if groups is None
            else tuple(FilterGroup(g["name"], tuple(g["filters"])) for g in groups),
            ores_scored=state.get("oresScored"),
        ),
        body_classes=tuple(state.get("bodyClasses") or ()),
        html=state.get("html") or "",
        filters_ready=True,
    )


def measure(page: Page, base: str, kind: SmokePage, rounds: int, clock: Clock) -> dict[str, Any]:
    expectation = Expectation(page=kind)
    url0 = f"{base}/index.php?title={TITLES[kind]}"
    page.goto(url0, wait_until="load")  # the page's first load (warm caches)
    media: dict[str, int] = {}
    for _ in range(rounds):
        for variant in PAGES[kind]:
            url = url0 + ("&" + variant if variant else "")
            clock.time("navigation", lambda: page.goto(url, wait_until="load"))  # noqa: B023
            clock.time("app start", lambda: page.wait_for_function(SETTLED, polling=50))
            clock.time("settle", lambda: page.wait_for_timeout(100))
            if kind.has_filters_app:
                clock.time("probe", lambda: page.evaluate(PROBE))
            media = page.evaluate(MEDIA)
            state = clock.time("state", lambda: page.evaluate(STATE_NOW_SCRIPT))
            record = record_of(state, url)
            clock.time("detectors", lambda: run_detectors(record, expectation))  # noqa: B023
            clock.time("gc", lambda: page.evaluate(COLLECT_GARBAGE_SCRIPT))
        if kind.has_filters_app:
            page.goto(url0, wait_until="load")
            page.wait_for_function(SETTLED, polling=50)
            for variant in PAGES[kind]:
                arg = {"url": f"{url0}&{variant}", "timeoutMs": 30000, "settleMs": 100}
                clock.time("in-app", lambda: page.evaluate(IN_APP_SCRIPT, arg))  # noqa: B023
    clock.time("screenshot", lambda: page.screenshot())
    return {"html_kb": len(state.get("html") or "") // 1024, "requests": media}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.breakdown", description=__doc__)
    parser.add_argument("--testbed-dir", type=Path, required=True)
    parser.add_argument("--wiki", default="enwiki")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-images",
        action="store_true",
        help="the request-blocking candidate: Chromium fetches no images "
        "(--blink-settings=imagesEnabled=false; fonts and media: none on these pages)",
    )
    args = parser.parse_args(argv)
    state = load_state(args.testbed_dir)
    base = state.wikis[args.wiki].url
    pgids = {w.pgid for w in state.wikis.values()} | {state.service.pgid}
    chromium = find_chromium(None).executable
    out: dict[str, Any] = {}
    # --no-images: the request-blocking candidate, paired with smoke's own launch in this
    # invocation (one browser after the other, the same loads).
    launches: list[tuple[str, list[str]]] = [("as smoke launches it", [])]
    if args.no_images:
        launches.append(("no images", ["--blink-settings=imagesEnabled=false"]))
    with sync_playwright() as p:
        for label, extra in launches:
            browser = p.chromium.launch(executable_path=chromium, args=[*GC_LAUNCH_ARGS, *extra])
            context = browser.new_context()
            for script in (NO_POLLING_SCRIPT, GC_HANDLE_SCRIPT, CONTROLLER_HOOK_SCRIPT):
                context.add_init_script(script)
            page = context.new_page()
            for kind in PAGES:
                clock = Clock({p for p in pgids if p})
                facts = measure(page, base, kind, args.rounds, clock)
                out.setdefault(label, {})[kind.value] = {"phases": clock.rows(), **facts}
                print(
                    f"\n{kind.value}, Chromium {label} ({args.wiki}, {args.rounds} rounds of "
                    f"{len(PAGES[kind])} variants; HTML {facts['html_kb']} KB; "
                    f"requests {facts['requests']})"
                )
                print(f"  {'phase':12} {'wall ms':>8} {'client CPU ms':>14} {'server CPU ms':>14}")
                for phase, wall, client, server in clock.rows():
                    print(f"  {phase:12} {wall:8.0f} {client:14.0f} {server:14.0f}")
            browser.close()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
