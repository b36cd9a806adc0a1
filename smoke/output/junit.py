"""junit.xml made to agree with results.json: every check that ran is a test case.

After Ctrl-C, pytest's junitxml knows only the reports that reached the controller, while
workers had already written results for more checks. The missing checks are added with their
outcome (failed → ``<failure>``, broken → ``<error>``, skipped → ``<skipped>``), and an
interrupted run says so in a suite property and in ``<system-err>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from smoke.model.outcome import Outcome
from smoke.output.results import CheckResult

_ELEMENT: dict[str, str] = {
    Outcome.FAILED: "failure",
    Outcome.BROKEN: "error",
    Outcome.SKIPPED: "skipped",
}


def _suites(root: ET.Element) -> list[ET.Element]:
    return [root] if root.tag == "testsuite" else root.findall("testsuite")


def _case(result: CheckResult, classname: str) -> ET.Element:
    case = ET.Element(
        "testcase", classname=classname, name=result.id, time=f"{result.duration_s:.3f}"
    )
    tag = _ELEMENT.get(result.outcome)
    if tag is not None:
        message = result.first_problem or result.outcome
        child = ET.SubElement(case, tag, message=message[:500])
        child.text = message
    return case


EMPTY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="{name}" '
    'tests="0" failures="0" errors="0" skipped="0"/></testsuites>\n'
)


def write_junit(
    path: Path, results: Sequence[CheckResult], *, interrupted_by: str | None, name: str = "smoke"
) -> int:
    """junit.xml agreeing with ``results``: pytest's file reconciled, or one made from scratch
    when there is none or it cannot be read (a watch; pytest's write cut short)."""
    try:
        ET.parse(path)
    except (OSError, ET.ParseError):
        path.write_text(EMPTY.format(name=name), "utf-8")
    return reconcile_junit(path, results, interrupted_by=interrupted_by)


def reconcile_junit(
    path: Path, results: Sequence[CheckResult], *, interrupted_by: str | None
) -> int:
    """Add the checks junit.xml lacks; mark an interrupted run (``interrupted_by``: the signal,
    e.g. ``SIGTERM``). Returns how many were added."""
    tree = ET.parse(path)
    suites = _suites(tree.getroot())
    if not suites:
        return 0
    suite = suites[0]
    present = {case.get("name") for s in suites for case in s.iter("testcase")}
    classname = next((c.get("classname", "") for c in suite.iter("testcase")), "wikis.yaml")
    added = [r for r in results if r.id not in present]
    for result in added:
        suite.append(_case(result, classname or "wikis.yaml"))
        counter = {
            Outcome.FAILED.value: "failures",
            Outcome.BROKEN.value: "errors",
            Outcome.SKIPPED.value: "skipped",
        }.get(result.outcome)
        if counter:
            suite.set(counter, str(int(suite.get(counter, "0")) + 1))
    suite.set("tests", str(int(suite.get("tests", "0")) + len(added)))
    if interrupted_by:
        properties = suite.find("properties")
        if properties is None:
            properties = ET.Element("properties")
            suite.insert(0, properties)
        ET.SubElement(properties, "property", name="smoke_interrupted", value="true")
        ET.SubElement(properties, "property", name="smoke_interrupted_by", value=interrupted_by)
        err = suite.find("system-err")
        if err is None:
            err = ET.SubElement(suite, "system-err")
        err.text = (err.text or "") + (
            f"smoke: run interrupted ({interrupted_by}); {len(results)} checks finished and are "
            "reported here and in results.json; the rest did not run.\n"
        )
    if added or interrupted_by:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return len(added)
