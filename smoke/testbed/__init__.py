"""The local wiki farm: real MediaWiki wikis running Extension:ORES (or its imitation), a
scoring service, and switchable faults.

``smoke testbed up|status|down|fault`` (see :mod:`smoke.cli.testbed_command`). The farm's
state file is what the runner and the tests read: :func:`smoke.testbed.state.load_state`.
Which ORES levels each wiki offers is the table :data:`smoke.testbed.wikis.WIKI_SPECS`
(:func:`smoke.testbed.wikis.configured_levels`).
"""

from __future__ import annotations

from smoke.testbed.faults import FAULTS, Fault
from smoke.testbed.state import FarmState, WikiState, default_state_dir, load_state
from smoke.testbed.wikis import WIKI_SPECS, WikiSpec, configured_levels

__all__ = [
    "FAULTS",
    "WIKI_SPECS",
    "FarmState",
    "Fault",
    "WikiSpec",
    "WikiState",
    "configured_levels",
    "default_state_dir",
    "load_state",
]
