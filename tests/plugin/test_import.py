"""`pulumi import` through the plugin: the engine's Read with the id alone, then the Check and the
preview of the program the CLI writes from the inputs that Read returned.

IntegrationConfig and IntegrationAuth are adopted (Fruxon can read them back); AuthorizationUrl
and CredentialLink are refused in one sentence (a minted URL cannot be read back).
"""

from __future__ import annotations

import pytest

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    AUTHORIZATION_URL,
    CREDENTIAL_LINK,
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    Stack,
    State,
)
from tests.support.plugin import PluginHost
from tests.support.stacks import config_inputs, writes


def published_config(fx: FruxonEmulator) -> str:
    """A config made outside the stack, in the dashboard: settings set, then published."""
    config_id = fx.add_config("internal_crm", display_name="CRM made by hand")
    fx.patch_config(config_id, parameters={"base_url": "https://crm.example"})
    fx.publish(config_id)
    return config_id


def imported(plugin: PluginHost, type_: str, id_: str) -> Stack:
    """`pulumi import`: Read by id, the state it writes, and the Check of the read inputs."""
    read = plugin.import_(type_, id_)
    assert read.id == id_
    assert read.inputs is not None, "an import needs the inputs to write into the program"
    stack = Stack(plugin, type_)
    stack.state = State(read.id, read.inputs, read.outputs)
    return stack


def test_an_imported_config_previews_quiet(plugin: PluginHost, emulator: FruxonEmulator) -> None:
    config_id = published_config(emulator)
    id_ = f"{emulator.workspace}/internal_crm/{config_id}"
    emulator.clear_requests()

    stack = imported(plugin, INTEGRATION_CONFIG, id_)
    assert stack.state is not None
    # What the CLI writes into the program: the settings as read, in camelCase on the wire.
    assert stack.state.inputs == {
        "integration": "internal_crm",
        "display_name": "CRM made by hand",
        "parameters": {"base_url": "https://crm.example"},
    }
    assert stack.state.outputs["config_id"] == config_id
    assert stack.state.outputs["live"] is True
    assert plugin.check(INTEGRATION_CONFIG, stack.state.inputs, stack.state.inputs).failures == []

    # The next preview and up of that program: nothing to do, nothing sent but the import's reads.
    assert stack.preview(dict(stack.state.inputs)) == "same"
    assert stack.up(dict(stack.state.inputs)) == "same"
    assert writes(emulator) == []
    assert {r.method for r in emulator.requests} == {"GET"}

    # It is managed now: a change updates the config Fruxon had.
    assert stack.up({**stack.state.inputs, "display_name": "CRM managed"}) == "update"
    assert emulator.get_config(config_id)["displayName"] == "CRM managed"


