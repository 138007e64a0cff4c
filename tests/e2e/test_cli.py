"""End to end: `pulumi up`, preview, refresh, destroy and stack export, with the real CLI.

Every test gets its own emulator and its own stack on a file backend in a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import PROGRAMS, Connection

AUTH_TYPE = "pulumi-python:dynamic/fruxon:IntegrationAuth"
CONFIG_TYPE = "pulumi-python:dynamic/fruxon:IntegrationConfig"
CONSUME = "consumeOAuthCredentials"


def resources(stack: auto.Stack, type_: str = AUTH_TYPE) -> list[dict[str, Any]]:
    """The resources of one type in the stack's state."""
    deployment = stack.export_stack().deployment or {}
    return [r for r in deployment.get("resources") or [] if r["type"] == type_]


def changes(summary: dict[Any, int] | None) -> dict[str, int]:
    """A change summary keyed by op name: `same`, `create`, `replace`, `delete`, ..."""
    return {str(op.value if hasattr(op, "value") else op): n for op, n in (summary or {}).items()}


def test_second_up_changes_nothing_and_consume_ran_once(bound: tuple[Connection, str]) -> None:
    connection, _ = bound
    connection.fx.clear_requests()

    again = connection.stack.up(on_output=connection.log, show_secrets=False)

    assert changes(again.summary.resource_changes) == {"same": 4}
    assert connection.fx.count(CONSUME) == 0  # the log was cleared after the one consume
    assert connection.fx.requests == []
    outputs = again.outputs
    assert outputs["auth_method_id"].value == "oauth2"
    assert outputs["credential_fingerprint"].value.startswith("sha256:")
    # The config's publish, then the binding's: what agents resolve carries the credentials.
    assert (outputs["live"].value, outputs["published_version"].value) == (True, 2)
    published = connection.fx.published(connection.config_id)
    assert published is not None and published["version"] == 2
    assert published["auth"]["integrationAuthMetadataId"] == "oauth2"


def test_preview_expect_no_changes_passes_and_sends_nothing(
    bound: tuple[Connection, str],
) -> None:
    connection, _ = bound
    connection.fx.clear_requests()

    preview = connection.stack.preview(on_output=connection.log, expect_no_changes=True)

    assert changes(preview.change_summary) == {"same": 4}
    assert connection.fx.requests == []


def test_a_config_update_keeps_its_binding_and_a_saved_plan_applies(
    bound: tuple[Connection, str], tmp_path: Path
) -> None:
    """Issue 17, defect 5: an in-place config update made the preview show the binding as
    replaced (its config id unknown), and `up --plan` then failed after the PATCH."""
    connection, _ = bound
    connection.stack.set_config("displayName", auto.ConfigValue("Salesforce renamed"))
    plan = tmp_path / "plan.json"

    preview = connection.stack.preview(on_output=connection.log, plan=str(plan))

    assert changes(preview.change_summary) == {"same": 3, "update": 1}
    connection.fx.clear_requests()
    applied = connection.stack.up(on_output=connection.log, show_secrets=False, plan=str(plan))
    assert changes(applied.summary.resource_changes) == {"same": 3, "update": 1}
    assert connection.fx.count(CONSUME) == 0
    assert connection.fx.get_config(connection.config_id)["displayName"] == "Salesforce renamed"
    assert applied.outputs["config_live"].value is True


def test_preview_with_a_config_id_unknown_until_apply(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    config_id = emulator.list_configs("salesforce")[0]["id"]
    key = emulator.mint_credential_key("salesforce")
    with local_stack(
        PROGRAMS / "unknown-config",
        emulator,
        pulumi_bin=pulumi_bin,
        config={"integrationConfigId": config_id},
    ) as stack:
        stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))

        preview = stack.preview()
        assert changes(preview.change_summary) == {"create": 3}
        assert emulator.requests == []  # nothing minted, nothing consumed

        up = stack.up(show_secrets=False)
        assert changes(up.summary.resource_changes) == {"create": 3}
        assert emulator.count(CONSUME) == 1
        assert emulator.get_config(config_id)["hasAuth"] is True
        assert up.outputs["credential_fingerprint"].value.startswith("sha256:")


def test_refresh_drops_the_binding_when_its_config_is_deleted(
    bound: tuple[Connection, str],
) -> None:
    connection, _ = bound
    assert len(resources(connection.stack)) == 1
    connection.fx.delete_config(connection.config_id)

    refresh = connection.stack.refresh(on_output=connection.log, show_secrets=False)

    # Both the binding and the config that held it leave the stack.
    assert changes(refresh.summary.resource_changes).get("delete") == 2
    assert resources(connection.stack) == []
    assert resources(connection.stack, CONFIG_TYPE) == []


