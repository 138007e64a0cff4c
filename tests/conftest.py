"""Fixtures shared by every test layer: a fresh emulator, a factory of provider hosts, and the
reset of Pulumi's runtime after a program ran under mocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import ProviderHost
from tests.support.plugin import PluginHost


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """IntegrationAuth's consume journal goes to a fresh folder, never the user's home; hosts
    and the CLI inherit it through the environment."""
    monkeypatch.setenv("FRUXON_STATE_DIR", str(tmp_path_factory.mktemp("fruxon-state")))


@pytest.fixture
def emulator() -> Iterator[FruxonEmulator]:
    """A fresh emulator with the demo catalogue, on 127.0.0.1."""
    with FruxonEmulator() as fx:
        yield fx


@pytest.fixture
def start_host() -> Iterator[Callable[..., ProviderHost]]:
    """Start `python -m pulumi.dynamic` hosts: `start_host()`, or `start_host(env)`; all are
    stopped at the end."""
    started: list[ProviderHost] = []

    def start(env: Mapping[str, str] | None = None) -> ProviderHost:
        provider_host = ProviderHost(env)
        started.append(provider_host)
        return provider_host.start()

    yield start
    for provider_host in started:
        provider_host.close()


@pytest.fixture
def start_plugin() -> Iterator[Callable[..., PluginHost]]:
    """Start provider plugins, `python -m pulumi_fruxon.provider`: `start_plugin()` or
    `start_plugin(env)`; all are stopped at the end."""
    started: list[PluginHost] = []

    def start(env: Mapping[str, str] | None = None) -> PluginHost:
        plugin_host = PluginHost(env)
        started.append(plugin_host)
        return plugin_host.start()

    yield start
    for plugin_host in started:
        plugin_host.close()


@pytest.fixture
def reset_pulumi_runtime() -> Iterator[None]:
    """After the test, undo `use_mocks` and any stack config it set (`tests/support/mocks.py`),
    so that later tests see a runtime with no engine. A module whose tests run programs under
    mocks asks for it with `pytestmark = pytest.mark.usefixtures("reset_pulumi_runtime")`."""
    yield
    # Imported here: most layers never load Pulumi's runtime.
    from tests.support.mocks import reset_runtime

    reset_runtime()
