"""Testbed errors. Each carries one sentence for the user and maps to an exit code.

TestbedError(Exception)
 +-- BadInput            unknown wiki or fault name, fault before up   -> exit 4
 +-- EnvironmentProblem  packages/MediaWiki missing, port taken,
                         a server that would not start                -> exit 5
"""

from __future__ import annotations

from smoke.model.exit_codes import ExitCode


class TestbedError(Exception):
    exit_code: ExitCode = ExitCode.DEFECT  # `status`: something does not answer
    __test__ = False  # not a pytest test class, despite the name


class BadInput(TestbedError):
    exit_code = ExitCode.USAGE


class EnvironmentProblem(TestbedError):
    exit_code = ExitCode.ENVIRONMENT
