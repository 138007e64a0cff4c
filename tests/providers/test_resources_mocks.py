"""The resource classes under `pulumi.runtime.set_mocks` (docs/architecture.md#tests, layer 6)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import dill
import pulumi
import pytest
from pulumi.runtime import rpc

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.authorization_url import AuthorizationUrl
from pulumi_fruxon.errors import FruxonError
from pulumi_fruxon.integration_auth import IntegrationAuth
from pulumi_fruxon.integration_config import IntegrationConfig
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import AUTHORIZATION_URL, INTEGRATION_AUTH, INTEGRATION_CONFIG
from tests.support.mocks import (
    HostMocks,
    RecordingMonitor,
    retrieve_failures,
    use_mocks,
)

CONFIG_ID = "0b6f6c2e-1d0a-4c3e-9f7b-2a5d8e9c1f00"
MOCK_TOKEN = "fx_pat_mocks_never_pickled"


pytestmark = pytest.mark.usefixtures("reset_pulumi_runtime")


@pytest.fixture
def monitor() -> Iterator[RecordingMonitor]:
    recording = use_mocks(HostMocks())
    pulumi.runtime.set_all_config(
        {"fruxon:token": MOCK_TOKEN, "fruxon:workspace": "demo"}, ["fruxon:token"]
    )
    yield recording


def registered_inputs(monitor: RecordingMonitor, type_: str) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(monitor.registration(type_).object))


@pulumi.runtime.test
def test_integration_auth_registration(monitor: RecordingMonitor) -> Any:
    auth = IntegrationAuth(
        "crm",
        integration="salesforce",
        integration_config_id=CONFIG_ID,
        credential_key="fxck_plain_in_the_program",
        opts=pulumi.ResourceOptions(additional_secret_outputs=["level"], protect=True),
    )

    def check(_: Any) -> None:
        request = monitor.registration(INTEGRATION_AUTH)
        assert request.type == "pulumi-python:dynamic/fruxon:IntegrationAuth"
        # The class adds its own secret output and keeps the user's options.
        assert set(request.additionalSecretOutputs) == {"credential_key", "level"}
        assert request.protect is True
        inputs = registered_inputs(monitor, INTEGRATION_AUTH)
        assert rpc.is_rpc_secret(inputs["credential_key"])
        assert rpc.unwrap_rpc_secret(inputs["credential_key"]) == "fxck_plain_in_the_program"
        assert rpc.is_rpc_secret(inputs["__provider"])
        assert "token" not in inputs
        pickled = base64.b64decode(rpc.unwrap_rpc_secret(inputs["__provider"]))
        assert MOCK_TOKEN.encode() not in pickled
        assert dill.loads(pickled).__dict__ == {}

    # Declared outputs exist as attributes even before the engine answers.
    outputs = [
        auth.credential_fingerprint,
        auth.auth_method_id,
        auth.level,
        auth.granted_scopes,
        auth.config_modified_at,
        auth.workspace,
    ]
    return pulumi.Output.all(*outputs).apply(check)


@pulumi.runtime.test
def test_integration_config_registration(monitor: RecordingMonitor) -> Any:
    config = IntegrationConfig(
        "crm",
        integration="internal_crm",
        display_name="CRM prod",
        parameters={"base_url": "https://crm.example"},
        secret_parameters={"webhook_secret": "whsec-in-the-program"},
    )

    def check(_: Any) -> None:
        request = monitor.registration(INTEGRATION_CONFIG)
        assert request.type == "pulumi-python:dynamic/fruxon:IntegrationConfig"
        assert list(request.additionalSecretOutputs) == [
            "secret_parameters",
            "secret_parameter_fingerprints",
        ]
        inputs = registered_inputs(monitor, INTEGRATION_CONFIG)
        assert rpc.is_rpc_secret(inputs["secret_parameters"])
        assert not rpc.is_rpc_secret(inputs["parameters"])
        assert inputs["publish"] is True
        assert inputs["display_name"] == "CRM prod"

    outputs = [config.config_id, config.live, config.secret_parameter_fingerprints]
    return pulumi.Output.all(*outputs).apply(check)


@pulumi.runtime.test
def test_authorization_url_registration(monitor: RecordingMonitor) -> Any:
    url = AuthorizationUrl("consent", integration="salesforce", scopes=["api"], rotation="1")

    def check(_: Any) -> None:
        request = monitor.registration(AUTHORIZATION_URL)
        assert request.type == "pulumi-python:dynamic/fruxon:AuthorizationUrl"
        assert list(request.additionalSecretOutputs) == ["url"]
        inputs = registered_inputs(monitor, AUTHORIZATION_URL)
        assert inputs["auth_method"] == "oauth2"
        assert inputs["scopes"] == ["api"]
        assert inputs["rotation"] == "1"

    return url.url.apply(check)


def test_resources_run_their_real_providers_against_the_emulator(
    emulator: FruxonEmulator,
) -> None:
    mocks = HostMocks(
        {
            "fruxon:token": emulator.token,
            "fruxon:baseUrl": emulator.base_url,
            "fruxon:workspace": emulator.workspace,
        }
    )
    use_mocks(mocks)
    config_id = emulator.add_config("salesforce")
    key = emulator.mint_credential_key("salesforce")

    @pulumi.runtime.test
    def program() -> Any:
        auth = IntegrationAuth(
            "crm",
            integration="salesforce",
            integration_config_id=config_id,
            credential_key=pulumi.Output.secret(key),
        )

        def check(values: list[Any]) -> None:
            assert values[0] == fingerprint(key)
            assert values[1] == "APPLICATION"

        return pulumi.Output.all(auth.credential_fingerprint, auth.level).apply(check)

    program()

    assert emulator.count("consumeOAuthCredentials") == 1
    assert [typ for typ, _, _ in mocks.created] == [INTEGRATION_AUTH]
    assert key not in repr(mocks.created)


@pytest.mark.parametrize("kind", ["IntegrationAuth", "IntegrationConfig", "AuthorizationUrl"])
def test_import_is_refused_at_registration_with_the_way_out(
    monitor: RecordingMonitor, kind: str
) -> None:
    opts = pulumi.ResourceOptions(import_="demo/salesforce/" + CONFIG_ID)
    build = {
        "IntegrationAuth": lambda: IntegrationAuth(
            "a",
            integration="salesforce",
            integration_config_id=CONFIG_ID,
            credential_key="k",
            opts=opts,
        ),
        "IntegrationConfig": lambda: IntegrationConfig(
            "c", integration="salesforce", display_name="x", opts=opts
        ),
        "AuthorizationUrl": lambda: AuthorizationUrl("u", integration="salesforce", opts=opts),
    }[kind]
    with pytest.raises(FruxonError) as refused:
        build()
    assert "does not support `import_` or `pulumi import`" in str(refused.value)
    if kind != "AuthorizationUrl":
        assert f"{kind}.get(name, id)" in str(refused.value)
    assert monitor.program_resources == []


def test_two_bindings_of_one_config_in_one_program_are_refused(monitor: RecordingMonitor) -> None:
    @pulumi.runtime.test
    def program() -> Any:
        IntegrationAuth(
            "first", integration="salesforce", integration_config_id=CONFIG_ID, credential_key="k"
        )
        second = IntegrationAuth(
            "second",
            integration="salesforce",
            integration_config_id=CONFIG_ID.upper(),
            credential_key="k2",
        )
        return second.integration_config_id

    with pytest.raises(FruxonError) as refused:
        program()
    assert "'second' and IntegrationAuth 'first' both bind config" in str(refused.value)
    assert "k2" not in str(refused.value)
    # Pulumi failed every output of 'second' with the refusal; read them, or asyncio prints a
    # traceback for each when they are collected.
    retrieve_failures(refused.value)


@pulumi.runtime.test
def test_one_binding_per_config_is_fine(monitor: RecordingMonitor) -> Any:
    other = "1b6f6c2e-1d0a-4c3e-9f7b-2a5d8e9c1f00"
    first = IntegrationAuth(
        "first", integration="salesforce", integration_config_id=CONFIG_ID, credential_key="k"
    )
    second = IntegrationAuth(
        "second", integration="salesforce", integration_config_id=other, credential_key="k2"
    )

    def check(config_ids: list[str]) -> None:
        # Both registered, each with its own config: two configs are two bindings, no refusal.
        assert config_ids == [CONFIG_ID, other]
        assert sorted(r.name for r in monitor.program_resources) == ["first", "second"]

    return pulumi.Output.all(first.integration_config_id, second.integration_config_id).apply(check)
