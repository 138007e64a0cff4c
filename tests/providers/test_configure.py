"""A malformed setting leaves `check` working offline and fails the first call that needs it."""

from __future__ import annotations

import logging

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.errors import ConfigurationError
from pulumi_fruxon.testing import FruxonEmulator


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("fruxon:token", "fx_pat_a\nb", "fruxon:token"),
        ("fruxon:baseUrl", "ftp://fruxon.example", "fruxon:baseUrl"),
        ("fruxon:timeout", "soon", "fruxon:timeout"),
    ],
)
def test_a_malformed_setting_fails_create_naming_its_key(
    emulator: FruxonEmulator,
    caplog: pytest.LogCaptureFixture,
    key: str,
    value: str,
    named: str,
) -> None:
    config = {
        "fruxon:token": emulator.token,
        "fruxon:baseUrl": emulator.base_url,
        "fruxon:workspace": emulator.workspace,
        key: value,
    }
    provider = AuthorizationUrlProvider()
    provider.configure(ConfigureRequest(Config(config, "proj")))

    checked = provider.check({}, {"integration": "slack"})
    assert checked.failures == []
    for _ in range(2):  # every call says the same thing
        with caplog.at_level(logging.DEBUG), pytest.raises(ConfigurationError) as raised:
            provider.create(checked.inputs)
        assert named in str(raised.value)
    assert "fx_pat_a" not in str(raised.value) + caplog.text
    assert emulator.requests == []
