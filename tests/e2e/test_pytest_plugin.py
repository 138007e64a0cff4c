"""`fruxon_stack`, as a user's test suite gets it: a program run by the real CLI against the
emulator, written the way the README's "Testing your own programs" shows it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import OAUTH_CONNECTION, PROGRAMS


def test_a_users_integration_test_of_a_program_passes(
    pytester: pytest.Pytester, pulumi_bin: str
) -> None:
    pytester.makepyfile(
        test_connection=f"""
from pulumi import automation as auto

PROGRAM = {str(OAUTH_CONNECTION)!r}


def test_the_connection_goes_live(fruxon_stack, fruxon_approve):
    stack = fruxon_stack(PROGRAM, pulumi_bin={pulumi_bin!r})
    first = stack.up()
    key = fruxon_approve(first.outputs["authorization_url"].value)
    stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))

    second = stack.up()

    assert second.outputs["live"].value is True
    stack.preview(expect_no_changes=True)
"""
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)


def test_a_broken_program_fails_with_a_readable_message(
    pytester: pytest.Pytester, pulumi_bin: str
) -> None:
    pytester.makepyfile(
        test_broken=f"""
def test_the_program_deploys(fruxon_stack):
    stack = fruxon_stack(
        {str(PROGRAMS / "mistakes")!r},
        pulumi_bin={pulumi_bin!r},
        config={{"mistake": "unknown-integration"}},
    )
    stack.up()
"""
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "Integration 'no-such-integration' was not found." in output
    assert "`fruxon.get_integrations()` lists the integrations" in output
