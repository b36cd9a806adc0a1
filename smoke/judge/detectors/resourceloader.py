"""``resourceloader``: ResourceLoader modules that ended in state "error".

A module that fails to load or execute ends in ``mw.loader.getState(name) === 'error'``; its
dependants never run, often without an uncaught exception. One finding per module, sorted by
name, so each broken module reads on its own line.
"""

from __future__ import annotations

from collections.abc import Iterator

from smoke.judge.detectors.registry import detector
from smoke.model.checks import Expectation
from smoke.model.findings import Finding
from smoke.model.record import PageRecord

NAME = "resourceloader"

ERROR_STATE = "error"


@detector(NAME)
def resourceloader(record: PageRecord, expectation: Expectation) -> Iterator[Finding]:
    """ResourceLoader modules in state "error" (mw.loader.getState)."""
    for module, state in sorted(record.module_states.items()):
        if state == ERROR_STATE:
            yield Finding(
                NAME,
                f'ResourceLoader module "{module}" is in state "{state}"',
                {"module": module, "state": state},
            )
