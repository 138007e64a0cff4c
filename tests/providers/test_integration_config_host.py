"""`IntegrationConfig` through the real host over gRPC.

Each test plays a CLI session (`tests/support/host.py`: `Stack.preview`, `up`, `refresh`,
`destroy`) against a fresh emulator and asserts on what Fruxon saw (its request log, its drafts
and revisions) and on what the engine would store.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    ProviderHost,
    Stack,
    program_inputs,
)
from tests.support.stacks import (
    SECRET,
    auth_inputs,
    config_id_of,
    config_inputs,
    configs_named,
    created,
    writes,
)

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


def test_changing_the_method_of_a_bound_config_warns_at_preview(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = created(provider_host, emulator, auth_method="oauth2")
    config_id = config_id_of(stack)
    key = emulator.mint_credential_key("internal_crm")
    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        client.consume_oauth_credentials("internal_crm", config_id, key)
    stack.refresh()
    emulator.clear_requests()

    assert stack.preview(config_inputs(auth_method="api_key")) == "update"

    assert "which replaces the credentials bound to the config" in provider_host.stderr
    assert emulator.requests == []


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
            secret_parameters={"webhook_secret": [12345678]},
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


# -- IntegrationConfig: a create whose answer was lost (issue 17, defect 2) ---------------------


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
