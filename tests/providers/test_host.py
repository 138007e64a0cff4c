"""Both providers through the real host, `python -m pulumi.dynamic`, over gRPC.

Layer 5 of docs/architecture.md#tests.

Each test drives the host the way the CLI would (see `tests/support/host.py`) against a fresh
emulator over HTTP, and asserts on the emulator's request log and on what the host returned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pulumi.runtime import rpc

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    AUTHORIZATION_URL,
    INTEGRATION_AUTH,
    HostError,
    ProviderHost,
    Stack,
    clean_env,
    program_inputs,
    stack_config,
)

HostFactory = Callable[..., ProviderHost]
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def auth_inputs(config_id: str, key: str, **extra: object) -> dict[str, object]:
    return program_inputs(
        IntegrationAuthProvider(),
        integration="salesforce",
        integration_config_id=config_id,
        credential_key=key,
        **extra,
    )


def new_binding(fx: FruxonEmulator) -> tuple[str, str]:
    return fx.add_config("salesforce", display_name="Salesforce prod"), fx.mint_credential_key(
        "salesforce"
    )


# -- configuration ------------------------------------------------------------------------------


def test_configure_with_stack_config_reaches_the_provider(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host = start_host()
    response = provider_host.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    assert response.acceptSecrets is False
    config_id, key = new_binding(emulator)

    stack = Stack(provider_host, INTEGRATION_AUTH)
    assert stack.up(auth_inputs(config_id, key)) == "create"

    assert emulator.count("consumeOAuthCredentials") == 1
    assert emulator.get_config(config_id)["hasAuth"] is True
    assert stack.state is not None and stack.state.outputs["workspace"] == emulator.workspace


def test_configure_with_only_environment_variables(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    env = clean_env(
        FRUXON_TOKEN=emulator.token,
        FRUXON_BASE_URL=emulator.base_url,
        FRUXON_WORKSPACE=emulator.workspace,
    )
    provider_host = start_host(env)
    provider_host.configure({"aws:region": "eu-west-1"})
    config_id, key = new_binding(emulator)

    assert Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key)) == "create"
    assert emulator.count("consumeOAuthCredentials") == 1


def test_stack_config_wins_over_environment(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    env = clean_env(FRUXON_TOKEN="fx_pat_wrong", FRUXON_BASE_URL="http://127.0.0.1:9")
    provider_host = start_host(env)
    provider_host.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    config_id, key = new_binding(emulator)

    assert Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key)) == "create"


def test_missing_token_fails_on_create_not_on_check(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    provider_host = start_host()
    provider_host.configure(
        {"fruxon:baseUrl": emulator.base_url, "fruxon:workspace": emulator.workspace}
    )
    config_id, key = new_binding(emulator)
    inputs = auth_inputs(config_id, key)

    checked = provider_host.check(INTEGRATION_AUTH, inputs)
    assert checked.failures == []
    with pytest.raises(HostError) as failure:
        provider_host.create(INTEGRATION_AUTH, checked.inputs)

    assert "fruxon:token" in failure.value.details
    assert "FRUXON_TOKEN" in failure.value.details
    assert emulator.requests == []


# -- preview is safe ----------------------------------------------------------------------------


def test_check_with_unknowns_has_no_failures_and_no_requests(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    inputs = auth_inputs(rpc.UNKNOWN, rpc.UNKNOWN, workspace=rpc.UNKNOWN)

    checked = provider_host.check(INTEGRATION_AUTH, inputs)

    assert checked.failures == []
    assert checked.inputs["integration"] == "salesforce"
    assert emulator.requests == []


def test_check_failure_names_the_property(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    checked = provider_host.check(INTEGRATION_AUTH, auth_inputs("not-a-uuid", "k"))
    assert [prop for prop, _ in checked.failures] == ["integration_config_id"]


def test_preview_creates_nothing(provider_host: ProviderHost, emulator: FruxonEmulator) -> None:
    config_id, key = new_binding(emulator)

    assert Stack(provider_host, INTEGRATION_AUTH).preview(auth_inputs(config_id, key)) == "create"
    url_inputs = program_inputs(AuthorizationUrlProvider(), integration="salesforce")
    assert Stack(provider_host, AUTHORIZATION_URL).preview(url_inputs) == "create"

    assert emulator.requests == []
    assert emulator.get_config(config_id)["hasAuth"] is False


# -- the key is consumed once ---------------------------------------------------------------------


def test_create_consumes_once_and_a_second_run_sends_nothing(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    stack = Stack(provider_host, INTEGRATION_AUTH)

    assert stack.up(auth_inputs(config_id, key)) == "create"
    assert emulator.count("consumeOAuthCredentials") == 1
    assert stack.state is not None
    outputs = stack.state.outputs
    assert outputs["credential_fingerprint"] == fingerprint(key)
    assert "credential_key" not in outputs
    assert key not in repr(outputs)
    assert outputs["level"] == "APPLICATION"
    assert outputs["auth_method_id"] == "oauth2"
    assert outputs["granted_scopes"] == emulator.get_config(config_id)["auth"]["grantedScopes"]
    assert stack.state.id == f"{emulator.workspace}/salesforce/{config_id}"

    emulator.clear_requests()
    diffed = provider_host.diff(
        INTEGRATION_AUTH,
        stack.state.id,
        stack.state.outputs,
        provider_host.check(INTEGRATION_AUTH, auth_inputs(config_id, key)).inputs,
    )
    assert diffed.changes == "none"
    assert stack.up(auth_inputs(config_id, key)) == "same"
    assert emulator.requests == []


def test_new_key_replaces_and_the_old_delete_keeps_the_new_binding(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, first_key = new_binding(emulator)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(auth_inputs(config_id, first_key))
    second_key = emulator.mint_credential_key("salesforce", scopes=["api"])
    assert stack.state is not None
    old_id = stack.state.id

    emulator.clear_requests()
    checked = provider_host.check(INTEGRATION_AUTH, auth_inputs(config_id, second_key))
    diffed = provider_host.diff(INTEGRATION_AUTH, old_id, stack.state.outputs, checked.inputs)
    assert diffed.changes == "some"
    assert diffed.replaces == ["credential_key"]
    assert diffed.delete_before_replace is False
    assert emulator.requests == []

    assert stack.up(auth_inputs(config_id, second_key)) == "replace"

    # Create-before-delete: the new consume happened and was published, then the old resource's
    # Delete ran and wrote nothing, so the config still carries the new binding.
    assert [state.id for state in stack.deleted] == [old_id]
    routes = [(r.method, r.route) for r in emulator.requests]
    consume_at = routes.index(("POST", "consumeOAuthCredentials"))
    writes = [route for method, route in routes[consume_at + 1 :] if method in WRITES]
    assert writes == ["publishConfig"]
    # Numbers come back from the engine as doubles; the old delete still sees the rebind.
    assert "bound again since" in provider_host.stderr
    assert "no API to revoke" not in provider_host.stderr
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["grantedScopes"] == ["api"]
    assert emulator.count("consumeOAuthCredentials") == 1
    config = emulator.get_config(config_id)
    assert config["hasAuth"] is True
    assert config["auth"]["grantedScopes"] == ["api"]
    assert stack.state.outputs["credential_fingerprint"] == fingerprint(second_key)


def test_destroy_leaves_the_binding_and_says_how_to_disconnect(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(auth_inputs(config_id, key))
    emulator.clear_requests()

    stack.destroy()

    assert [(r.method, r.route) for r in emulator.requests] == [("GET", "getConfig")]
    assert emulator.get_config(config_id)["hasAuth"] is True
    warnings = [line for line in provider_host.stderr.splitlines() if "stay bound" in line]
    assert len(warnings) == 1
    assert "re-authorize" in warnings[0]
    assert config_id in warnings[0]


# -- refresh finds drift ------------------------------------------------------------------------


@pytest.mark.parametrize("drift", ["delete_config", "remove_auth"])
def test_refresh_after_drift_removes_the_resource(
    provider_host: ProviderHost, emulator: FruxonEmulator, drift: str
) -> None:
    config_id, key = new_binding(emulator)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(auth_inputs(config_id, key))
    assert stack.state is not None
    outputs, inputs, old_id = stack.state.outputs, stack.state.inputs, stack.state.id

    getattr(emulator, drift)(config_id)

    read = provider_host.read(INTEGRATION_AUTH, old_id, outputs, inputs)
    assert read.id == ""
    assert stack.refresh() == "deleted"
    assert stack.state is None


def test_refresh_updates_outputs_and_keeps_the_next_preview_quiet(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    stack = Stack(provider_host, INTEGRATION_AUTH)
    stack.up(auth_inputs(config_id, key))
    assert stack.state is not None
    stored_inputs = stack.state.inputs
    # Drift: someone re-authorized the config with fewer scopes, outside Pulumi.
    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        client.consume_oauth_credentials(
            "salesforce", config_id, emulator.mint_credential_key("salesforce", scopes=["api"])
        )

    read = provider_host.read(INTEGRATION_AUTH, stack.state.id, stack.state.outputs, stored_inputs)
    # No inputs come back: read() never sees the key, so the engine keeps the stored inputs.
    assert read.inputs is None
    assert read.outputs["granted_scopes"] == ["api"]

    assert stack.refresh() == "same"
    assert stack.state.outputs["granted_scopes"] == ["api"]
    assert stack.state.inputs == stored_inputs
    emulator.clear_requests()
    assert stack.preview(auth_inputs(config_id, key)) == "same"
    assert emulator.requests == []


# -- never blind-retry the consume ----------------------------------------------------------------


def test_dropped_connection_after_consume_is_adopted(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    emulator.drop_after_consume(1)
    stack = Stack(provider_host, INTEGRATION_AUTH)

    assert stack.up(auth_inputs(config_id, key)) == "create"

    assert emulator.count("consumeOAuthCredentials") == 1
    assert stack.state is not None
    assert stack.state.outputs["level"] == "APPLICATION"
    assert stack.state.outputs["credential_fingerprint"] == fingerprint(key)
    assert "adopting it" in provider_host.stderr


def test_server_error_on_consume_without_a_bind_fails_with_the_outcome_unknown(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    emulator.fail_next(1, status=503, route="consumeOAuthCredentials")

    with pytest.raises(HostError) as failure:
        Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key))

    assert "outcome is unknown" in failure.value.details
    assert "run `pulumi up` again" in failure.value.details
    assert emulator.count("consumeOAuthCredentials") == 1
    assert emulator.get_config(config_id)["hasAuth"] is False


def test_rate_limited_consume_is_retried(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    emulator.rate_limit_next(1, retry_after="0", route="consumeOAuthCredentials")

    assert Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key)) == "create"

    statuses = [r.status for r in emulator.requests if r.route == "consumeOAuthCredentials"]
    assert statuses == [429, 200]
    assert emulator.get_config(config_id)["hasAuth"] is True


# -- say what to do next --------------------------------------------------------------------------


def test_spent_key_gives_the_single_use_error(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        client.consume_oauth_credentials("salesforce", config_id, key)

    with pytest.raises(HostError) as failure:
        Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key))

    details = failure.value.details
    assert "Credential keys are single-use" in details
    assert f"`{provider_host.property_name('credential_key')}` input" in details
    assert "pulumi config set --secret credentialKey" not in details
    assert "rotation" in details
    assert "credential_key_spent" in details
    assert "HTTP 400" in details
    assert key not in details


def test_unknown_config_fails_before_consuming(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    key = emulator.mint_credential_key("salesforce")
    missing = "00000000-0000-4000-8000-000000000000"

    with pytest.raises(HostError) as failure:
        Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(missing, key))

    assert "does not exist" in failure.value.details
    assert emulator.count("consumeOAuthCredentials") == 0


# -- the whole life cycle, and what the host produced -------------------------------------------


def test_life_cycle_and_no_secret_in_anything_the_host_produced(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    config_id, key = new_binding(emulator)
    inputs = auth_inputs(config_id, key)

    unknown = provider_host.check(INTEGRATION_AUTH, auth_inputs(config_id, rpc.UNKNOWN))
    assert unknown.failures == []
    checked = provider_host.check(INTEGRATION_AUTH, inputs)
    id_, outputs = provider_host.create(INTEGRATION_AUTH, checked.inputs)
    assert provider_host.diff(INTEGRATION_AUTH, id_, outputs, checked.inputs).changes == "none"
    read = provider_host.read(INTEGRATION_AUTH, id_, outputs, checked.inputs)
    updated = provider_host.update(INTEGRATION_AUTH, id_, read.outputs, checked.inputs, inputs)
    # update() returns full outputs (the default would wipe them all but __provider).
    assert updated["credential_fingerprint"] == outputs["credential_fingerprint"]
    assert updated["granted_scopes"] == outputs["granted_scopes"]
    provider_host.delete(INTEGRATION_AUTH, id_, updated, checked.inputs)
    with pytest.raises(HostError):  # the key is spent now: an error path is in the transcript
        provider_host.create(INTEGRATION_AUTH, checked.inputs)

    url_stack = Stack(provider_host, AUTHORIZATION_URL)
    url_stack.up(program_inputs(AuthorizationUrlProvider(), integration="salesforce"))
    url_stack.refresh()
    url_stack.destroy()

    # The key is a stored input by design: it is in Check's answer (so the scan can find it)...
    assert key in provider_host.produced_text()
    # ...and nowhere else: not in outputs, errors, diffs or stderr. Nor is the token, anywhere.
    produced = provider_host.produced_text(except_check_inputs=["credential_key"])
    assert key not in produced
    assert emulator.token not in provider_host.produced_text()
    assert "fx_pat_" not in produced


def test_concurrent_creates_on_one_provider_object(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    bindings = [new_binding(emulator) for _ in range(8)]
    checked = [provider_host.check(INTEGRATION_AUTH, auth_inputs(c, k)).inputs for c, k in bindings]
    errors: list[BaseException] = []

    def create(inputs: dict[str, object]) -> None:
        try:
            provider_host.create(INTEGRATION_AUTH, inputs)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(inputs,)) for inputs in checked]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert emulator.count("consumeOAuthCredentials") == 8
    assert all(emulator.get_config(c)["hasAuth"] for c, _ in bindings)


# -- AuthorizationUrl ---------------------------------------------------------------------------


def test_authorization_url_is_minted_once_and_stays_stable(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(provider_host, AUTHORIZATION_URL)
    inputs = program_inputs(
        AuthorizationUrlProvider(), integration="salesforce", scopes=["api"], return_url="/done"
    )

    assert stack.up(inputs) == "create"
    assert emulator.count("authorize") == 1
    assert stack.state is not None
    url = stack.state.outputs["url"]
    assert "url" in stack.state.secret_outputs

    emulator.clear_requests()
    assert stack.up(inputs) == "same"
    assert stack.refresh() == "same"
    assert stack.state.outputs["url"] == url
    assert emulator.requests == []

    # The URL works: the admin consents and gets a key that IntegrationAuth can consume.
    key = emulator.approve(url)
    config_id = emulator.add_config("salesforce")
    assert Stack(provider_host, INTEGRATION_AUTH).up(auth_inputs(config_id, key)) == "create"
    assert emulator.get_config(config_id)["auth"]["grantedScopes"] == ["api"]


def test_authorization_url_rotation_replaces_and_mints_again(
    provider_host: ProviderHost, emulator: FruxonEmulator
) -> None:
    stack = Stack(provider_host, AUTHORIZATION_URL)
    stack.up(program_inputs(AuthorizationUrlProvider(), integration="salesforce"))
    assert stack.state is not None
    first_url = stack.state.outputs["url"]

    rotated = program_inputs(AuthorizationUrlProvider(), integration="salesforce", rotation="2")
    emulator.clear_requests()
    assert stack.preview(rotated) == "replace"
    assert emulator.requests == []
    assert stack.up(rotated) == "replace"

    assert emulator.count("authorize") == 1
    assert stack.state.outputs["url"] != first_url
    assert stack.state.outputs["rotation"] == "2"
