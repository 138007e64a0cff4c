"""`IntegrationConfig`, and `IntegrationAuth`'s publishing, through the real host over gRPC.

Each test plays a CLI session (`tests/support/host.py`: `Stack.preview`, `up`, `refresh`,
`destroy`) against a fresh emulator and asserts on what Fruxon saw (its request log, its drafts
and revisions) and on what the engine would store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_fruxon._consume import adoption_claim
from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    ProviderHost,
    Stack,
    clean_env,
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


# -- IntegrationConfig: create, preview, no-op --------------------------------------------------


def test_preview_of_a_new_config_sends_nothing(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    assert Stack(provider_host, INTEGRATION_CONFIG).preview(config_inputs()) == "create"
    assert emulator.requests == []


def test_create_posts_then_publishes_and_is_live(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    assert stack.up(config_inputs(publish_note="first")) == "create"

    assert writes(emulator) == ["createConfig", "publishConfig"]
    assert stack.state is not None
    outs = stack.state.outputs
    config_id = outs["config_id"]
    assert stack.state.id == f"{emulator.workspace}/internal_crm/{config_id}"
    (revision,) = emulator.revisions(config_id)
    assert outs["published_revision_id"] == revision["id"]
    assert (outs["published_version"], outs["live"], revision["note"]) == (1, True, "first")
    assert revision["parameters"] == {
        "base_url": "https://crm.example",
        "webhook_secret": SECRET,
    }
    assert outs["parameters"] == {"base_url": "https://crm.example"}
    assert outs["secret_parameter_fingerprints"] == {"webhook_secret": fingerprint(SECRET)}
    assert "secret_parameters" not in outs
    assert emulator.get_config(config_id)["publishedRevisionId"] == revision["id"]


def test_no_op_up_and_preview_send_nothing(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    assert stack.preview(config_inputs()) == "same"
    assert stack.up(config_inputs()) == "same"
    assert emulator.requests == []


def test_a_stack_of_twenty_configs_and_twenty_bindings_is_quiet(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stacks: list[tuple[Stack, dict[str, Any]]] = []
    for n in range(20):
        config = Stack(provider_host, INTEGRATION_CONFIG)
        config_news = config_inputs(display_name=f"CRM {n}")
        config.up(config_news)
        auth = Stack(provider_host, INTEGRATION_AUTH)
        key = emulator.mint_credential_key("internal_crm")
        auth_news = auth_inputs(config_id_of(config), key)
        auth.up(auth_news)
        stacks += [(config, config_news), (auth, auth_news)]
    emulator.clear_requests()

    assert {stack.preview(news) for stack, news in stacks} == {"same"}
    assert {stack.up(news) for stack, news in stacks} == {"same"}
    assert emulator.requests == []


# -- IntegrationConfig: updates ------------------------------------------------------------------


def test_a_new_display_name_patches_and_publishes(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    assert stack.up(config_inputs(display_name="CRM renamed")) == "update"

    assert writes(emulator) == ["patchConfig", "publishConfig"]
    config_id = config_id_of(stack)
    assert emulator.get_config(config_id)["displayName"] == "CRM renamed"
    assert stack.state is not None
    assert (stack.state.outputs["published_version"], stack.state.outputs["live"]) == (2, True)


def test_a_patch_never_drops_a_bound_auth(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    binding = Stack(provider_host, INTEGRATION_AUTH)
    binding.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm")))

    for change in (
        {"display_name": "CRM again"},
        {"parameters": {"base_url": "https://other.example"}},
        {"secret_parameters": {"webhook_secret": "whsec-rotated"}},
        {"publish_note": "a note"},
    ):
        assert stack.up(config_inputs(**change)) == "update"
        draft = emulator.get_config(config_id)
        published = emulator.published(config_id)
        assert draft["hasAuth"] is True
        assert published is not None and published["auth"] is not None
        assert published["auth"]["parameters"]["accessToken"].startswith("fxoat_")


def test_declaring_the_method_already_bound_keeps_the_credentials(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    """Issue 17, defect 1: `auth` in a PATCH replaces the config's auth whole, tokens included."""
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    binding = Stack(provider_host, INTEGRATION_AUTH)
    binding.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm")))
    tokens = dict(emulator.published(config_id)["auth"]["parameters"])  # type: ignore[index]
    emulator.clear_requests()

    assert stack.up(config_inputs(auth_method="oauth2")) == "update"

    assert "patchConfig" not in writes(emulator)
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["parameters"] == tokens
    assert stack.state is not None and stack.state.outputs["auth_method"] == "oauth2"
    assert stack.up(config_inputs(auth_method="oauth2")) == "same"


