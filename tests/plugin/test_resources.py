"""Resources through the provider plugin's gRPC interface, at the wire: camelCase names, secret
wrappers, previews, errors, configuration. The behaviour the two doors share is tested through
both in tests/providers (see its conftest's `BOTH_DOORS`)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from pulumi_fruxon.provider._values import camel
from pulumi_fruxon.testing import FruxonEmulator
from tests.plugin.conftest import last, raw
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    Stack,
    clean_env,
    serialize,
    stack_config,
)
from tests.support.plugin import PluginHost
from tests.support.stacks import SECRET, auth_inputs, config_inputs, writes

SECRET_SIG = {rpc._special_sig_key: rpc._special_secret_sig}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def shown(method: str, item: Any) -> str:
    """An answer as text; of Check's inputs, only those not wrapped as secrets."""
    if method != "Check" or isinstance(item, HostError):
        return str(item)
    inputs = {k: v for k, v in raw(item.inputs).items() if not is_secret(v)}
    return repr(inputs) + repr([(f.property, f.reason) for f in item.failures])


def test_a_preview_sends_nothing_and_keeps_what_an_update_cannot_change(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(plugin, INTEGRATION_CONFIG)
    assert stack.preview(config_inputs(display_name=rpc.UNKNOWN)) == "create"
    planned = raw(last(plugin, "Create").properties)
    assert last(plugin, "Create").id == ""
    assert planned["integration"] == "internal_crm"
    assert "configId" not in planned  # unknown until the create runs
    assert "secretParameters" not in planned  # an input, never an output
    assert emulator.requests == []

    stack.up(config_inputs())
    config_id = stack.state.outputs["config_id"] if stack.state else None
    emulator.clear_requests()

    assert stack.preview(config_inputs(display_name=rpc.UNKNOWN)) == "update"
    planned = raw(last(plugin, "Update").properties)
    # What depends on the config id does not preview as replaced.
    assert planned["configId"] == config_id
    assert planned["displayName"] == rpc.UNKNOWN
    assert planned["live"] == rpc.UNKNOWN
    assert emulator.requests == []


def test_outputs_are_camel_case_and_secret_ones_are_wrapped(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    Stack(plugin, INTEGRATION_CONFIG).up(config_inputs(publish_note="first"))
    outs = raw(last(plugin, "Create").properties)
    assert writes(emulator) == ["createConfig", "publishConfig"]
    assert outs["live"] is True and outs["publishNote"] == "first"
    assert outs["publishedRevisionId"] and outs["configId"] and outs["hasAuth"] is False
    assert is_secret(outs["secretParameterFingerprints"])
    assert not any(key.startswith("secret_") or "_" in key for key in outs)
    assert "secretParameters" not in outs

    checked = raw(last(plugin, "Check").inputs)
    assert is_secret(checked["secretParameters"])  # stored encrypted by the engine


def test_a_secret_input_sent_in_plain_text_is_made_secret(plugin: PluginHost) -> None:
    response = plugin._resource_call(
        "Check",
        INTEGRATION_AUTH,
        olds=serialize({}),
        news=serialize(
            {
                "integration": "internal_crm",
                "integrationConfigId": "0b6f1d7e-3c39-4f1e-9a51-7f5d1a0c2b11",
                "credentialKey": "plain-key-0123",
            }
        ),
    )
    assert is_secret(raw(response.inputs)["credentialKey"])


def test_check_failures_name_properties_in_camel_case(plugin: PluginHost) -> None:
    plugin.check(INTEGRATION_CONFIG, config_inputs(display_name="  ", publish="yes"))
    failures = {f.property: f.reason for f in last(plugin, "Check").failures}
    assert set(failures) == {"displayName", "publish"}
    assert failures["displayName"].startswith("displayName must be a non-empty string")


def test_a_stack_moved_from_the_dynamic_provider_diffs_clean(
    start_host: Callable[..., Any], plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    """An alias keeps the dynamic provider's state: snake_case names and `__provider`."""
    dynamic = start_host()
    dynamic.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    moved = Stack(dynamic, INTEGRATION_CONFIG)
    moved.up(config_inputs())
    assert moved.state is not None and "__provider" in moved.state.outputs
    emulator.clear_requests()

    program = {camel(k): v for k, v in config_inputs().items() if k != "__provider"}
    checked = plugin._resource_call(
        "Check", INTEGRATION_CONFIG, olds=serialize(moved.state.inputs), news=serialize(program)
    )
    diffed = plugin._resource_call(
        "Diff",
        INTEGRATION_CONFIG,
        id=moved.state.id,
        olds=serialize(moved.state.outputs),
        news=checked.inputs,
        old_inputs=serialize(moved.state.inputs),
    )
    assert list(checked.failures) == []
    assert diffed.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert emulator.requests == []


def test_a_fruxon_error_is_its_message_without_a_traceback(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    Stack(plugin, INTEGRATION_AUTH).up(auth_inputs(config_id, key))
    other = emulator.add_config("internal_crm")
    with pytest.raises(HostError) as failure:
        Stack(plugin, INTEGRATION_AUTH).up(auth_inputs(other, key))
    assert "single-use" in failure.value.details
    assert "Traceback" not in failure.value.details
    assert key not in failure.value.details


def test_no_secret_in_any_answer_error_or_stderr(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    """The token, a credential key and a secret parameter value appear nowhere the plugin
    writes, but inside the secret wrappers of the inputs Check hands back for the engine to
    encrypt."""
    config = Stack(plugin, INTEGRATION_CONFIG)
    config.up(config_inputs())
    assert config.state is not None
    config_id = str(config.state.outputs["config_id"])
    key = emulator.mint_credential_key("internal_crm")
    auth = Stack(plugin, INTEGRATION_AUTH)
    auth.up(auth_inputs(config_id, key))
    config.up(config_inputs(display_name="CRM renamed"))
    config.refresh()
    auth.refresh()
    with pytest.raises(HostError):  # the key is spent: an error is in the transcript too
        Stack(plugin, INTEGRATION_AUTH).up(auth_inputs(emulator.add_config("internal_crm"), key))
    auth.destroy()
    config.destroy()

    secrets = [emulator.token, key, SECRET]
    for method, item in plugin.transcript:
        if method == "Configure":
            continue
        leaked = [s for s in secrets if s in shown(method, item)]
        assert leaked == [], f"{method} shows a secret"
    assert not [s for s in secrets if s in plugin.stderr]
    assert emulator.count("consumeOAuthCredentials") == 2  # once, then the refused reuse


# -- configuration --------------------------------------------------------------------------


def test_configure_from_the_environment_alone(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    env = clean_env(
        FRUXON_TOKEN=emulator.token,
        FRUXON_BASE_URL=emulator.base_url,
        FRUXON_WORKSPACE=emulator.workspace,
    )
    host = start_plugin(env)
    response = host.configure({})
    assert response.acceptSecrets is True and response.supportsPreview is True
    Stack(host, INTEGRATION_CONFIG).up(config_inputs())
    assert writes(emulator) == ["createConfig", "publishConfig"]


def test_configure_reads_args_and_variables(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    """A timeout arrives as a number; the workspace only as a variable (an older engine)."""
    host = start_plugin()
    host._call(
        "Configure",
        provider_pb2.ConfigureRequest(
            args=serialize(
                {
                    "token": {**SECRET_SIG, "value": emulator.token},
                    "baseUrl": emulator.base_url,
                    "timeout": 30.0,
                }
            ),
            variables={"fruxon:workspace": emulator.workspace},
            acceptSecrets=True,
        ),
    )
    stack = Stack(host, INTEGRATION_CONFIG)
    stack.up(config_inputs())
    assert stack.state is not None
    assert stack.state.outputs["workspace"] == emulator.workspace


def test_check_config_makes_the_token_secret_and_diff_config_never_replaces(
    plugin: PluginHost,
) -> None:
    checked = plugin.check_config({"token": "fx_pat_plain", "workspace": "acme"})
    assert is_secret(raw(checked.inputs)["token"])
    assert raw(checked.inputs)["workspace"] == "acme"
    same = plugin.diff_config({"workspace": "acme"}, {"workspace": "acme"})
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    moved = plugin.diff_config(
        {"workspace": "acme", "token": {**SECRET_SIG, "value": "a"}},
        {"workspace": "other", "token": {**SECRET_SIG, "value": "b"}},
    )
    assert moved.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert sorted(moved.diffs) == ["token", "workspace"]
    assert list(moved.replaces) == []


def test_check_config_refuses_a_malformed_setting_before_any_request(
    plugin: PluginHost,
) -> None:
    good = plugin.check_config({"workspace": "acme", "timeout": 30, "baseUrl": "http://x:1"})
    assert list(good.failures) == []

    checked = plugin.check_config({"workspace": "acme", "timeout": "abc", "baseUrl": "ftp://x"})

    reasons = {f.property: f.reason for f in checked.failures}
    assert sorted(reasons) == ["baseUrl", "timeout"]
    assert "must be a number of seconds, got 'abc'" in reasons["timeout"]
    assert "must start with http:// or https://" in reasons["baseUrl"]


def test_an_unknown_type_is_refused(plugin: PluginHost) -> None:
    with pytest.raises(HostError) as failure:
        plugin.check("fruxon:index:Nothing", {})
    assert "no resource type 'fruxon:index:Nothing'" in failure.value.details


# -- the process ----------------------------------------------------------------------------


def test_the_plugin_ends_when_the_engine_is_gone(emulator: FruxonEmulator) -> None:
    """Started with the engine's address (after the engine's flags), it prints the port first,
    serves, and exits once nothing listens at that address."""
    engine = socket.socket()
    engine.bind(("127.0.0.1", 0))
    engine.listen()
    host = PluginHost(engine_address=f"127.0.0.1:{engine.getsockname()[1]}")
    try:
        host.start()
        host.configure(stack_config(emulator), secret_keys=["fruxon:token"])
        assert host.plugin_info().version
        engine.close()
        deadline = time.monotonic() + 15
        while not host.exited() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert host.exited()
        assert "the Pulumi engine is gone" in host.stderr
    finally:
        engine.close()
        host.close()


def test_the_console_script_serves_the_plugin() -> None:
    import shutil
    import sys
    from pathlib import Path

    script = shutil.which("pulumi-resource-fruxon") or str(
        Path(sys.executable).parent / "pulumi-resource-fruxon"
    )
    if not Path(script).exists():
        pytest.skip("the package is not installed with its console script")
    proc = subprocess.Popen(
        [script, "--logtostderr", "-v=9", "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        assert int(proc.stdout.readline()) > 0
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_two_bindings_of_one_config_are_refused_before_the_second_consume(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    # What `IntegrationAuth` refuses at registration in a Python program, the plugin refuses
    # for the resources it serves: each binding would replace the other's credentials.
    config_id = emulator.add_config("internal_crm")
    token = "fruxon:index:IntegrationAuth"

    def create(name: str, phase: str) -> Any:
        inputs = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
        urn = f"urn:pulumi:stack::proj::{token}::{name}"
        wire = plugin._wire(INTEGRATION_AUTH, inputs)
        if phase == "Check":
            request = provider_pb2.CheckRequest(urn=urn, type=token, olds=wire, news=wire)
        else:
            request = provider_pb2.CreateRequest(urn=urn, type=token, properties=wire)
        return plugin._call(phase, request)

    assert create("first", "Check").failures == []
    create("first", "Create")
    with pytest.raises(HostError) as at_check:
        create("second", "Check")
    with pytest.raises(HostError) as at_create:
        create("second", "Create")

    for failure in (at_check.value, at_create.value):
        assert "IntegrationAuth 'second' and IntegrationAuth 'first' both bind config" in (
            failure.details
        )
        assert "Traceback" not in failure.details
    assert emulator.count("consumeOAuthCredentials") == 1
    # The same resource again (a second `up` in this process, a replacement) is not refused.
    assert create("first", "Check").failures == []


def test_a_diff_names_what_changes_against_the_stored_outputs(
    plugin: PluginHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(plugin, INTEGRATION_CONFIG)
    stack.up(config_inputs())
    assert stack.state is not None
    config_id = stack.state.outputs["config_id"]
    # Drift from outside, picked up by a refresh: the old and new inputs are the same, so only
    # the provider can say what the next `up` puts back.
    emulator.patch_config(config_id, displayName="Renamed in the dashboard")
    stack.refresh()

    plugin.diff(INTEGRATION_CONFIG, stack.state.id, stack.state.outputs, config_inputs())
    answer = last(plugin, "Diff")
    assert list(answer.diffs) == ["displayName"]
    assert answer.hasDetailedDiff
    assert answer.detailedDiff["displayName"].kind == provider_pb2.PropertyDiff.UPDATE

    replaced = config_inputs(integration="other_crm")
    plugin.diff(INTEGRATION_CONFIG, stack.state.id, stack.state.outputs, replaced)
    answer = last(plugin, "Diff")
    assert list(answer.replaces) == ["integration"]
    assert answer.detailedDiff["integration"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE

    # Repaired, the diff is quiet and names nothing.
    assert stack.up(config_inputs()) == "update"
    plugin.diff(INTEGRATION_CONFIG, stack.state.id, stack.state.outputs, config_inputs())
    answer = last(plugin, "Diff")
    assert answer.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert not answer.hasDetailedDiff and list(answer.diffs) == []


def test_after_a_cancel_no_request_leaves(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    # A Ctrl-C while a create hangs: the engine sends Cancel, and the create ends at the attempt
    # in flight, without the re-list and the second POST its reconciliation would send.
    plugin = start_plugin()
    plugin.configure({**stack_config(emulator), "fruxon:timeout": "3"}, ["fruxon:token"])
    emulator.hang_next(1, route="createConfig")
    cancel = threading.Timer(0.5, plugin.cancel)
    cancel.start()
    try:
        with pytest.raises(HostError) as failure:
            plugin.create(INTEGRATION_CONFIG, config_inputs())
    finally:
        cancel.join()

    assert [r.route for r in emulator.requests] == ["listConfigs", "createConfig"]
    assert "the operation was cancelled" in failure.value.details
    assert "Traceback" not in failure.value.details


def test_numbers_where_the_schema_declares_text_are_taken_as_text(plugin: PluginHost) -> None:
    # YAML reads `port: 8080` as a number; the schema says these are strings.
    checked = plugin.check(
        INTEGRATION_CONFIG,
        config_inputs(display_name=42, parameters={"port": 8080, "ratio": 0.5, "on": True}),
    )
    assert checked.failures == [
        ("parameters", "parameters must be a map of strings to strings, got 'on': True")
    ]
    checked = plugin.check(
        INTEGRATION_CONFIG, config_inputs(display_name=42, parameters={"port": 8080, "ratio": 0.5})
    )
    assert checked.failures == []
    assert checked.inputs["display_name"] == "42"
    assert checked.inputs["parameters"] == {"port": "8080", "ratio": "0.5"}
