"""The driver's NODE_OPTIONS: added for the driver's start only, a user's own setting kept."""

from __future__ import annotations

import os

import pytest

from smoke.browser.worker import DRIVER_NODE_OPTIONS, driver_node_options


def test_unset_options_are_set_for_the_driver_and_removed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    with driver_node_options():
        assert os.environ["NODE_OPTIONS"] == DRIVER_NODE_OPTIONS
    assert "NODE_OPTIONS" not in os.environ


def test_other_user_options_are_kept_and_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--trace-warnings")
    with driver_node_options():
        assert os.environ["NODE_OPTIONS"] == f"--trace-warnings {DRIVER_NODE_OPTIONS}"
    assert os.environ["NODE_OPTIONS"] == "--trace-warnings"


def test_a_users_own_semi_space_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--max-semi-space-size=8")
    with driver_node_options():
        assert os.environ["NODE_OPTIONS"] == "--max-semi-space-size=8"