def test_declaring_another_method_over_a_binding_is_refused_and_erases_nothing(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    binding = Stack(provider_host, INTEGRATION_AUTH)
    binding.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm")))
    tokens = dict(emulator.published(config_id)["auth"]["parameters"])  # type: ignore[index]
    emulator.clear_requests()

    with pytest.raises(HostError) as refused:
        stack.up(config_inputs(auth_method="api_key"))
    assert "'oauth2'" in refused.value.details
    assert "--replace" in refused.value.details
    assert writes(emulator) == []
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["parameters"] == tokens


def test_changing_the_declared_method_replaces_the_stacks_own_choice(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator, auth_method="api_key")
    config_id = config_id_of(stack)

    assert stack.up(config_inputs(auth_method="oauth2")) == "update"
    assert writes(emulator) == ["patchConfig", "publishConfig"]
    assert emulator.get_config(config_id)["auth"]["integrationAuthMetadataId"] == "oauth2"


def test_a_secret_change_is_seen_by_fingerprint_and_never_shown(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    rotated = "whsec-rotated-9876543210"
    assert stack.preview(config_inputs(secret_parameters={"webhook_secret": rotated})) == "update"
    assert emulator.requests == []

    assert stack.up(config_inputs(secret_parameters={"webhook_secret": rotated})) == "update"

    published = emulator.published(config_id_of(stack))
    assert published is not None and published["parameters"]["webhook_secret"] == rotated
    assert stack.state is not None
    assert stack.state.outputs["secret_parameter_fingerprints"] == {
        "webhook_secret": fingerprint(rotated)
    }
    produced = provider_host.produced_text(except_check_inputs=["secret_parameters"])
    assert SECRET not in produced and rotated not in produced


@pytest.mark.parametrize(
    "change", [{"integration": "salesforce"}, {"workspace": "elsewhere"}], ids=str
)
def test_integration_or_workspace_replaces(
    provider_host: ProviderHost, emulator: FruxonEmulator, change: dict[str, Any]
) -> None:
    stack = created(provider_host, emulator)
    assert stack.state is not None
    diffed = provider_host.diff(
        INTEGRATION_CONFIG, stack.state.id, stack.state.outputs, config_inputs(**change)
    )
    assert (diffed.changes, diffed.replaces) == ("some", [next(iter(change))])


def test_publish_false_writes_the_draft_only_and_stays_quiet(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    stack.up(config_inputs(publish=False))
    assert writes(emulator) == ["createConfig"]
    assert stack.state is not None and stack.state.outputs["live"] is False
    emulator.clear_requests()

    assert stack.up(config_inputs(publish=False)) == "same"
    assert stack.up(config_inputs()) == "update"  # publishing turned on publishes
    assert writes(emulator) == ["publishConfig"]
    assert stack.state.outputs["live"] is True


def test_bad_inputs_fail_in_check_without_showing_secrets(provider_host: ProviderHost) -> None:
    checked = provider_host.check(
        INTEGRATION_CONFIG,
        config_inputs(
            display_name="  ",
            secret_parameters={"webhook_secret": 12345678},
            parameters={"webhook_secret": "x"},
            publish="yes",
        ),
    )
    reasons = dict(checked.failures)
    assert sorted({prop for prop, _ in checked.failures}) == [
        "display_name",
        "publish",
        "secret_parameters",
    ]
    assert "both parameters and secret_parameters" in repr(checked.failures)
    assert "must be a map of strings" in repr(checked.failures)
    assert "display_name" in reasons["display_name"]
    assert "12345678" not in repr(checked.failures)


# -- IntegrationConfig: refresh, drift, rollback -------------------------------------------------


def test_refresh_shows_drift_and_up_repairs_it(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    emulator.patch_config(config_id, displayName="Renamed in the UI")

    assert stack.refresh() == "update"
    assert stack.state is not None
    assert stack.state.outputs["display_name"] == "Renamed in the UI"
    # The secret's fingerprint cannot be refreshed and is kept as it was.
    assert stack.state.outputs["secret_parameter_fingerprints"] == {
        "webhook_secret": fingerprint(SECRET)
    }

    assert stack.up(config_inputs()) == "update"
    assert emulator.get_config(config_id)["displayName"] == "CRM prod"
    assert stack.up(config_inputs()) == "same"


def test_rollback_makes_it_not_live_and_up_publishes_again(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    first = emulator.revisions(config_id)[0]
    stack.up(config_inputs(parameters={"base_url": "https://v2.example"}))
    emulator.rollback(config_id, first["id"])
    emulator.clear_requests()

    assert stack.refresh() == "update"
    assert stack.state is not None and stack.state.outputs["live"] is False
    assert writes(emulator) == []
    news = config_inputs(parameters={"base_url": "https://v2.example"})
    assert stack.preview(news) == "update"

    assert stack.up(news) == "update"
    assert writes(emulator) == ["publishConfig"]
    assert (stack.state.outputs["live"], stack.state.outputs["published_version"]) == (True, 3)
    published = emulator.published(config_id)
    assert published is not None and published["parameters"]["base_url"] == "https://v2.example"
    assert stack.up(news) == "same"


def test_a_newer_revision_with_the_same_values_stays_live(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    revision = emulator.publish(config_id_of(stack), note="someone else")

    assert stack.refresh() == "same"
    assert stack.state is not None
    assert stack.state.outputs["live"] is True
    assert stack.state.outputs["published_revision_id"] == revision["id"]


def test_a_deleted_config_leaves_the_stack(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    emulator.delete_config(config_id_of(stack))
    assert stack.refresh() == "deleted"


# -- IntegrationConfig: publish failures, delete, get -------------------------------------------


def test_a_failed_publish_keeps_the_config_and_the_next_up_publishes(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    emulator.fail_next(1, status=503, route="publishConfig")
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    assert stack.up(config_inputs()) == "create"
    assert stack.state is not None and stack.state.outputs["live"] is False
    assert "publishing it failed" in provider_host.stderr

    assert stack.preview(config_inputs()) == "update"
    assert stack.up(config_inputs()) == "update"
    assert stack.state.outputs["live"] is True
    assert emulator.count("createConfig") == 1
    assert emulator.count("publishConfig") == 2  # the refused one, and the one that worked


def test_destroy_deletes_the_config_and_a_gone_one_counts_as_deleted(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    config_id = config_id_of(stack)
    stack.destroy()
    assert writes(emulator) == ["deleteConfig"]
    with pytest.raises(KeyError):
        emulator.get_config(config_id)

    again = created(provider_host, emulator)
    emulator.delete_config(config_id_of(again))
    again.destroy()  # a 404 is fine


def test_a_refused_delete_says_what_to_do(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator)
    emulator.fail_next(1, status=409, route="deleteConfig")
    with pytest.raises(HostError) as refused:
        stack.destroy()
    assert "refused to delete config" in refused.value.details
    assert "pulumi state delete" in refused.value.details


def test_get_adopts_an_existing_config_read_only(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("internal_crm", display_name="Made in the UI")
    emulator.patch_config(config_id, parameters={"base_url": "https://ui.example"})
    revision = emulator.publish(config_id)
    resource_id = f"{emulator.workspace}/internal_crm/{config_id}"
    inputs = program_inputs(IntegrationConfigProvider())

    read = provider_host.read(INTEGRATION_CONFIG, resource_id, {}, inputs)

    assert read.id == resource_id
    assert read.outputs["display_name"] == "Made in the UI"
    assert read.outputs["parameters"] == {"base_url": "https://ui.example"}
    assert read.outputs["published_revision_id"] == revision["id"]
    assert read.outputs["live"] is True
    assert writes(emulator) == []

    missing = f"{emulator.workspace}/internal_crm/00000000-0000-4000-8000-000000000000"
    with pytest.raises(HostError) as failure:
        provider_host.read(INTEGRATION_CONFIG, missing, {}, inputs)
    assert "does not exist" in failure.value.details


# -- IntegrationAuth goes live ------------------------------------------------------------------


def bound(provider_host: ProviderHost, emulator: FruxonEmulator) -> tuple[Stack, str, str]:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    stack = Stack(provider_host, INTEGRATION_AUTH)
    assert stack.up(auth_inputs(config_id, key)) == "create"
    return stack, config_id, key


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


def died_mid_consume(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> tuple[str, dict[str, Any]]:
    """An `up` whose consume Fruxon processed, then the connection dropped and an outage failed
    the re-read: the resource never reached state, and the key is spent."""
    config_id = emulator.add_config("internal_crm")
    news = auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))
    first = host()
    first.configure({**stack_config(emulator), "fruxon:timeout": "2"}, ["fruxon:token"])
    emulator.drop_after_consume(1, outage=50)
    with pytest.raises(HostError) as died:
        Stack(first, INTEGRATION_AUTH).up(news)
    assert "outcome is unknown" in died.value.details
    emulator.clear_faults()
    assert emulator.get_config(config_id)["hasAuth"] is True
    return config_id, news


def test_the_next_up_adopts_a_binding_this_machine_evidently_made(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    config_id, news = died_mid_consume(host, emulator)
    provider_host = host()
    provider_host.configure(stack_config(emulator), ["fruxon:token"])
    stack = Stack(provider_host, INTEGRATION_AUTH)

    assert stack.up(news) == "create"

    assert emulator.count("consumeOAuthCredentials") == 2  # the second was refused: spent
    assert stack.state is not None and stack.state.outputs["live"] is True
    assert stack.state.outputs["integration_config_id"] == config_id
    assert "was spent by an earlier `pulumi up` that did not finish" in provider_host.stderr
    assert stack.up(news) == "same"


def test_a_binding_that_cannot_be_attributed_is_adopted_only_when_asked(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator, tmp_path: Path
) -> None:
    config_id, news = died_mid_consume(host, emulator)
    # Another machine: no record of having sent the key.
    elsewhere = clean_env(FRUXON_STATE_DIR=str(tmp_path / "another-machine"))
    provider_host = host(elsewhere)
    provider_host.configure(stack_config(emulator), ["fruxon:token"])

    with pytest.raises(HostError) as doubtful:
        Stack(provider_host, INTEGRATION_AUTH).up(news)
    claim = adoption_claim(config_id, fingerprint(news["credential_key"]))
    assert f"FRUXON_ADOPT_BINDING={claim} pulumi up" in doubtful.value.details
    assert news["credential_key"] not in doubtful.value.details

    # The config id alone, as an older release asked for, adopts nothing.
    bare = host({**elsewhere, "FRUXON_ADOPT_BINDING": config_id})
    bare.configure(stack_config(emulator), ["fruxon:token"])
    with pytest.raises(HostError):
        Stack(bare, INTEGRATION_AUTH).up(news)

    asked = host({**elsewhere, "FRUXON_ADOPT_BINDING": claim})
    asked.configure(stack_config(emulator), ["fruxon:token"])
    stack = Stack(asked, INTEGRATION_AUTH)
    assert stack.up(news) == "create"
    assert stack.state is not None and stack.state.outputs["live"] is True
    assert emulator.count("consumeOAuthCredentials") == 4
    assert "method 'oauth2', level APPLICATION" in asked.stderr


def test_adoption_refuses_a_binding_no_key_could_have_made(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    key = emulator.mint_credential_key("internal_crm")
    spent_on = emulator.add_config("internal_crm")
    first = host()
    first.configure(stack_config(emulator), ["fruxon:token"])
    Stack(first, INTEGRATION_AUTH).up(auth_inputs(spent_on, key))
    api_key_config = emulator.add_config("internal_crm", auth_method_id="api_key")
    news = auth_inputs(api_key_config, key)
    claim = adoption_claim(api_key_config, fingerprint(key))
    asked = host({**clean_env(), "FRUXON_ADOPT_BINDING": claim})
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
    assert "`credential_key` input" in rejected.value.details
    assert "FRUXON_ADOPT_BINDING" not in rejected.value.details


def test_a_journal_record_with_a_wrong_typed_field_is_ignored_with_a_warning(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator
) -> None:
    """Issue 17, defect 6: such a record used to raise TypeError on every later `up`."""
    config_id, news = died_mid_consume(host, emulator)
    records = list(Path(os.environ["FRUXON_STATE_DIR"], "consumes").glob("*.json"))
    assert len(records) == 1
    record = json.loads(records[0].read_text())
    records[0].write_text(json.dumps({**record, "modified_at_before": "yesterday"}))
    provider_host = host()
    provider_host.configure(stack_config(emulator), ["fruxon:token"])

    with pytest.raises(HostError) as doubtful:
        Stack(provider_host, INTEGRATION_AUTH).up(news)
    claim = adoption_claim(config_id, fingerprint(news["credential_key"]))
    assert f"FRUXON_ADOPT_BINDING={claim} pulumi up" in doubtful.value.details
    assert "TypeError" not in doubtful.value.details
    assert "is not valid; ignoring it" in provider_host.stderr


def test_a_journal_that_cannot_be_written_is_reported(
    host: Callable[..., ProviderHost], emulator: FruxonEmulator, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "state"
    not_a_folder.write_text("a file where the state folder should be")
    provider_host = host(clean_env(FRUXON_STATE_DIR=str(not_a_folder)))
    provider_host.configure(stack_config(emulator), ["fruxon:token"])
    config_id = emulator.add_config("internal_crm")

    stack = Stack(provider_host, INTEGRATION_AUTH)
    assert (
        stack.up(auth_inputs(config_id, emulator.mint_credential_key("internal_crm"))) == "create"
    )
    assert "could not record the write" in provider_host.stderr
    assert "FRUXON_STATE_DIR" in provider_host.stderr


# -- IntegrationConfig: a create whose answer was lost (issue 17, defect 2) ---------------------


def configs_named(fx: FruxonEmulator, name: str) -> list[dict[str, Any]]:
    return [c for c in fx.list_configs("internal_crm") if c["displayName"] == name]


def test_a_lost_create_reply_is_reconciled_in_the_same_up(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    emulator.drop_after_next(1, route="createConfig")
    stack = Stack(provider_host, INTEGRATION_CONFIG)

    assert stack.up(config_inputs()) == "create"

    (config,) = configs_named(emulator, "CRM prod")
    assert config_id_of(stack) == config["id"]
    assert stack.state is not None and stack.state.outputs["live"] is True
    assert "appeared since; adopting it" in provider_host.stderr
    assert SECRET not in provider_host.stderr


def test_a_lost_create_reply_that_cannot_be_checked_is_adopted_by_the_next_up(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    emulator.drop_after_next(1, route="createConfig", outage=20)
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    with pytest.raises(HostError) as unknown:
        stack.up(config_inputs())
    assert "A config named 'CRM prod' may exist outside the stack" in unknown.value.details
    assert "Run `pulumi up` again from this machine" in unknown.value.details
    assert SECRET not in unknown.value.details
    emulator.clear_faults()
    assert len(configs_named(emulator, "CRM prod")) == 1

    assert stack.up(config_inputs(parameters={"base_url": "https://crm2.example"})) == "create"

    (config,) = configs_named(emulator, "CRM prod")
    assert config_id_of(stack) == config["id"]
    assert config["parameters"]["base_url"] == "https://crm2.example"
    assert "did not finish; adopting it" in provider_host.stderr
    assert emulator.count("createConfig") == 1
    stack.destroy()
    assert configs_named(emulator, "CRM prod") == []


def test_a_create_that_failed_unprocessed_creates_nothing(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    emulator.fail_next(3, status=503, route="createConfig")
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    with pytest.raises(HostError) as failed:
        stack.up(config_inputs())
    assert "failed 3 times" in failed.value.details
    assert "Fruxon did not create it. Run `pulumi up` again." in failed.value.details
    assert configs_named(emulator, "CRM prod") == []

    # Once reconciling shows nothing was created, the create is sent again in the same up.
    emulator.fail_next(2, status=503, route="createConfig")
    assert stack.up(config_inputs()) == "create"
    assert len(configs_named(emulator, "CRM prod")) == 1


def test_same_named_configs_that_appeared_are_named_not_guessed(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    emulator.drop_after_next(1, route="createConfig", outage=20)
    stack = Stack(provider_host, INTEGRATION_CONFIG)
    with pytest.raises(HostError):
        stack.up(config_inputs())
    emulator.clear_faults()
    other = emulator.add_config("internal_crm", display_name="CRM prod")  # someone else's

    with pytest.raises(HostError) as ambiguous:
        stack.up(config_inputs())
    assert "2 configs of that name appeared since" in ambiguous.value.details
    assert other in ambiguous.value.details
    assert emulator.count("createConfig") == 1


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


def test_a_secret_in_plain_parameters_is_flagged_and_never_churns(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    """internal_crm marks `webhook_secret` secret; this config declares it in plain `parameters`."""
    plain_secret = {"base_url": "https://crm.example", "webhook_secret": SECRET}
    news = config_inputs(parameters=plain_secret, secret_parameters=None)
    stack = Stack(provider_host, INTEGRATION_CONFIG)

    assert stack.up(news) == "create"
    assert "marks webhook_secret secret" in provider_host.stderr
    assert "Move it to `secret_parameters`" in provider_host.stderr
    assert SECRET not in provider_host.stderr
    emulator.clear_requests()

    assert stack.refresh() == "same"
    assert stack.up(news) == "same"
    assert [r.method for r in emulator.requests] == ["GET"]
