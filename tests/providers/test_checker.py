"""The shared `Checker`: one rule per kind of input, for every provider's `check`."""

from __future__ import annotations

import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon._checks import Checker
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider

LONGEST = "a" * _constants.MAX_ID_LENGTH


def test_an_id_of_the_documented_maximum_length_passes() -> None:
    checker = Checker({"integration": LONGEST})
    checker.slug("integration")
    assert checker.failures == []
    assert checker.inputs["integration"] == LONGEST


@pytest.mark.parametrize("length", [_constants.MAX_ID_LENGTH + 1, 5000])
def test_a_longer_id_fails_with_its_length_not_its_whole_value(length: int) -> None:
    checker = Checker({"workspace": "w" * length})
    checker.slug("workspace")
    (failure,) = checker.failures
    assert failure.property == "workspace"
    assert f"at most {_constants.MAX_ID_LENGTH} characters" in failure.reason
    assert str(length) in failure.reason
    assert len(failure.reason) < 200


def test_both_providers_refuse_a_5000_character_integration_id() -> None:
    huge = "x" * 5000
    url = AuthorizationUrlProvider().check({}, {"integration": huge})
    auth = IntegrationAuthProvider().check(
        {},
        {
            "integration": huge,
            "integration_config_id": "0b6f2c4e-8d1a-4c3b-9e5f-7a6b5c4d3e2f",
            "credential_key": "fxck_key",
        },
    )
    assert [f.property for f in url.failures] == ["integration"]
    assert [f.property for f in auth.failures] == ["integration"]


def test_a_reason_shows_a_value_whole_or_not_at_all() -> None:
    # The engine masks a secret in what the CLI prints only where it appears whole.
    secret = "Hunter2-correct-horse-battery-staple-and-more-words-" + "x" * 20
    checker = Checker(
        {"parameters": {"port": 8080, "webhook_secret": secret}, "scopes": [secret, 7]}
    )
    checker.string_map("parameters")
    checker.string_list("scopes")

    parameters, scopes = (f.reason for f in checker.failures)
    assert parameters == "parameters must be a map of strings to strings, got 'port': 8080"
    assert scopes == "scopes must be a list of non-empty strings, got a list of length 2"
    assert not any(secret[:12] in f.reason for f in checker.failures)


def test_an_empty_credential_key_says_where_a_key_comes_from() -> None:
    checked = IntegrationAuthProvider().check(
        {},
        {
            "integration": "salesforce",
            "integration_config_id": "0b6f2c4e-8d1a-4c3b-9e5f-7a6b5c4d3e2f",
            "credential_key": "",
        },
    )
    (failure,) = checked.failures
    assert failure.reason.startswith("credential_key must be a non-empty string (got an empty one)")
    assert "AuthorizationUrl" in failure.reason and "pulumi up --exclude" in failure.reason
