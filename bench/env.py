"""Where things are (the repository, the ``smoke`` executable) and the bench's progress log."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SMOKE = (
    str(VENV_BIN / "smoke") if (VENV_BIN / "smoke").exists() else shutil.which("smoke") or "smoke"
)


class Interrupted(Exception):
    """SIGTERM or SIGHUP: unwind like Ctrl-C, so that everything started is stopped."""


class SetupError(Exception):
    """The bench cannot run (bad selection, no farm, a CLI step failed): exit 4 with this text."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
