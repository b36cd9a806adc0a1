"""The floor baseline: one browser, ONE page reused with ``goto`` for every URL, nothing else.

    python -m bench.floor SPEC.json                  every check, one loop
    python -m bench.floor SPEC.json --parallel N     N such loops side by side, checks dealt
                                                     round-robin (floor-parallel: the floor under
                                                     smoke's parallelism; informational)

Run from the repository root (the sweep does). Deliberately minimal: no pytest, no smoke, the
standard library and Playwright only, so that it measures what loading the pages costs.
Prints ``floor: N passed, M failed``; exit 0 when every check loaded.
"""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import sync_playwright

from bench.spec import LoadCheck, read_spec

SLICE_PREFIX = "floor-slice:"


def loop(chromium: str, ready_selector: str, checks: list[LoadCheck]) -> int:
    """Load every check in turn on one page; returns how many loaded."""
    ok = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        page = browser.new_page()
        for check in checks:
            try:
                response = page.goto(check["url"], wait_until="load", timeout=check["nav_ms"])
                if check["filters"]:
                    page.wait_for_selector(
                        ready_selector, state="attached", timeout=check["ready_ms"]
                    )
                # < 500: MediaWiki answers an empty RecentChanges list with HTTP 404.
                if response is not None and response.status < 500:
                    ok += 1
                else:
                    print("FAIL", check["id"], response and response.status, flush=True)
            except Exception as exc:  # any failure is a failed load, never the end of the loop
                print("FAIL", check["id"], str(exc).splitlines()[0], flush=True)
        browser.close()
    return ok


def parallel(spec_path: str, n: int) -> int:
    """N loops as N processes (each its own browser); the sum of what they loaded."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.floor", spec_path, "--slice", f"{k}/{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(n)
    ]
    ok = 0
    for child in children:
        out, _ = child.communicate()
        print(out, end="")
        if SLICE_PREFIX in out:
            ok += int(out.rsplit(SLICE_PREFIX, 1)[1].split()[0])
    return ok


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] not in ("--parallel", "--slice")):
        print(__doc__, file=sys.stderr)
        return 4
    spec = read_spec(argv[0])
    checks = spec["checks"]
    if len(argv) == 3 and argv[1] == "--slice":
        k, n = map(int, argv[2].split("/"))
        mine = loop(spec["chromium"], spec["ready_selector"], checks[k::n])
        print(f"{SLICE_PREFIX} {mine}", flush=True)
        return 0
    if len(argv) == 3:
        ok = parallel(argv[0], int(argv[2]))
    else:
        ok = loop(spec["chromium"], spec["ready_selector"], checks)
    print(f"floor: {ok} passed, {len(checks) - ok} failed")
    return 0 if ok == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
