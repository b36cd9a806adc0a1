"""How `smoke validate` scales with the number of wikis in one target (issue 22, point 5).

    python -m bench.config_scale [--small 5000] [--large 50000] [--repeat 3]

Validates a generated target of SMALL wikis and one of LARGE wikis in this process and prints
the ratio of their CPU times (median of REPEAT). Linear work gives a ratio near LARGE/SMALL
(10 by default); the quadratic lookups that once made 56,521 wikis take 488 s give about its
square. Exit 1 when the ratio passes three times LARGE/SMALL, so a regression is plain.
This replaced a timed unit test: tests check what validation says, the bench how long it takes.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from smoke.cli.main import main as smoke_main


def big_target(wikis: int) -> str:
    """A wikis.yaml with one target of ``wikis`` wikis, half with per-model ORES levels."""
    lines = [
        "variants: [{name: plain, pages: [recentchanges, watchlist]}]",
        "targets:",
        "  big:",
        '    url: "https://{lang}.example.org/w"',
        "    login: {username_env: BIG_USER, password_env: BIG_PASS}",
        "    wikis:",
    ]
    for i in range(wikis):
        if i % 2:
            lines.append(f"      - {{id: wiki{i}, lang: l{i}, ores: [damaging, goodfaith]}}")
        else:
            lines.append(
                f"      - {{id: wiki{i}, lang: l{i}, "
                "ores: {damaging: [likelygood, likelybad], goodfaith: [likelygood]}}"
            )
    return "\n".join(lines) + "\n"


def validate_cpu_seconds(path: Path) -> float:
    """CPU seconds of one `smoke validate` of ``path`` in this process (exit 0 required)."""
    started = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        code = smoke_main(["validate", "--config", str(path)])
    took = time.process_time() - started
    if code != 0:
        raise SystemExit(f"bench.config_scale: smoke validate {path} exited {code}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.config_scale")
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for size in (args.small, args.large):
            paths[size] = Path(tmp) / f"wikis-{size}.yaml"
            paths[size].write_text(big_target(size), encoding="utf-8")
        times: dict[int, list[float]] = {args.small: [], args.large: []}
        for _ in range(args.repeat):
            for size, path in paths.items():
                times[size].append(validate_cpu_seconds(path))
    small = statistics.median(times[args.small])
    large = statistics.median(times[args.large])
    ratio = large / small if small > 0 else float("inf")
    linear = args.large / args.small
    print(f"validate {args.small} wikis: {small:.2f} s CPU (median of {args.repeat})")
    print(f"validate {args.large} wikis: {large:.2f} s CPU (median of {args.repeat})")
    print(f"ratio {ratio:.1f} (linear would be {linear:.0f}, quadratic {linear * linear:.0f})")
    return 0 if ratio <= 3 * linear else 1


if __name__ == "__main__":
    sys.exit(main())
