"""The plugin's functions: the data sources' requests, on the plugin's configured client."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import HostError
from tests.support.plugin import PluginHost


def call(plugin: PluginHost, name: str, **args: Any) -> dict[str, Any]:
    return plugin.invoke(f"fruxon:index:{name}", args)


def test_get_integrations_walks_every_page_with_the_filters(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    for n in range(25):
        emulator.add_integration(f"acme-{n:02}", tags=["acme"])
    found = call(plugin, "getIntegrations", tags="acme")
    assert found["ids"] == [f"acme-{n:02}" for n in range(25)]
    assert [i["id"] for i in found["integrations"]] == found["ids"]
    first = found["integrations"][0]
    assert first["tags"] == ["acme"]
    assert first["configMetadata"]["authMetadata"][0]["id"] == "oauth2"  # camelCase, nested too
    assert {r.method for r in emulator.requests} == {"GET"}
    # The data source's query spellings: repeated `tags`, `pageSize` 100.
    assert all(r.query.get("pageSize") == ["100"] for r in emulator.requests)


def test_get_integration_and_its_tools_and_configs(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    emulator.add_integration("acme", display_name="Acme", tools=3)
    config_id = emulator.add_config("acme", display_name="Acme prod")

    integration = call(plugin, "getIntegration", integration="acme")["integration"]
    assert (integration["id"], integration["displayName"]) == ("acme", "Acme")

    tools = call(plugin, "getIntegrationTools", integration="acme")
    assert tools["integration"] == "acme" and len(tools["tools"]) == 3

    configs = call(plugin, "getIntegrationConfigs", integration="acme")
    assert [(c["id"], c["displayName"]) for c in configs["configs"]] == [(config_id, "Acme prod")]
    assert configs["configs"][0]["hasAuth"] is False


def test_a_function_reads_another_workspace_when_asked(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    with pytest.raises(HostError):
        call(plugin, "getIntegrations", workspace="another-workspace")
    assert "/another-workspace/" in emulator.requests[-1].path


def test_a_missing_integration_is_an_error_with_its_message(plugin: PluginHost) -> None:
    with pytest.raises(HostError) as failure:
        call(plugin, "getIntegration", integration="no-such-integration")
    assert "no-such-integration" in failure.value.details
    assert "Traceback" not in failure.value.details


@pytest.mark.parametrize(
    ("name", "args", "says"),
    [
        ("getIntegration", {}, "getIntegration needs integration"),
        ("getIntegrations", {"tag": "crm"}, "getIntegrations takes no argument tag"),
        ("getIntegrations", {"hasConfigs": False}, "hasConfigs=False is not supported"),
    ],
)
def test_bad_arguments_are_refused(
    plugin: PluginHost, emulator: FruxonEmulator, name: str, args: dict[str, Any], says: str
) -> None:
    with pytest.raises(HostError) as failure:
        call(plugin, name, **args)
    assert failure.value.code.name == "INVALID_ARGUMENT"
    assert says in failure.value.details
    assert emulator.requests == []


def test_an_unknown_function_is_refused(plugin: PluginHost) -> None:
    with pytest.raises(HostError) as failure:
        plugin.invoke("fruxon:index:getNothing", {})
    assert failure.value.code.name == "INVALID_ARGUMENT"


def test_an_empty_id_is_refused_before_any_request(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    with pytest.raises(HostError) as failure:
        plugin.invoke("fruxon:index:getIntegrationConfigs", {"integration": ""})
    assert failure.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "An integration or config id is empty" in failure.value.details
    assert "`fruxon:index:getIntegrations` lists the integrations" in failure.value.details
    assert emulator.requests == []
