"""``smoke``: run, list and validate checks; manage the local testbed."""

from __future__ import annotations

import argparse
import sys

from smoke import __version__
from smoke.testbed import cli as testbed_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smoke", description=__doc__)
    parser.add_argument("--version", action="version", version=f"smoke {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    testbed_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