def test_rotating_the_key_replaces_and_binds_the_new_one(bound: tuple[Connection, str]) -> None:
    connection, old_key = bound
    old_fingerprint = connection.stack.outputs()["credential_fingerprint"].value
    connection.stack.set_config("rotation", auto.ConfigValue("2"))
    new_key = connection.consent()  # the up mints a fresh URL; the binding is untouched
    assert connection.fx.count(CONSUME) == 1
    connection.set_key(new_key)

    preview = connection.stack.preview(on_output=connection.log, diff=True)
    assert changes(preview.change_summary) == {"replace": 1, "same": 3}

    up = connection.stack.up(on_output=connection.log, show_secrets=False)

    assert changes(up.summary.resource_changes) == {"replace": 1, "same": 3}
    assert connection.fx.count(CONSUME) == 2
    assert up.outputs["credential_fingerprint"].value != old_fingerprint
    # Deleting the replaced resource did not disconnect the new binding, which went live.
    assert connection.fx.get_config(connection.config_id)["hasAuth"] is True
    assert up.outputs["live"].value is True
    assert up.outputs["published_version"].value == 3
    assert old_key != new_key
    log = "\n".join(connection.output)
    assert "bound again since" in log  # the old binding's delete says it was replaced
    assert "no API to revoke" not in log


def test_destroy_leaves_the_binding_and_says_how_to_disconnect(
    bound: tuple[Connection, str],
) -> None:
    connection, _ = bound
    config_id = connection.config_id
    diagnostics: list[str] = []

    def on_event(event: auto.EngineEvent) -> None:
        # The provider host has no engine connection: pulumi.log.warn prints "warning: ..." on
        # stderr, which the engine relays as an `info#err` diagnostic
        # (docs/dynamic-providers.md#logs).
        if event.diagnostic_event is not None:
            diagnostics.append(event.diagnostic_event.message)

    destroy = connection.stack.destroy(on_output=connection.log, on_event=on_event)

    assert changes(destroy.summary.resource_changes) == {"delete": 4}
    assert resources(connection.stack) == []
    warnings = [m for m in diagnostics if "no API to revoke" in m]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: IntegrationAuth for config")
    assert "destroying its IntegrationConfig does" in warnings[0]
    # The stack's IntegrationConfig is deleted last, and with it the binding.
    assert [r.route for r in connection.fx.requests if r.method == "DELETE"] == ["deleteConfig"]
    with pytest.raises(KeyError):
        connection.fx.get_config(config_id)


