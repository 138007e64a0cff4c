"""`IntegrationAuthProvider` methods called directly against the emulator.

Layer 3 of docs/architecture.md#tests."""

from __future__ import annotations

import threading
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.output import Unknown
from pytest_mock import MockerFixture

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import (
    APIConnectionError,
    ConfigurationError,
    ConsumeNotSentError,
    ConsumeOutcomeUnknownError,
    InsufficientScopeError,
    IntegrationConfigNotFoundError,
    ServerError,
)
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.testing import FruxonEmulator

CONFIG_ID = "0b6f6c2e-1d0a-4c3e-9f7b-2a5d8e9c1f00"


def configured(fx: FruxonEmulator, **overrides: str) -> IntegrationAuthProvider:
    provider = IntegrationAuthProvider()
    config = {
        "fruxon:token": fx.token,
        "fruxon:baseUrl": fx.base_url,
        "fruxon:workspace": fx.workspace,
        **overrides,
    }
    provider.configure(ConfigureRequest(Config(config, "proj")))
    return provider


def inputs(config_id: str = CONFIG_ID, key: Any = "fxck_key", **extra: Any) -> dict[str, Any]:
    return {
        "integration": "salesforce",
        "integration_config_id": config_id,
        "credential_key": key,
        **extra,
    }


def outputs_for(provider: IntegrationAuthProvider, props: dict[str, Any]) -> dict[str, Any]:
    """What create would store, without calling it."""
    return {
        "integration": props["integration"],
        "integration_config_id": props["integration_config_id"],
        "workspace": provider.effective_workspace(props.get("workspace")),
        "credential_fingerprint": fingerprint(props["credential_key"]),
        "publish": True,
        "publish_note": None,
        "live": True,
    }


# -- configure and check ------------------------------------------------------------------------


def test_configure_without_a_token_does_not_fail_and_sends_nothing(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRUXON_TOKEN", raising=False)
    provider = IntegrationAuthProvider()
    provider.configure(ConfigureRequest(Config({"fruxon:baseUrl": emulator.base_url}, "proj")))

    assert provider.check({}, inputs()).failures == []
    with pytest.raises(ConfigurationError, match=r"fruxon:token.*FRUXON_TOKEN"):
        provider.create(inputs())
    assert emulator.requests == []


def test_repr_never_shows_the_token(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    provider.client()
    assert emulator.token not in repr(provider)
    assert emulator.token not in repr(provider.client())


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("integration", ""),
        ("integration", "sales force"),
        ("integration", 42),
        ("integration", None),
        ("integration_config_id", "not-a-uuid"),
        ("integration_config_id", None),
        ("credential_key", ""),
        ("credential_key", "   "),
        ("credential_key", 12345),
        ("credential_key", None),
        ("workspace", "a/b"),
        ("workspace", ["demo"]),
    ],
)
def test_check_names_the_bad_property(prop: str, value: Any) -> None:
    result = IntegrationAuthProvider().check({}, {**inputs(), prop: value})
    assert [f.property for f in result.failures] == [prop]


def test_check_never_echoes_the_key() -> None:
    result = IntegrationAuthProvider().check({}, inputs(key=987654321))
    assert result.failures
    assert "987654321" not in repr([f.reason for f in result.failures])


def test_check_normalizes_and_otherwise_passes_inputs_through() -> None:
    news = {
        **inputs(config_id=" 0B6F6C2E-1D0A-4C3E-9F7B-2A5D8E9C1F00 ", key=" fxck_key\n"),
        "__provider": "pickled",
    }
    result = IntegrationAuthProvider().check({}, news)
    assert result.failures == []
    assert result.inputs == {
        "integration": "salesforce",
        "integration_config_id": CONFIG_ID,
        "credential_key": "fxck_key",
        "publish": True,
        "__provider": "pickled",
    }


def test_check_accepts_unknowns() -> None:
    news = {key: Unknown() for key in inputs()} | {"workspace": Unknown()}
    result = IntegrationAuthProvider().check({}, news)
    assert result.failures == []
    assert result.inputs.pop("publish") is True  # the default, filled in
    assert all(isinstance(v, Unknown) for v in result.inputs.values())


# -- diff ---------------------------------------------------------------------------------------


def test_diff_same_inputs_is_no_change_whatever_the_provider_pickle(
    emulator: FruxonEmulator,
) -> None:
    provider = configured(emulator)
    olds = {**outputs_for(provider, inputs()), "__provider": "old-pickle"}
    result = provider.diff("id", olds, {**inputs(), "__provider": "new-pickle"})
    assert result.changes is False
    assert not result.replaces
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"integration": "slack"}, "integration"),
        (
            {"integration_config_id": "11111111-1d0a-4c3e-9f7b-2a5d8e9c1f00"},
            "integration_config_id",
        ),
        ({"credential_key": "fxck_other"}, "credential_key"),
        ({"workspace": "elsewhere"}, "workspace"),
        ({"integration": Unknown()}, "integration"),
        ({"credential_key": Unknown()}, "credential_key"),
        ({"workspace": Unknown()}, "workspace"),
    ],
)
def test_diff_any_identity_change_replaces(
    emulator: FruxonEmulator, change: dict[str, Any], replaced: str
) -> None:
    provider = configured(emulator)
    olds = outputs_for(provider, inputs())
    result = provider.diff("id", olds, {**inputs(), **change})
    assert result.changes is True
    assert result.replaces == [replaced]
    assert emulator.requests == []


