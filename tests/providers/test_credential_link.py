"""`CredentialLinkProvider` called directly, and `CredentialLink` under `set_mocks`."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.output import Unknown
from pulumi.runtime import rpc

from pulumi_fruxon import CredentialLink
from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.errors import FruxonError
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import CREDENTIAL_LINK
from tests.support.mocks import HostMocks, RecordingMonitor, use_mocks

CONFIG_ID = "0b6f6c2e-1d0a-4c3e-9f7b-2a5d8e9c1f00"


def configured(fx: FruxonEmulator) -> CredentialLinkProvider:
    provider = CredentialLinkProvider()
    config = {"fruxon:token": fx.token, "fruxon:baseUrl": fx.base_url, "fruxon:workspace": "demo"}
    provider.configure(ConfigureRequest(Config(config, "proj")))
    return provider


pytestmark = pytest.mark.usefixtures("reset_pulumi_runtime")


def test_check_normalizes_and_defaults() -> None:
    checked = CredentialLinkProvider().check(
        {},
        {
            "integration": " stripe ",
            "integration_config_id": CONFIG_ID.upper(),
            "ttl_hours": 24.0,
            "intended_for_email": " cfo@example.com ",
        },
    )
    assert checked.failures == []
    assert checked.inputs["integration"] == "stripe"
    assert checked.inputs["integration_config_id"] == CONFIG_ID
    assert checked.inputs["ttl_hours"] == 24 and isinstance(checked.inputs["ttl_hours"], int)
    assert checked.inputs["require_sign_in"] is True
    assert checked.inputs["intended_for_email"] == "cfo@example.com"


def test_diff_with_unknowns_replaces_and_sends_nothing(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    olds = {"integration": "stripe", "integration_config_id": CONFIG_ID, "workspace": "demo"}
    emulator.clear_requests()

    diffed = provider.diff("id", olds, {**olds, "integration_config_id": Unknown()})
    quiet = provider.diff("id", olds, dict(olds))

    assert diffed.changes is True and diffed.replaces == ["integration_config_id"]
    assert quiet.changes is False
    assert emulator.requests == []


def test_create_returns_every_output(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("stripe", auth_method_id="api_key")

    result = provider.create(
        provider.check({}, {"integration": "stripe", "integration_config_id": config_id}).inputs
    )

    assert result.outs is not None
    assert set(result.outs) == {
        "integration",
        "integration_config_id",
        "require_sign_in",
        "workspace",
        "url",
        "link_id",
        "mode",
        "created_at",
        "expires_at",
        "expired",
        "filled",
    }
    # update is never reached (everything replaces), but must not wipe the outputs if it were.
    updated = provider.update(result.id, result.outs, {})
    assert updated.outs == result.outs


def test_read_from_an_id_alone_explains_why_not(emulator: FruxonEmulator) -> None:
    with pytest.raises(FruxonError, match="cannot be imported"):
        configured(emulator).read("demo/stripe/x/y", {})


@pulumi.runtime.test
def test_registration_marks_the_url_secret() -> Any:
    monitor: RecordingMonitor = use_mocks(HostMocks())
    link = CredentialLink(
        "key", integration="stripe", integration_config_id=CONFIG_ID, note="hi", ttl_hours=48
    )

    def check(_: Any) -> None:
        request = monitor.registration(CREDENTIAL_LINK)
        assert request.type == "pulumi-python:dynamic/fruxon:CredentialLink"
        assert list(request.additionalSecretOutputs) == ["url"]
        inputs = dict(rpc.deserialize_properties(request.object))
        assert inputs["require_sign_in"] is True
        assert inputs["ttl_hours"] == 48
        assert rpc.is_rpc_secret(inputs["__provider"])

    outputs = [link.url, link.link_id, link.mode, link.expires_at, link.filled, link.expired]
    return pulumi.Output.all(*outputs).apply(check)


def test_the_resource_runs_its_real_provider(emulator: FruxonEmulator) -> None:
    mocks = HostMocks(
        {
            "fruxon:token": emulator.token,
            "fruxon:baseUrl": emulator.base_url,
            "fruxon:workspace": emulator.workspace,
        }
    )
    use_mocks(mocks)
    config_id = emulator.add_config("stripe", auth_method_id="api_key")

    @pulumi.runtime.test
    def program() -> Any:
        link = CredentialLink("key", integration="stripe", integration_config_id=config_id)

        def check(values: list[Any]) -> None:
            url, mode, filled = values
            assert url.startswith(emulator.base_url + "/credential-links/")
            assert (mode, filled) == ("SIGN_IN", False)

        return pulumi.Output.all(link.url, link.mode, link.filled).apply(check)

    program()
    assert emulator.count("createCredentialLink") == 1
    assert [typ for typ, _, _ in mocks.created] == [CREDENTIAL_LINK]
