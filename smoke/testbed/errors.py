"""Testbed errors. Each carries one sentence for the user and maps to an exit code.

TestbedError(Exception)
 +-- BadInput            unknown wiki or fault name, fault before up   -> exit 4
 +-- EnvironmentProblem  packages/MediaWiki missing, port taken,
                         a server that would not start                -> exit 5
"""

from __future__ import annotations


class TestbedError(Exception):
    exit_code = 1
    __test__ = False  # not a pytest test class, despite the name


class BadInput(TestbedError):
    exit_code = 4


class EnvironmentProblem(TestbedError):
    exit_code = 5
