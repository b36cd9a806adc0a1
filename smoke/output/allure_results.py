"""The controller's one way of changing Allure result files after the workers wrote them.

Workers write a check's ``*-result.json`` while the run goes on; what is only known at the end
(real durations, the server's exception, causes) is added by rewriting them, each atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def rewrite_results(allure_results: Path, edit: Callable[[str, dict[str, Any]], bool]) -> int:
    """Call ``edit(check id, result body)`` on every result; write back those it says it changed.

    Returns how many results were rewritten. A result that cannot be read is left as it is.
    """
    changed = 0
    for path in allure_results.glob("*-result.json"):
        try:
            body = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # not ours to repair; Allure reports it
        if not edit(str(body.get("name", "")), body):
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
        tmp.replace(path)
        changed += 1
    return changed
