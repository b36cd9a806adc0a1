"""The local wiki farm: real MediaWiki wikis with ORES-like filters and switchable faults.

``smoke testbed up|status|down|fault`` (see :mod:`smoke.testbed.cli`). The farm's state file is
what the runner and the tests read: :func:`smoke.testbed.state.load_state`.
"""

from __future__ import annotations

from smoke.testbed.faults import FAULTS, Fault
from smoke.testbed.state import FarmState, WikiState, default_state_dir, load_state

__all__ = ["FAULTS", "FarmState", "Fault", "WikiState", "default_state_dir", "load_state"]
