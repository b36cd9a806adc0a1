"""What the report groups results by: Allure categories, and the charts of the Graphs page."""

from __future__ import annotations

from typing import Any

from smoke.model.wikimedia import TASK_PATTERN
from smoke.output.allure_labels import (
    CAUSE_LABEL,
    KNOWN_ISSUE_LABEL,
    OUTCOME_LABEL,
    PAGE_LABEL,
    WIKI_LABEL,
)

# Allure 3 categories, from the labels the plugin sets (allure_labels.label_outcome) and the
# status allure-pytest derives. The first rule that matches a result wins, so the order is the
# meaning:
# * Known issue: label known_issue=T123. The plugin xfails a quarantined check, which Allure shows
#   as *skipped*; a known issue stays "known" whatever its status.
# * Flaky: label smoke_outcome=flaky, smoke's own judgement (failed or broken, then passed on a
#   retry; status passed, or failed under --fail-on-flaky). Allure's history-based "flaky" mark
#   (failed now, passed since an earlier failure) is deliberately not a category: a regression
#   after a fix would be filed away as flaky, and a failed check is exactly what smoke exists to
#   shout about. Allure still shows its flaky icon.
# * Product defect: failed (AssertionError from the detectors).
# * Could not check: broken (any other exception, e.g. CouldNotCheck in the item's setup).
# Defects and could-not-check results are grouped by root cause (label "cause", the message
# with request ids, URLs, numbers, wiki and page taken out: smoke.output.causes), so a fault
# that breaks 56 checks the same way is one group; raw messages would make one group per check.
CATEGORIES: list[dict[str, Any]] = [
    {
        "id": "known-issue",
        "name": "Known issue",
        "matchers": {
            "statuses": ["failed", "broken", "skipped"],
            "labels": {KNOWN_ISSUE_LABEL: TASK_PATTERN},
        },
        "groupBy": [{"label": KNOWN_ISSUE_LABEL}],
        "groupByMessage": False,
    },
    {
        "id": "flaky",
        "name": "Flaky",
        "matchers": {"labels": {OUTCOME_LABEL: "^flaky$"}},
        "groupBy": [{"label": WIKI_LABEL}],
        "groupByMessage": False,
    },
    {
        "id": "product-defect",
        "name": "Product defect",
        "matchers": {"statuses": ["failed"]},
        "groupBy": [{"label": CAUSE_LABEL}],
        "groupByMessage": False,
    },
    {
        "id": "could-not-check",
        "name": "Could not check",
        "matchers": {"statuses": ["broken"]},
        "groupBy": [{"label": CAUSE_LABEL}],
        "groupByMessage": False,
    },
]


# The Graphs page. Allure's default set includes charts by feature/epic/story/severity/layer,
# labels smoke never sets (empty panels); stability is shown by wiki and by page instead.
CHARTS: list[dict[str, Any]] = [
    {"type": "currentStatus", "title": "Current status"},
    {"type": "statusDynamics", "title": "Status dynamics (trend)"},
    {"type": "statusTransitions", "title": "Status transitions"},
    *(
        {
            "type": "stabilityDistribution",
            "title": f"Stability by {label}",
            "skipStatuses": ["skipped", "unknown"],
            "threshold": 90,
            "groupBy": f"label-name:{label}",
        }
        for label in (WIKI_LABEL, PAGE_LABEL)
    ),
    {"type": "statusAgePyramid", "title": "Status age pyramid"},
    {"type": "durations", "title": "Durations histogram", "groupBy": "none"},
    {"type": "durationDynamics", "title": "Durations dynamics"},
]