def test_an_imported_config_with_a_secret_parameter_is_quiet_and_keeps_it(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    """Fruxon masks a secret parameter's value, so the program cannot declare it: the import
    keeps its name, is live and quiet, and a change of the parameters, which would send the map
    without it, is refused before anything is sent until the program declares it."""
    config_id = emulator.add_config("internal_crm", display_name="CRM made by hand")
    secret = "whsec-set-in-the-dashboard-0123456789"
    emulator.patch_config(
        config_id, parameters={"base_url": "https://crm.example", "webhook_secret": secret}
    )
    emulator.publish(config_id)
    emulator.clear_requests()

    stack = imported(plugin, INTEGRATION_CONFIG, f"{emulator.workspace}/internal_crm/{config_id}")
    assert stack.state is not None
    assert "secret_parameters" not in stack.state.inputs
    assert stack.state.outputs["live"] is True
    assert stack.state.outputs["secret_parameter_fingerprints"] == {"webhook_secret": ""}
    assert "(webhook_secret) whose values Fruxon never returns" in plugin.stderr
    assert stack.preview(dict(stack.state.inputs)) == "same"
    assert stack.refresh() == "same" and stack.state.outputs["live"] is True
    assert writes(emulator) == []

    # A rename sends no parameters, and keeps the name it cannot fingerprint.
    renamed = {**stack.state.inputs, "display_name": "CRM managed"}
    assert stack.up(renamed) == "update"
    assert stack.state.outputs["secret_parameter_fingerprints"] == {"webhook_secret": ""}
    with pytest.raises(HostError) as failure:
        stack.up({**renamed, "parameters": {"base_url": "https://crm2.example"}})
    assert "(webhook_secret, found by `pulumi import`)" in failure.value.details
    assert emulator.count("patchConfig") == 1  # the rename only
    assert emulator.get_config(config_id)["parameters"]["base_url"] == "https://crm.example"

    declared = {**renamed, "secret_parameters": {"webhook_secret": "whsec-new-value-42"}}
    assert stack.up(declared) == "update"
    assert stack.state.outputs["secret_parameter_fingerprints"]["webhook_secret"].startswith(
        "sha256:"
    )


def test_an_imported_config_in_another_workspace_keeps_it_declared(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    config_id = published_config(emulator)
    read = plugin.import_(INTEGRATION_CONFIG, f"{emulator.workspace}/internal_crm/{config_id}")
    assert read.inputs is not None and "workspace" not in read.inputs  # the configured one


def test_importing_a_config_that_is_not_there_says_so(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    missing = "0b6f1d7e-3c39-4f1e-9a51-7f5d1a0c2b11"
    with pytest.raises(HostError) as failure:
        plugin.import_(INTEGRATION_CONFIG, f"{emulator.workspace}/internal_crm/{missing}")
    assert "does not exist" in failure.value.details
    with pytest.raises(HostError) as failure:
        plugin.import_(INTEGRATION_CONFIG, "not-an-id")
    assert "<workspace>/<integration>/<config_id>" in failure.value.details


def test_a_binding_cannot_be_imported(plugin: PluginHost, emulator: FruxonEmulator) -> None:
    """Fruxon reads a binding back, but never the key that made it, and an IntegrationAuth is
    its key: the import is refused in one sentence that says what to do."""
    config_id = emulator.add_config("internal_crm", auth_method_id="oauth2", scopes=["read"])
    emulator.publish(config_id)
    emulator.clear_requests()

    with pytest.raises(HostError) as failure:
        plugin.import_(INTEGRATION_AUTH, f"{emulator.workspace}/internal_crm/{config_id}")

    assert failure.value.details.startswith(
        "An IntegrationAuth cannot be imported: Fruxon never returns the credential key"
    )
    assert "declare an IntegrationAuth with a key from a fresh consent" in failure.value.details
    assert "Traceback" not in failure.value.details
    assert writes(emulator) == []


def test_importing_a_config_without_a_binding_as_a_binding_is_refused(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    with pytest.raises(HostError) as failure:
        plugin.import_(INTEGRATION_AUTH, f"{emulator.workspace}/internal_crm/{config_id}")
    assert "has no auth bound" in failure.value.details


@pytest.mark.parametrize(
    ("type_", "id_"),
    [
        (AUTHORIZATION_URL, "ws/internal_crm/oauth2/0123456789ab"),
        (CREDENTIAL_LINK, "ws/internal_crm/0b6f1d7e-3c39-4f1e-9a51-7f5d1a0c2b11/link-1"),
    ],
)
def test_a_minted_url_cannot_be_imported(
    plugin: PluginHost, emulator: FruxonEmulator, type_: str, id_: str
) -> None:
    with pytest.raises(HostError) as failure:
        plugin.import_(type_, id_)
    name = type_.rsplit(":", 1)[-1]
    assert f"{name} {id_!r} cannot be read from its id alone" in failure.value.details
    assert f"Declare a{'n' if name[0] in 'AEIOU' else ''} {name} to mint one." in (
        failure.value.details
    )
    assert "Traceback" not in failure.value.details
    assert emulator.requests == []


def test_a_config_stack_still_refreshes_by_its_stored_outputs(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    """A refresh is not an import: Read gets the outputs, and returns no inputs (the engine
    keeps the program's, secret parameters included)."""
    stack = Stack(plugin, INTEGRATION_CONFIG)
    stack.up(config_inputs())
    assert stack.state is not None
    read = plugin.read(INTEGRATION_CONFIG, stack.state.id, stack.state.outputs, stack.state.inputs)
    assert read.inputs is None
