"""`FruxonClient.create_credential_link` against the emulator over loopback."""

from __future__ import annotations

import logging

import pytest

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import (
    BadRequestError,
    ConflictError,
    InsufficientScopeError,
    ServerError,
)
from pulumi_fruxon.models import CredentialLinkResponse
from pulumi_fruxon.testing import FruxonEmulator
from tests.client.conftest import SleepRecorder

HOUR_MS = 3_600_000


def stripe_config(emulator: FruxonEmulator) -> str:
    return emulator.add_config("stripe", display_name="Stripe via link", auth_method_id="api_key")


def test_mints_a_typed_link(emulator: FruxonEmulator, client: FruxonClient) -> None:
    config_id = stripe_config(emulator)

    link = client.create_credential_link(
        "stripe", config_id, intended_for_email="cfo@example.com", note="finance", ttl_hours=24
    )

    assert isinstance(link, CredentialLinkResponse)
    assert link.url.startswith(emulator.base_url + "/credential-links/")
    assert link.mode == "SIGN_IN"
    assert link.expires_at is not None and link.created_at is not None
    assert link.expires_at - link.created_at == 24 * HOUR_MS
    assert (link.intended_for_email, link.note) == ("cfo@example.com", "finance")
    assert [r["id"] for r in emulator.credential_links(config_id)] == [link.id]


def test_the_url_stays_out_of_repr_str_and_logs(
    emulator: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pulumi_fruxon")
    link = client.create_credential_link("stripe", stripe_config(emulator), require_sign_in=False)

    token = link.url.rsplit("/", 1)[1]
    assert link.mode == "CAPABILITY"
    assert token not in repr(link)
    assert token not in str(link)
    assert token not in caplog.text
    assert link.id in repr(link)


def test_defaults_send_only_require_sign_in(emulator: FruxonEmulator, client: FruxonClient) -> None:
    link = client.create_credential_link("stripe", stripe_config(emulator))
    assert link.expires_at is not None and link.created_at is not None
    assert link.expires_at - link.created_at == 168 * HOUR_MS
    assert link.intended_for_email is None and link.note is None


def test_refusals_are_typed(emulator: FruxonEmulator, client: FruxonClient) -> None:
    slack = emulator.list_configs("slack")[0]["id"]
    with pytest.raises(ConflictError) as conflict:
        client.create_credential_link("slack", slack)
    assert conflict.value.status == 409
    assert conflict.value.code == "not_linkable"

    with pytest.raises(BadRequestError) as invalid:
        client.create_credential_link("stripe", stripe_config(emulator), ttl_hours=0)
    assert "ttlHours" in invalid.value.errors


def test_without_sign_in_names_the_missing_scope(emulator: FruxonEmulator) -> None:
    token = emulator.add_token(["integrations:read", "integrations:write"])
    config_id = stripe_config(emulator)
    with (
        FruxonClient(token, emulator.workspace, emulator.base_url) as limited,
        pytest.raises(InsufficientScopeError) as raised,
    ):
        limited.create_credential_link("stripe", config_id, require_sign_in=False)
    assert raised.value.required == "workspace:write"
    assert "workspace:write" in str(raised.value)


def test_not_retried_after_a_5xx(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    config_id = stripe_config(emulator)
    emulator.fail_next(1, status=503, route="createCredentialLink")
    with pytest.raises(ServerError):
        client.create_credential_link("stripe", config_id)
    assert emulator.count("createCredentialLink") == 1
    assert sleeps.delays == []
