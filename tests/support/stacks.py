"""Stacks of one IntegrationConfig or IntegrationAuth through the real host, for the provider
tests of both resources: their inputs, and the setups several tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    ProviderHost,
    Stack,
    program_inputs,
    stack_config,
)

WRITES = {"POST", "PATCH", "PUT", "DELETE"}
SECRET = "whsec-host-0123456789"


def config_inputs(**props: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "integration": "internal_crm",
        "display_name": "CRM prod",
        "parameters": {"base_url": "https://crm.example"},
        "secret_parameters": {"webhook_secret": SECRET},
    }
    values.update(props)
    return program_inputs(IntegrationConfigProvider(), **values)


def auth_inputs(config_id: str, key: str, **props: Any) -> dict[str, Any]:
    return program_inputs(
        IntegrationAuthProvider(),
        integration="internal_crm",
        integration_config_id=config_id,
        credential_key=key,
        **props,
    )


def writes(fx: FruxonEmulator) -> list[str]:
    return [r.route for r in fx.requests if r.method in WRITES]


def created(provider_host: ProviderHost, fx: FruxonEmulator, **props: Any) -> Stack:
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    assert stack.up(config_inputs(**props)) == "create"
    fx.clear_requests()
    return stack


def config_id_of(stack: Stack) -> str:
    assert stack.state is not None
    return str(stack.state.outputs["config_id"])


def bound(provider_host: ProviderHost, emulator: FruxonEmulator) -> tuple[Stack, str, str]:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    stack = Stack(provider_host, INTEGRATION_AUTH)
    assert stack.up(auth_inputs(config_id, key)) == "create"
    return stack, config_id, key


def died_mid_consume(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> tuple[str, dict[str, Any]]:
    """An `up` whose consume Fruxon processed, then the connection dropped and an outage failed
    the re-read: the resource never reached state, and the key is spent."""
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
    first = start_host()
    first.configure({**stack_config(emulator), "fruxon:timeout": "2"}, ["fruxon:token"])
    emulator.drop_after_consume(1, outage=50)
    with pytest.raises(HostError) as died:
        Stack(first, INTEGRATION_AUTH).up(news)
    assert "outcome is unknown" in died.value.details
    emulator.clear_faults()
    assert emulator.get_config(config_id)["hasAuth"] is True
    return config_id, news


def configs_named(fx: FruxonEmulator, name: str) -> list[dict[str, Any]]:
    return [c for c in fx.list_configs("internal_crm") if c["displayName"] == name]
