"""Recovery kept in the stack: a consume whose outcome is unknown ends the plugin's Create as a
partial failure (`ErrorResourceInitFailed`) that carries the state the journal would hold, and
the Update the engine sends on the next `pulumi up` finishes it with no journal at all.

The engine's side (storing the partial state, updating a resource with init errors) is the real
CLI's, tested in tests/e2e/test_plugin_recovery.py; here the calls are the engine's, by hand.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import provider_pb2, status_pb2

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon._journal import directory
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import INTEGRATION_AUTH, HostError, stack_config
from tests.support.plugin import PluginHost, snake, unwrap
from tests.support.stacks import auth_inputs


def partial_state(error: HostError) -> tuple[str, dict[str, Any], list[str]]:
    """The id, the outputs (plain, snake_case) and the reasons of a partial failure."""
    status = status_pb2.Status.FromString(error.status_details)
    (detail,) = status.details
    failed = provider_pb2.ErrorResourceInitFailed()
    assert detail.Unpack(failed), detail.type_url
    outputs = {
        snake(k): unwrap(v)[0] for k, v in json_format.MessageToDict(failed.properties).items()
    }
    return failed.id, outputs, list(failed.reasons)


def unknown_consume(
    start_plugin: Callable[..., PluginHost],
    emulator: FruxonEmulator,
    arm: Callable[[FruxonEmulator], None] = lambda fx: fx.drop_after_consume(1, outage=50),
) -> tuple[HostError, dict[str, Any]]:
    """A Create whose consume's outcome the plugin cannot tell: by default Fruxon processed it,
    then the connection dropped and an outage failed the re-read."""
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
    plugin = start_plugin()
    plugin.configure({**stack_config(emulator), "fruxon:timeout": "2"}, ["fruxon:token"])
    arm(emulator)
    with pytest.raises(HostError) as failed:
        plugin.create(INTEGRATION_AUTH, news)
    emulator.clear_faults()
    return failed.value, news


def test_an_unknown_consume_outcome_is_a_partial_create_holding_the_journal_record(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    failure, news = unknown_consume(start_plugin, emulator)

    id_, outputs, reasons = partial_state(failure)
    config_id = news["integration_config_id"]
    assert id_ == f"{emulator.workspace}/internal_crm/{config_id}"
    assert outputs["credential_fingerprint"] == fingerprint(news["credential_key"])
    assert outputs["integration_config_id"] == config_id
    assert outputs["live"] is False
    # What the journal records: the config's modifiedAt read before the key was sent.
    before = outputs["pending_consume"]["modified_at_before"]
    assert before is not None and before < emulator.get_config(config_id)["modifiedAt"]
    assert reasons == [failure.details]
    assert "outcome is unknown" in failure.details
    # The key is in no part of the answer.
    assert news["credential_key"] not in failure.details + failure.status_details.decode("latin-1")


def test_the_next_up_from_another_machine_adopts_the_binding_without_sending_the_key(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    failure, news = unknown_consume(start_plugin, emulator)
    id_, partial, _ = partial_state(failure)
    config_id = news["integration_config_id"]
    # Another machine: no journal.
    shutil.rmtree(directory())
    emulator.clear_requests()

    plugin = start_plugin()
    plugin.configure(stack_config(emulator), ["fruxon:token"])
    # The engine diffs, then updates a resource with init errors even if the diff is quiet.
    assert plugin.diff(INTEGRATION_AUTH, id_, partial, news).replaces == []
    outputs = plugin.update(INTEGRATION_AUTH, id_, partial, news, news)

    assert "pending_consume" not in outputs
    assert outputs["live"] is True and outputs["level"] == "APPLICATION"
    assert emulator.count("consumeOAuthCredentials") == 0  # the key was not sent again
    assert emulator.get_config(config_id)["hasAuth"] is True
    assert "adopting that binding" in plugin.stderr


def test_a_consume_that_never_bound_sends_the_key_again(
    start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator
) -> None:
    # A 503 on the consume: Fruxon did not bind, but the plugin cannot know that.
    failure, news = unknown_consume(
        start_plugin,
        emulator,
        lambda fx: fx.fail_next(1, status=503, route="consumeOAuthCredentials"),
    )
    id_, partial, _ = partial_state(failure)
    shutil.rmtree(directory())
    plugin = start_plugin()
    plugin.configure(stack_config(emulator), ["fruxon:token"])

    outputs = plugin.update(INTEGRATION_AUTH, id_, partial, news, news)

    statuses = [r.status for r in emulator.requests if r.route == "consumeOAuthCredentials"]
    assert statuses == [503, 200]
    assert outputs["live"] is True and "pending_consume" not in outputs


def test_the_dynamic_host_has_no_partial_state_and_fails_as_before(
    start_host: Callable[..., Any], emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
    host = start_host()
    host.configure({**stack_config(emulator), "fruxon:timeout": "2"}, ["fruxon:token"])
    emulator.drop_after_consume(1, outage=50)
    with pytest.raises(HostError) as failed:
        host.create(INTEGRATION_AUTH, news)
    assert "outcome is unknown" in failed.value.details
    assert failed.value.status_details == b""
