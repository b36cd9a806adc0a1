"""The ``allurerc.mjs`` smoke writes for a build: name, output, history, categories, charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smoke.finished.report.categories import CATEGORIES, CHARTS
from smoke.output.allure_labels import PAGE_LABEL, WIKI_LABEL

CONFIG_FILE = "allurerc.mjs"


def allure_config(
    *,
    name: str,
    output: Path,
    history: Path,
    single_file: bool,
) -> dict[str, Any]:
    return {
        "name": name,
        "output": str(output),
        "historyPath": str(history),
        "categories": CATEGORIES,
        # "thread" and "host" say which xdist worker ran a check: noise in a report of wikis.
        "hideLabels": ["thread", "host"],
        "plugins": {
            "awesome": {
                "options": {
                    "reportName": name,
                    "singleFile": single_file,
                    "reportLanguage": "en",
                    # The tree by wiki, then page (the default is the file path: wikis.yaml).
                    "groupBy": [WIKI_LABEL, PAGE_LABEL],
                    "charts": CHARTS,
                }
            }
        },
    }


def config_module(config: dict[str, Any]) -> str:
    # JSON is valid JavaScript: the config stays data, whatever a run id or label contains.
    return "export default " + json.dumps(config, indent=2, ensure_ascii=False) + ";\n"
