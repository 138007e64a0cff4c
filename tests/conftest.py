"""Fixtures shared by every test layer: a fresh emulator, and a factory of provider hosts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import ProviderHost


@pytest.fixture
def emulator() -> Iterator[FruxonEmulator]:
    """A fresh emulator with the demo catalogue, on 127.0.0.1."""
    with FruxonEmulator() as fx:
        yield fx


@pytest.fixture
def host() -> Iterator[Callable[..., ProviderHost]]:
    """Start `python -m pulumi.dynamic` hosts: `host()` or `host(env)`; all stopped at the end."""
    started: list[ProviderHost] = []

    def start(env: Mapping[str, str] | None = None) -> ProviderHost:
        provider_host = ProviderHost(env)
        started.append(provider_host)
        return provider_host.start()

    yield start
    for provider_host in started:
        provider_host.close()
