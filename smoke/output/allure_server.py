"""Allure results get what the server logged for each check, once the controller has read it.

Workers write a check's Allure result while the run goes on; the server's exception is read at
the end of the run (smoke.serverlog), so the controller adds it afterwards, as it does the
durations: an attachment with the message and frames, a link to the log, and the cause label
recomputed with the server's message (smoke.output.causes).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smoke.output.allure_labels import CAUSE_LABEL
from smoke.output.allure_results import rewrite_results

ATTACHMENT_NAME = "server exception"


def add_server_errors(
    allure_results: Path,
    texts: Mapping[str, str],
    records: Mapping[str, Mapping[str, Any]],
    causes: Mapping[str, str | None],
) -> int:
    """Attach ``texts`` (check id -> text) to the checks' results; returns how many changed."""

    def edit(name: str, body: dict[str, Any]) -> bool:
        if name not in records:
            return False
        if name in texts:
            source = f"{uuid.uuid4()}-attachment.txt"
            (allure_results / source).write_text(texts[name], "utf-8")
            body.setdefault("attachments", []).append(
                {"name": ATTACHMENT_NAME, "source": source, "type": "text/plain"}
            )
        link = records[name].get("link")
        if link:
            body.setdefault("links", []).append({"name": "server log", "url": link, "type": "link"})
        cause = causes.get(name)
        if cause:
            labels = [x for x in body.get("labels", []) if x.get("name") != CAUSE_LABEL]
            body["labels"] = [*labels, {"name": CAUSE_LABEL, "value": cause}]
        return True

    return rewrite_results(allure_results, edit)