def test_diff_workspace_none_means_the_configured_one(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    olds = outputs_for(provider, inputs())
    assert provider.diff("id", olds, inputs()).changes is False
    assert provider.diff("id", olds, inputs(workspace=emulator.workspace)).changes is False

    moved = configured(emulator, **{"fruxon:workspace": "other-workspace"})
    assert moved.diff("id", olds, inputs()).replaces == ["workspace"]


def test_diff_before_configure_treats_workspace_none_as_unchanged() -> None:
    olds = {**outputs_for(IntegrationAuthProvider(), inputs()), "workspace": "demo"}
    assert IntegrationAuthProvider().diff("id", olds, inputs()).changes is False


# -- create -------------------------------------------------------------------------------------


def test_create_binds_and_reads_back(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce")
    key = emulator.mint_credential_key("salesforce", scopes=["api"])

    result = provider.create(provider.check({}, inputs(config_id, key)).inputs)

    assert result.id == f"demo/salesforce/{config_id}"
    modified_at = emulator.get_config(config_id)["modifiedAt"]
    (revision,) = emulator.revisions(config_id)
    assert result.outs == {
        "integration": "salesforce",
        "integration_config_id": config_id,
        "workspace": "demo",
        "credential_fingerprint": fingerprint(key),
        "auth_method_id": "oauth2",
        "level": "APPLICATION",
        "granted_scopes": ["api"],
        "config_modified_at": modified_at,
        "bound_at": modified_at,
        "publish": True,
        "publish_note": None,
        "published_revision_id": revision["id"],
        "published_version": 1,
        "live": True,
    }
    assert [(r.method, r.route) for r in emulator.requests] == [
        ("GET", "getConfig"),
        ("POST", "consumeOAuthCredentials"),
        ("GET", "getConfig"),
        ("POST", "publishConfig"),
    ]
    assert revision["auth"]["grantedScopes"] == ["api"]


def test_create_in_a_resource_workspace_uses_that_workspace(emulator: FruxonEmulator) -> None:
    provider = configured(emulator, **{"fruxon:workspace": "not-this-one"})
    config_id = emulator.add_config("salesforce")
    key = emulator.mint_credential_key("salesforce")

    result = provider.create(inputs(config_id, key, workspace=emulator.workspace))

    assert result.outs is not None and result.outs["workspace"] == emulator.workspace
    assert all(r.path.startswith(f"/v1/tenants/{emulator.workspace}/") for r in emulator.requests)


def test_create_still_returns_a_result_when_the_read_back_fails(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce")
    key = emulator.mint_credential_key("salesforce")
    client = provider.client()
    real_get = client.get_integration_config
    calls: list[str] = []

    def get_then_fail(integration: str, config: str) -> Any:
        calls.append(config)
        if len(calls) == 1:
            return real_get(integration, config)
        raise ServerError(status=500, title="Internal Server Error")

    monkeypatch.setattr(client, "get_integration_config", get_then_fail)

    result = provider.create(inputs(config_id, key))

    assert result.outs is not None
    assert result.outs["credential_fingerprint"] == fingerprint(key)
    assert "level" not in result.outs
    assert emulator.get_config(config_id)["hasAuth"] is True


def test_create_when_nothing_was_sent_says_the_key_is_not_spent(
    emulator: FruxonEmulator, mocker: MockerFixture
) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce")
    refused = APIConnectionError("Connection refused", request_sent=False)
    consume = mocker.patch.object(
        provider.client(), "consume_oauth_credentials", side_effect=refused
    )

    with pytest.raises(ConsumeNotSentError, match="the key was not spent"):
        provider.create(inputs(config_id, "fxck_key"))

    # Tried once, not retried by the provider, and nothing else was written.
    consume.assert_called_once_with("salesforce", config_id, "fxck_key")
    assert all(r.method == "GET" for r in emulator.requests)


def test_create_when_the_reconciling_read_fails_too_says_the_outcome_is_unknown(
    emulator: FruxonEmulator,
) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce")
    key = emulator.mint_credential_key("salesforce")
    emulator.drop_after_consume(1)
    # The pre-read passes; then the consume drops, and the reconciling read fails (with a status
    # the client does not retry, so the test does not wait through backoff).
    original = provider.client().consume_oauth_credentials

    def consume_then_break(*args: Any) -> None:
        emulator.fail_next(1, status=401, route="getConfig")
        original(*args)

    provider.client().consume_oauth_credentials = consume_then_break  # type: ignore[method-assign]

    with pytest.raises(ConsumeOutcomeUnknownError) as failure:
        provider.create(inputs(config_id, key))

    assert "outcome is unknown" in str(failure.value)
    assert key not in str(failure.value)


def test_create_with_a_token_lacking_the_write_scope_names_the_scopes(
    emulator: FruxonEmulator,
) -> None:
    token = emulator.add_token(["integrations:read"])
    provider = configured(emulator, **{"fruxon:token": token})
    config_id = emulator.add_config("salesforce")

    with pytest.raises(InsufficientScopeError) as failure:
        provider.create(inputs(config_id, emulator.mint_credential_key("salesforce")))

    assert "integrations:write" in str(failure.value)
    assert "integrations:read" in str(failure.value)
    assert token not in str(failure.value)


# -- read, update, delete -----------------------------------------------------------------------


def test_read_refreshes_outputs_and_returns_no_inputs(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce", auth_method_id="oauth2", scopes=["api"])
    olds = {**outputs_for(provider, inputs(config_id)), "granted_scopes": ["stale"]}

    result = provider.read(f"demo/salesforce/{config_id}", olds)

    assert result.id == f"demo/salesforce/{config_id}"
    assert result.outs is not None
    assert result.outs["granted_scopes"] == ["api"]
    assert result.outs["credential_fingerprint"] == olds["credential_fingerprint"]
    assert result.inputs is None


def test_read_from_the_id_alone(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce", auth_method_id="oauth2")
    result = provider.read(f"demo/salesforce/{config_id}", {})
    assert result.outs is not None and result.outs["integration_config_id"] == config_id


@pytest.mark.parametrize("state", ["deleted", "without auth"])
def test_read_drops_a_refreshed_binding_but_a_get_fails_loudly(
    emulator: FruxonEmulator, state: str
) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce", auth_method_id="oauth2")
    resource_id = f"demo/salesforce/{config_id}"
    stored = provider.read(resource_id, {}).outs
    if state == "deleted":
        emulator.delete_config(config_id)
    else:
        emulator.remove_auth(config_id)

    refreshed = provider.read(resource_id, dict(stored or {}))
    assert (refreshed.id, refreshed.outs) == (None, {})

    with pytest.raises(IntegrationConfigNotFoundError) as failure:
        provider.read(resource_id, {})  # what IntegrationAuth.get sends: the id alone
    problem = "does not exist" if state == "deleted" else "has no auth bound"
    assert f"IntegrationAuth.get('{resource_id}')" in str(failure.value)
    assert problem in str(failure.value)


def test_update_returns_full_outputs(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    olds = {**outputs_for(provider, inputs()), "level": "APPLICATION", "granted_scopes": ["api"]}
    result = provider.update("id", olds, {**inputs(), "publish": False})
    assert result.outs == {**olds, "publish": False}
    assert emulator.requests == []


def test_update_publishes_and_never_consumes(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce", auth_method_id="oauth2")
    olds = {**outputs_for(provider, inputs(config_id)), "live": False}

    result = provider.update("id", olds, inputs(config_id, publish_note="again"))

    assert result.outs is not None and result.outs["live"] is True
    (revision,) = emulator.revisions(config_id)
    assert (result.outs["published_revision_id"], revision["note"]) == (revision["id"], "again")
    assert [r.route for r in emulator.requests] == ["publishConfig"]


@pytest.mark.parametrize("case", ["bound", "edited", "rebound", "gone", "unbound"])
def test_delete_writes_nothing_and_says_what_stays_bound(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    # pulumi.log goes to the engine, or to stderr in the host (the host test covers that).
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda m, *_, **__: said.append(("warn", m)))
    monkeypatch.setattr(pulumi.log, "info", lambda m, *_, **__: said.append(("info", m)))
    provider = configured(emulator)
    config_id = emulator.add_config("salesforce")
    created = provider.create(inputs(config_id, emulator.mint_credential_key("salesforce")))
    assert created.outs is not None
    if case == "rebound":
        key = emulator.mint_credential_key("salesforce")
        provider.create(inputs(config_id, key))  # what a replacement does before the delete
    elif case == "edited":
        # Issue 17, defect 4: a config edit moves modifiedAt; the binding is still this one.
        emulator.patch_config(config_id, displayName="Salesforce renamed")
    elif case == "gone":
        emulator.delete_config(config_id)
    elif case == "unbound":
        emulator.remove_auth(config_id)
    emulator.clear_requests()

    provider.delete("id", created.outs)

    assert all(r.method == "GET" for r in emulator.requests)
    if case in ("bound", "edited"):
        assert len(said) == 1 and said[0][0] == "warn"
        assert "stay bound" in said[0][1] and config_id in said[0][1]
        assert "re-authorize" in said[0][1] and "delete the config" in said[0][1]
    elif case == "unbound":
        assert said == []
    else:
        assert [level for level, _ in said] == ["info"]
        assert ("bound again" if case == "rebound" else "the config is gone") in said[0][1]


def test_clients_are_created_once_per_workspace_across_threads(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    seen: list[FruxonClient] = []
    barrier = threading.Barrier(4)

    def grab() -> None:
        barrier.wait()
        seen.append(provider.client())

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({id(c) for c in seen}) == 1
    assert provider.client("other").workspace == "other"
    assert provider.client() is seen[0]
