"""The Allure labels smoke sets on each check, named once for the plugin and the HTML report."""

from __future__ import annotations

import allure

from smoke.model.checks import Check

TARGET_LABEL = "target"
WIKI_LABEL = "wiki"
PAGE_LABEL = "page"
VARIANT_LABEL = "variant"
OUTCOME_LABEL = "smoke_outcome"  # smoke's own outcome: flaky and known are not Allure statuses
ATTEMPTS_LABEL = "attempts"
KNOWN_ISSUE_LABEL = "known_issue"  # the task id (T123), next to the task's issue link
CAUSE_LABEL = "cause"  # a failed or broken check's root cause (smoke.output.causes.cause_text)


def label_test(check: Check) -> None:
    """Allure labels for filtering and grouping: target, wiki, page, variant."""
    allure.dynamic.parent_suite(check.target)
    allure.dynamic.suite(check.wiki)
    allure.dynamic.sub_suite(check.page.value)
    allure.dynamic.title(check.id)
    for name, value in (
        (TARGET_LABEL, check.target),
        (WIKI_LABEL, check.wiki),
        (PAGE_LABEL, check.page.value),
        (VARIANT_LABEL, check.variant),
    ):
        allure.dynamic.label(name, value)
    allure.dynamic.tag(check.wiki, check.page.value)
    allure.dynamic.link(check.url, name="checked URL")


def label_outcome(
    outcome: str,
    attempts: int,
    known_task: str | None = None,
    known_url: str | None = None,
    cause: str | None = None,
) -> None:
    """smoke's own outcome as a label (flaky, known), the known issue's task link, the cause."""
    allure.dynamic.label(OUTCOME_LABEL, outcome)
    if cause:
        allure.dynamic.label(CAUSE_LABEL, cause)
    if attempts > 1:
        allure.dynamic.label(ATTEMPTS_LABEL, str(attempts))
    if known_task is not None and known_url is not None:
        allure.dynamic.issue(known_url, name=known_task)
        allure.dynamic.label(KNOWN_ISSUE_LABEL, known_task)
