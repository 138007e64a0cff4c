"""The `fruxon_*` fixtures, as a user's test suite gets them from the installed package.

Each test writes a user's test file with `pytester` and runs pytest on it in a subprocess, so
the fixtures come through the package's `pytest11` entry point, not through this repository's
conftest.
"""

from __future__ import annotations

import pytest

USERS_TESTS = """
from pulumi_fruxon.client import FruxonClient


def test_a_consent_binds_a_config(fruxon_emulator, fruxon_approve):
    config_id = fruxon_emulator.add_config("salesforce", display_name="Salesforce test")
    with FruxonClient(fruxon_emulator.token, fruxon_emulator.workspace,
                      fruxon_emulator.base_url) as client:
        url = client.authorize("salesforce")
        key = fruxon_approve(url)
        client.consume_oauth_credentials("salesforce", config_id, key)
    assert fruxon_emulator.get_config(config_id)["hasAuth"] is True


def test_a_link_fill_publishes(fruxon_emulator, fruxon_fill_link):
    config_id = fruxon_emulator.add_config("stripe", auth_method_id="api_key")
    with FruxonClient(fruxon_emulator.token, fruxon_emulator.workspace,
                      fruxon_emulator.base_url) as client:
        link = client.create_credential_link("stripe", config_id)
    revision = fruxon_fill_link(link.url, {"api_key": "sk_test_typed_by_a_human"})
    assert revision["version"] == 1


def test_each_test_gets_its_own_emulator(fruxon_emulator):
    assert fruxon_emulator.requests == []
"""


def test_the_fixtures_work_in_a_users_test_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_users=USERS_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=3)


def test_registering_the_plugin_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_untouched="""
import sys


def test_nothing_of_ours_is_loaded():
    assert "pulumi_fruxon_pytest" in sys.modules  # the plugin is registered...
    loaded = [m for m in ("pulumi", "pulumi_fruxon", "httpx", "pydantic") if m in sys.modules]
    assert loaded == []  # ...and loaded nothing else
"""
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)


def test_a_failing_user_test_reads_plainly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_wrong="""
def test_expects_a_config_that_is_not_there(fruxon_emulator):
    assert fruxon_emulator.list_configs("no-such-integration") != []
"""
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert [] != []*"])
