"""Fixtures of the provider layer: a real host, configured for the test's emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import ProviderHost, stack_config


@pytest.fixture
def provider_host(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> ProviderHost:
    """`python -m pulumi.dynamic`, configured with stack config that points at `emulator`."""
    started = start_host()
    started.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    return started
