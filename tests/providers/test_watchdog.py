"""The provider host exits once the engine that started it is gone (issue 17, defect 3)."""

from __future__ import annotations

import socket
import time

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import INTEGRATION_CONFIG, ProviderHost, stack_config
from tests.support.stacks import config_inputs


def test_the_host_exits_when_the_engine_stops_listening(emulator: FruxonEmulator) -> None:
    engine = socket.create_server(("127.0.0.1", 0))
    port = engine.getsockname()[1]
    provider_host = ProviderHost(engine_address=f"127.0.0.1:{port}").start()
    try:
        provider_host.configure(stack_config(emulator), secret_keys=["fruxon:token"])
        provider_host.check(INTEGRATION_CONFIG, config_inputs())  # loads and configures ours
        time.sleep(2.5)
        assert not provider_host.exited(), "the host left while the engine was up"

        engine.close()
        deadline = time.monotonic() + 15
        while not provider_host.exited() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert provider_host.exited()
        assert "the Pulumi engine is gone" in provider_host.stderr
    finally:
        engine.close()
        provider_host.close()


def test_a_host_started_without_an_engine_address_keeps_serving(
    provider_host: ProviderHost,
) -> None:
    provider_host.check(INTEGRATION_CONFIG, config_inputs())
    time.sleep(2.5)
    assert not provider_host.exited()
