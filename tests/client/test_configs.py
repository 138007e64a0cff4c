"""The client's config methods against the emulator: create, update, publish, revisions, rollback.

The publish response carries the snapshot's credentials unmasked; nothing of them may survive
in a model, its repr, a log line or an error.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import BadRequestError, NotFoundError
from pulumi_fruxon.testing import FruxonEmulator

SECRET = "whsec-client-test-1"


def test_create_with_auth_method_and_secret_parameters(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    config = client.create_integration_config(
        "internal_crm",
        "CRM prod",
        parameters={"base_url": "https://crm.example"},
        secret_parameters={"webhook_secret": SECRET},
        auth_method="api_key",
    )
    assert config.published_revision_id is None
    assert config.auth_method_id == "api_key"
    assert config.parameters["base_url"] == "https://crm.example"
    assert SECRET not in repr(config)
    assert SECRET not in config.model_dump_json()
    # The secret went out with the other parameters.
    assert emulator.publish(config.id)["parameters"]["webhook_secret"] == SECRET


def test_update_sends_only_what_is_given_and_keeps_bound_auth(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    config_id = emulator.add_config("slack", auth_method_id="oauth2")
    updated = client.update_integration_config("slack", config_id, display_name="Renamed")
    assert updated.display_name == "Renamed"
    assert updated.is_authorized
    assert updated.auth is not None and updated.auth.integration_auth_metadata_id == "oauth2"


def test_update_parameters_replace_the_map(emulator: FruxonEmulator, client: FruxonClient) -> None:
    config = client.create_integration_config(
        "internal_crm", "CRM", parameters={"base_url": "https://a.example"}
    )
    client.update_integration_config(
        "internal_crm",
        config.id,
        parameters={"base_url": "https://b.example"},
        secret_parameters={"webhook_secret": SECRET},
    )
    assert emulator.publish(config.id)["parameters"] == {
        "base_url": "https://b.example",
        "webhook_secret": SECRET,
    }


def test_publish_keeps_only_identity_and_non_secret_fields(
    emulator: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    config = client.create_integration_config(
        "internal_crm",
        "CRM",
        parameters={"base_url": "https://crm.example"},
        secret_parameters={"webhook_secret": SECRET},
    )
    key = emulator.mint_credential_key("internal_crm")
    client.consume_oauth_credentials("internal_crm", config.id, key)

    with caplog.at_level(logging.DEBUG):
        revision = client.publish_integration_config("internal_crm", config.id, note="go live")

    unmasked = emulator.published(config.id)
    assert unmasked is not None
    tokens = list(unmasked["auth"]["parameters"].values())
    assert tokens and all(t.startswith(("fxoat_", "fxort_")) for t in tokens)
    assert revision.id == unmasked["id"]
    assert revision.version == 1
    assert revision.note == "go live"
    assert revision.config_id == config.id
    assert revision.has_auth is True
    assert revision.auth_method_id == "oauth2"
    assert revision.parameter_fingerprints["webhook_secret"] == fingerprint(SECRET)
    kept = revision.model_dump_json() + repr(revision) + str(revision.model_extra) + caplog.text
    for secret in (SECRET, *tokens):
        assert secret not in kept


def test_revisions_get_and_rollback(emulator: FruxonEmulator, client: FruxonClient) -> None:
    config = client.create_integration_config("internal_crm", "CRM")
    first = client.publish_integration_config("internal_crm", config.id)
    second = client.publish_integration_config("internal_crm", config.id, note="two")

    listed = client.list_config_revisions("internal_crm", config.id)
    assert [(r.id, r.version) for r in listed] == [(first.id, 1), (second.id, 2)]
    assert client.get_config_revision("internal_crm", config.id, second.id).note == "two"

    rolled = client.rollback_integration_config("internal_crm", config.id, first.id)
    assert rolled.id == first.id
    fetched = client.get_integration_config("internal_crm", config.id)
    assert fetched.published_revision_id == first.id


def test_revision_errors_are_typed(client: FruxonClient, emulator: FruxonEmulator) -> None:
    config_id = emulator.add_config("internal_crm")
    unknown = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFoundError) as missing:
        client.get_config_revision("internal_crm", config_id, unknown)
    assert missing.value.code == "revision_not_found"
    with pytest.raises(NotFoundError):
        client.rollback_integration_config("internal_crm", config_id, unknown)


def test_a_refused_create_redacts_secret_parameters(emulator: FruxonEmulator) -> None:
    """A server that echoes the request back in its error must not put a secret in ours."""

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={"title": "Bad", "detail": request.content.decode(), "errors": {"x": ["y"]}},
        )

    with (
        FruxonClient(
            emulator.token,
            emulator.workspace,
            emulator.base_url,
            transport=httpx.MockTransport(echo),
        ) as client,
        pytest.raises(BadRequestError) as refused,
    ):
        client.create_integration_config(
            "internal_crm", "CRM", secret_parameters={"webhook_secret": SECRET}
        )
    assert SECRET not in str(refused.value)
    assert SECRET not in repr(refused.value.body)


def test_revision_list_accepts_every_envelope() -> None:
    body = [{"id": "r1", "version": 1, "parameters": {"p": "secret-value"}}]

    for payload in (body, {"items": body}, {"revisions": body}):

        def answer(request: httpx.Request, payload: object = payload) -> httpx.Response:
            return httpx.Response(200, json=payload)

        with FruxonClient(
            "fx_pat_x", "ws", "http://fruxon.test", transport=httpx.MockTransport(answer)
        ) as client:
            (revision,) = client.list_config_revisions("i", "c")
        assert revision.id == "r1"
        assert "secret-value" not in repr(revision)
