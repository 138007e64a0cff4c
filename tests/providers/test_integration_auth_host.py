"""`IntegrationAuth` through the real host over gRPC: publishing and `live`, recovery from an
`up` that died mid-consume, adoption, and the consume journal.

Each test plays a CLI session (`tests/support/host.py`) against a fresh emulator.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pulumi_fruxon._consume import adoption_claim
from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    ProviderHost,
    Stack,
    clean_env,
    stack_config,
)
from tests.support.stacks import (
    SECRET,
    auth_inputs,
    bound,
    config_id_of,
    config_inputs,
    died_mid_consume,
    writes,
)

# -- IntegrationAuth goes live ------------------------------------------------------------------


def test_a_bind_is_published_and_live(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack, config_id, _ = bound(provider_host, emulator)
    assert writes(emulator) == ["consumeOAuthCredentials", "publishConfig"]
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["integrationAuthMetadataId"] == "oauth2"
    assert stack.state is not None
    outs = stack.state.outputs
    assert (outs["published_revision_id"], outs["live"]) == (published["id"], True)
    # The publish response echoed the OAuth tokens unmasked; none of them is kept anywhere.
    for token in published["auth"]["parameters"].values():
        assert token not in provider_host.produced_text(except_check_inputs=["credential_key"])
        assert token not in repr(outs)


def test_a_publish_that_fails_after_the_consume_converges_without_a_second_consume(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    news = auth_inputs(config_id, key)
    emulator.fail_next(1, status=500, route="publishConfig")
    stack = Stack(provider_host, INTEGRATION_AUTH)

    assert stack.up(news) == "create"
    assert stack.state is not None and stack.state.outputs["live"] is False
    assert emulator.get_config(config_id)["hasAuth"] is True
    assert emulator.published(config_id) is None
    assert "publishing it failed" in provider_host.stderr

    assert stack.up(news) == "update"
    assert stack.state.outputs["live"] is True
    assert emulator.count("consumeOAuthCredentials") == 1
    published = emulator.published(config_id)
    assert published is not None and published["auth"] is not None
    assert stack.up(news) == "same"


def test_a_rollback_before_the_bind_is_found_and_repaired_without_a_consume(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    before = emulator.publish(config_id, note="before the bind")
    key = emulator.mint_credential_key("internal_crm")
    news = auth_inputs(config_id, key)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(news)
    emulator.rollback(config_id, before["id"])
    emulator.clear_requests()

    assert stack.refresh() == "update"
    assert stack.state is not None and stack.state.outputs["live"] is False
    assert writes(emulator) == []

    assert stack.up(news) == "update"
    assert writes(emulator) == ["publishConfig"]
    assert stack.state.outputs["live"] is True
    assert stack.state.outputs["published_version"] == 3
    assert emulator.count("consumeOAuthCredentials") == 0


def test_publish_false_binds_the_draft_only(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"), publish=False)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(news)
    assert writes(emulator) == ["consumeOAuthCredentials"]
    assert stack.state is not None and stack.state.outputs["live"] is False
    assert stack.up(news) == "same"


def test_config_and_binding_in_one_up_end_live_after_two_publishes(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config = Stack(provider_host, INTEGRATION_CONFIG)
    config.up(config_inputs())
    config_id = config_id_of(config)
    auth = Stack(provider_host, INTEGRATION_AUTH)
    auth.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm")))

    assert emulator.count("publishConfig") == 2
    published = emulator.published(config_id)
    assert published is not None and published["version"] == 2
    assert published["auth"] is not None
    assert published["parameters"]["webhook_secret"] == SECRET
    # The config's refresh finds the binding's newer revision, which still carries its values.
    assert config.refresh() == "same"
    assert config.state is not None and config.state.outputs["live"] is True
    assert config.state.outputs["published_version"] == 2


def test_an_upgrade_from_a_state_without_publishing_changes_nothing_until_refresh(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    """State written before `publish`/`live` existed: preview and up stay quiet; a refresh
    finds the binding was never published, and the next up publishes it."""
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    news = auth_inputs(config_id, key)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up({**news, "publish": False})
    assert stack.state is not None
    added = ("publish", "publish_note", "bound_at", "published_revision_id")
    legacy = {
        k: v
        for k, v in stack.state.outputs.items()
        if k not in (*added, "published_version", "live")
    }
    stack.state.outputs = legacy
    stack.state.inputs = {k: v for k, v in stack.state.inputs.items() if k not in added}
    emulator.clear_requests()

    assert stack.preview(news) == "same"
    assert stack.up(news) == "same"
    assert emulator.requests == []

    assert stack.refresh() == "update"
    assert stack.state.outputs["live"] is False
    assert stack.up(news) == "update"
    assert writes(emulator) == ["publishConfig"]
    assert stack.state.outputs["live"] is True
    assert emulator.count("consumeOAuthCredentials") == 0


# -- IntegrationAuth: a stack that recovers from an `up` that died mid-consume -------------------


def test_the_next_up_adopts_a_binding_this_machine_evidently_made(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    config_id, news = died_mid_consume(start_host, emulator)
    provider_host = start_host()
    provider_host.configure(stack_config(emulator), ["fruxon:token"])
    stack = Stack(provider_host, INTEGRATION_AUTH)

    assert stack.up(news) == "create"

    assert emulator.count("consumeOAuthCredentials") == 2  # the second was refused: spent
    assert stack.state is not None and stack.state.outputs["live"] is True
    assert stack.state.outputs["integration_config_id"] == config_id
    assert "was spent by an earlier `pulumi up` that did not finish" in provider_host.stderr
    assert stack.up(news) == "same"


def test_a_binding_that_cannot_be_attributed_is_adopted_only_when_asked(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator, tmp_path: Path
) -> None:
    config_id, news = died_mid_consume(start_host, emulator)
    # Another machine: no record of having sent the key.
    elsewhere = clean_env(FRUXON_STATE_DIR=str(tmp_path / "another-machine"))
    provider_host = start_host(elsewhere)
    provider_host.configure(stack_config(emulator), ["fruxon:token"])

    with pytest.raises(HostError) as doubtful:
        Stack(provider_host, INTEGRATION_AUTH).up(news)
    claim = adoption_claim(config_id, fingerprint(news["credential_key"]))
    assert f"FRUXON_ADOPT_BINDING={claim} pulumi up" in doubtful.value.details
    assert news["credential_key"] not in doubtful.value.details

    # The config id alone, as an older release asked for, adopts nothing.
    bare = start_host({**elsewhere, "FRUXON_ADOPT_BINDING": config_id})
    bare.configure(stack_config(emulator), ["fruxon:token"])
    with pytest.raises(HostError):
        Stack(bare, INTEGRATION_AUTH).up(news)

    asked = start_host({**elsewhere, "FRUXON_ADOPT_BINDING": claim})
    asked.configure(stack_config(emulator), ["fruxon:token"])
    stack = Stack(asked, INTEGRATION_AUTH)
    assert stack.up(news) == "create"
    assert stack.state is not None and stack.state.outputs["live"] is True
    assert emulator.count("consumeOAuthCredentials") == 4
    assert "method 'oauth2', level APPLICATION" in asked.stderr


def test_adoption_refuses_a_binding_no_key_could_have_made(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    key = emulator.mint_credential_key("internal_crm")
    spent_on = emulator.add_config("internal_crm")
    first = start_host()
    first.configure(stack_config(emulator), ["fruxon:token"])
    Stack(first, INTEGRATION_AUTH).up(auth_inputs(spent_on, key))
    api_key_config = emulator.add_config("internal_crm", auth_method_id="api_key")
    news = auth_inputs(api_key_config, key)
    claim = adoption_claim(api_key_config, fingerprint(key))
    asked = start_host({**clean_env(), "FRUXON_ADOPT_BINDING": claim})
    asked.configure(stack_config(emulator), ["fruxon:token"])

    with pytest.raises(HostError) as refused:
        Stack(asked, INTEGRATION_AUTH).up(news)
    assert "Not adopting the binding" in refused.value.details
    assert "method 'api_key'" in refused.value.details


def test_a_spent_key_on_an_unbound_config_is_a_plain_rejection(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    other = emulator.add_config("internal_crm")
    Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(other, key))  # spends it elsewhere
    emulator.remove_auth(other)

    with pytest.raises(HostError) as rejected:
        Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key))
    assert "already spent" in rejected.value.details
    assert f"`{provider_host.property_name('credential_key')}` input" in rejected.value.details
    assert "FRUXON_ADOPT_BINDING" not in rejected.value.details


def test_a_journal_record_with_a_wrong_typed_field_is_ignored_with_a_warning(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    """Issue 17, defect 6: such a record used to raise TypeError on every later `up`."""
    config_id, news = died_mid_consume(start_host, emulator)
    records = list(Path(os.environ["FRUXON_STATE_DIR"], "consumes").glob("*.json"))
    assert len(records) == 1
    record = json.loads(records[0].read_text())
    records[0].write_text(json.dumps({**record, "modified_at_before": "yesterday"}))
    provider_host = start_host()
    provider_host.configure(stack_config(emulator), ["fruxon:token"])

    with pytest.raises(HostError) as doubtful:
        Stack(provider_host, INTEGRATION_AUTH).up(news)
    claim = adoption_claim(config_id, fingerprint(news["credential_key"]))
    assert f"FRUXON_ADOPT_BINDING={claim} pulumi up" in doubtful.value.details
    assert "TypeError" not in doubtful.value.details
    assert "is not valid; ignoring it" in provider_host.stderr


def test_a_journal_that_cannot_be_written_is_reported(
    start_host: Callable[..., ProviderHost], emulator: FruxonEmulator, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "state"
    not_a_folder.write_text("a file where the state folder should be")
    provider_host = start_host(clean_env(FRUXON_STATE_DIR=str(not_a_folder)))
    provider_host.configure(stack_config(emulator), ["fruxon:token"])
    config_id = emulator.add_config("internal_crm")

    stack = Stack(provider_host, INTEGRATION_AUTH)
    assert (
        stack.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))) == "create"
    )
    assert "could not record the write" in provider_host.stderr
    assert "FRUXON_STATE_DIR" in provider_host.stderr


def test_moving_a_binding_to_another_config_warns_at_preview_that_the_key_is_spent(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack, _, key = bound(provider_host, emulator)
    other = emulator.add_config("internal_crm")
    emulator.clear_requests()

    assert stack.preview(auth_inputs(other, key)) == "replace"
    assert emulator.requests == []
    assert "was already consumed, and keys are single-use" in provider_host.stderr

    with pytest.raises(HostError) as refused:
        stack.up(auth_inputs(other, key))
    assert "config or integration changed" in refused.value.details
    assert "used elsewhere" not in refused.value.details
    assert key not in refused.value.details


def test_a_failed_publish_then_a_deleted_config_fails_and_says_to_refresh(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    """It used to warn "the next pulumi up publishes again" on every up, and exit 0."""
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
    emulator.fail_next(1, status=500, route="publishConfig")
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(news)
    assert stack.state is not None and stack.state.outputs["live"] is False
    emulator.delete_config(config_id)

    with pytest.raises(HostError) as gone:
        stack.up(news)
    assert "no longer exists" in gone.value.details
    assert "Run `pulumi refresh`" in gone.value.details
    assert stack.refresh() == "deleted"
