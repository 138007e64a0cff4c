"""Fixtures of the provider layer: a real host, configured for the test's emulator.

The modules of `BOTH_DOORS` run each test twice: through the dynamic provider host and through
the provider plugin (`tests/support/plugin.py`), which drive the same provider objects.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import ProviderHost, stack_config
from tests.support.plugin import PluginHost

BOTH_DOORS = {
    "test_host",
    "test_integration_config_host",
    "test_integration_auth_host",
    "test_credential_link_host",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "door" in metafunc.fixturenames:
        module = metafunc.module.__name__.rsplit(".", 1)[-1]
        metafunc.parametrize("door", ["dynamic", "plugin"] if module in BOTH_DOORS else ["dynamic"])


@pytest.fixture
def provider_host(
    door: str,
    start_host: Callable[..., ProviderHost],
    start_plugin: Callable[..., PluginHost],
    emulator: FruxonEmulator,
) -> ProviderHost:
    """`python -m pulumi.dynamic` (or, for `door` "plugin", the provider plugin), configured
    with stack config that points at `emulator`."""
    started = start_host() if door == "dynamic" else start_plugin()
    started.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    return started
