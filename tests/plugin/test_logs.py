"""Log lines under their resource: the plugin sends `pulumi.log` warnings and the client's retry
lines to the engine's Log service with the URN of the call that wrote them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import INTEGRATION_AUTH, Stack, stack_config
from tests.support.plugin import PluginHost
from tests.support.stacks import auth_inputs

URN = "urn:pulumi:stack::proj::fruxon:index:IntegrationAuth::res"


class Engine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service, keeping what it was sent."""

    def __init__(self) -> None:
        self.lines: list[Any] = []
        self.lock = threading.Lock()

    def Log(self, request: Any, context: Any) -> Any:
        with self.lock:
            self.lines.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[Engine, str]]:
    service = Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield service, f"127.0.0.1:{port}"
    server.stop(0)


def test_warnings_and_retries_go_to_the_engine_under_their_resource(
    engine: tuple[Engine, str], emulator: FruxonEmulator
) -> None:
    service, address = engine
    plugin = PluginHost(engine_address=address)
    try:
        plugin.start()
        plugin.configure(stack_config(emulator), secret_keys=["fruxon:token"])
        config_id = emulator.add_config("internal_crm")
        key = emulator.mint_credential_key("internal_crm")
        emulator.rate_limit_next(1, retry_after="0", route="consumeOAuthCredentials")
        stack = Stack(plugin, INTEGRATION_AUTH)
        stack.up(auth_inputs(config_id, key))
        stack.destroy()  # the binding stays: a warning says how to disconnect
        stderr = plugin.stderr
    finally:
        plugin.close()

    lines = [(line.severity, line.urn, line.message) for line in service.lines]
    retries = [line for line in lines if "retrying in" in line[2]]
    assert [(severity, urn) for severity, urn, _ in retries] == [(engine_pb2.WARNING, URN)]
    kept = [line for line in lines if "no API to revoke" in line[2]]
    assert [(severity, urn) for severity, urn, _ in kept] == [(engine_pb2.WARNING, URN)]
    assert "no API to revoke" not in stderr and "retrying in" not in stderr
    assert not [line for line in lines if key in line[2] or emulator.token in line[2]]