def where(value: Any, needle: str, path: str = "") -> list[str]:
    """The paths of every string in `value` that contains `needle`."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in where(v, needle, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in where(v, needle, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and needle in value else []


def exported(stack: auto.Stack) -> tuple[dict[str, Any], str]:
    """`pulumi stack export --show-secrets` (parsed), and plain `pulumi stack export` (text)."""
    revealed = stack.export_stack().deployment or {}
    plain = stack.workspace.pulumi_command.run(
        ["stack", "export", "--stack", stack.name],
        stack.workspace.work_dir,
        stack.workspace.env_vars,
    ).stdout
    return revealed, plain


def test_stack_export_holds_no_token_no_key_output_and_a_small_provider(
    bound: tuple[Connection, str],
) -> None:
    connection, key = bound
    stack = connection.stack
    revealed, plain = exported(stack)
    index = {r["type"]: i for i, r in enumerate(revealed["resources"])}

    assert where(revealed, connection.fx.token) == []
    assert connection.fx.token not in plain
    assert key not in plain  # wherever the key is kept, it is encrypted
    # Decrypted, the key is only where it is an input: the resource's own secret input, and the
    # engine's copy of the stack config on the default dynamic provider. Never in an output.
    assert sorted(where(revealed, key)) == [
        f".resources[{index['pulumi:providers:pulumi-python']}].inputs"
        ".oauth-connection:credentialKey.plaintext",
        f".resources[{index['pulumi:providers:pulumi-python']}].outputs"
        ".oauth-connection:credentialKey.plaintext",
        f".resources[{index[AUTH_TYPE]}].inputs.credential_key.plaintext",
    ]
    stack_outputs = {name: output.value for name, output in stack.outputs().items()}
    assert "credential_fingerprint" in stack_outputs  # decrypted values, so the search can hit
    assert where(stack_outputs, key) == []
    for dynamic in (AUTH_TYPE, CONFIG_TYPE, "pulumi-python:dynamic/fruxon:AuthorizationUrl"):
        assert len(revealed["resources"][index[dynamic]]["outputs"]["__provider"]) < 1024
    log = "\n".join(connection.output)
    assert connection.fx.token not in log
    assert key not in log


def test_rollback_shows_not_live_on_refresh_and_up_publishes_again(
    bound: tuple[Connection, str],
) -> None:
    connection, _ = bound
    fx, stack = connection.fx, connection.stack
    config_id = connection.config_id
    before_bind = fx.revisions(config_id)[0]  # the config's own publish, without auth
    fx.rollback(config_id, before_bind["id"])
    fx.clear_requests()

    refresh = stack.refresh(on_output=connection.log, show_secrets=False)

    assert changes(refresh.summary.resource_changes).get("update") == 1
    (binding,) = resources(stack)
    assert binding["outputs"]["live"] is False
    assert all(r.method == "GET" for r in fx.requests)
    preview = stack.preview(on_output=connection.log)
    assert changes(preview.change_summary) == {"update": 1, "same": 3}

    up = stack.up(on_output=connection.log, show_secrets=False)

    assert changes(up.summary.resource_changes) == {"update": 1, "same": 3}
    assert [r.route for r in fx.requests if r.method != "GET"] == ["publishConfig"]
    assert (up.outputs["live"].value, up.outputs["published_version"].value) == (True, 3)
    published = fx.published(config_id)
    assert published is not None and published["auth"] is not None
    stack.preview(expect_no_changes=True)


def test_unmasked_credentials_of_a_publish_appear_nowhere(bound: tuple[Connection, str]) -> None:
    connection, _ = bound
    published = connection.fx.published(connection.config_id)
    assert published is not None
    tokens = list(published["auth"]["parameters"].values())
    assert len(tokens) == 2
    revealed, plain = exported(connection.stack)
    outputs = {name: o.value for name, o in connection.stack.outputs().items()}
    log = "\n".join(connection.output)
    for token in tokens:
        assert where(revealed, token) == []
        assert token not in plain
        assert where(outputs, token) == []
        assert token not in log


def test_token_as_stack_config_is_kept_encrypted_by_the_engine(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    """`fruxon:token` works, but the engine mirrors all stack config into the default dynamic
    provider's state: encrypted there, and only there. Hence the README's advice: FRUXON_TOKEN."""
    config_id = emulator.list_configs("salesforce")[0]["id"]
    with local_stack(
        PROGRAMS / "unknown-config",
        emulator,
        pulumi_bin=pulumi_bin,
        config={"integrationConfigId": config_id},
        token_in_config=True,
    ) as stack:
        stack.set_config(
            "credentialKey",
            auto.ConfigValue(emulator.mint_credential_key("salesforce"), secret=True),
        )
        stack.up(show_secrets=False)
        assert emulator.count(CONSUME) == 1

        revealed, plain = exported(stack)

    assert emulator.token not in plain
    provider = [r["type"] for r in revealed["resources"] if where(r, emulator.token)]
    assert provider == ["pulumi:providers:pulumi-python"]


def test_get_reads_an_existing_binding_without_consuming(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    slack = emulator.list_configs("slack")[0]
    binding_id = f"{emulator.workspace}/slack/{slack['id']}"
    with local_stack(
        PROGRAMS / "adopt", emulator, pulumi_bin=pulumi_bin, config={"bindingId": binding_id}
    ) as stack:
        up = stack.up(show_secrets=False)
        assert up.outputs["auth_method_id"].value == "oauth2"
        assert up.outputs["integration_config_id"].value == slack["id"]
        assert emulator.count(CONSUME) == 0

        stack.destroy()
        assert emulator.get_config(slack["id"])["hasAuth"] is True


def test_get_of_a_config_without_auth_fails(emulator: FruxonEmulator, pulumi_bin: str) -> None:
    salesforce = emulator.list_configs("salesforce")[0]  # no auth bound yet
    binding_id = f"{emulator.workspace}/salesforce/{salesforce['id']}"
    with (
        local_stack(
            PROGRAMS / "adopt", emulator, pulumi_bin=pulumi_bin, config={"bindingId": binding_id}
        ) as stack,
        pytest.raises(auto.CommandError) as failed,
    ):
        stack.up(show_secrets=False)
    assert "has no auth bound, so there is no binding to read" in str(failed.value)


def test_secret_parameters_stay_out_of_outputs_plain_state_and_cli_output(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    secret = "whsec-e2e-4f1d8c2a9b"
    log: list[str] = []
    with local_stack(PROGRAMS / "config-secrets", emulator, pulumi_bin=pulumi_bin) as stack:
        stack.set_config("webhookSecret", auto.ConfigValue(secret, secret=True))
        up = stack.up(on_output=log.append, show_secrets=False)
        config_id = up.outputs["config_id"].value
        assert up.outputs["live"].value is True
        published = emulator.published(config_id)
        assert published is not None and published["parameters"]["webhook_secret"] == secret

        stack.set_config("displayName", auto.ConfigValue("CRM renamed"))
        stack.up(on_output=log.append, show_secrets=False)
        stack.refresh(on_output=log.append, show_secrets=False)
        stack.preview(on_output=log.append, expect_no_changes=True)
        revealed, plain = exported(stack)
        outputs = {name: o.value for name, o in stack.outputs().items()}

    assert emulator.get_config(config_id)["hasAuth"] is False
    assert secret not in plain
    assert secret not in "\n".join(log)
    assert where(outputs, secret) == []
    (config,) = [r for r in revealed["resources"] if r["type"] == CONFIG_TYPE]
    # Decrypted, the secret is only the resource's own secret input (and the engine's copy of
    # the stack config): never an output.
    assert where(config["outputs"], secret) == []
    assert where(config["inputs"], secret) == [".secret_parameters.plaintext"]
    # Its fingerprint is a secret output too: a short secret could be guessed from a bare hash.
    fingerprint_of = fingerprint(secret).removeprefix("sha256:")
    assert fingerprint_of not in plain
    assert fingerprint_of in json.dumps(config["outputs"])
