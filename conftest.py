"""Repository root: ``pytest wikis.yaml`` works from a source checkout, installed or not.

An installed smoke (``pip install .``, ``./run``) registers its pytest plugin, ``smoke.run.plugin``,
through the ``pytest11`` entry point. A plain checkout on ``PYTHONPATH``, or a run with
``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``, has no entry point: this file registers the same plugin
then, so ``python -m pytest wikis.yaml -n 2 --target beta`` behaves like ``smoke run``.
The plugin is never registered twice, and ``-p no:smoke`` still turns it off.
"""

from __future__ import annotations

import pytest


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    # "smoke": the entry point's name (and what -p no:smoke blocks); "smoke.run.plugin": ours.
    registered = pluginmanager.has_plugin("smoke") or pluginmanager.has_plugin("smoke.run.plugin")
    if not registered and not pluginmanager.is_blocked("smoke"):
        pluginmanager.import_plugin("smoke.run.plugin")
