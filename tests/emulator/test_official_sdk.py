"""The official `fruxon` SDK against the emulator: proof the emulator speaks the wire format.

Nobody here wrote that client; where it and the emulator disagree, the SDK is right.
"""

from __future__ import annotations

from urllib.request import Request, urlopen

import pytest
from fruxon import FruxonClient  # type: ignore[import-untyped]
from fruxon.exceptions import (  # type: ignore[import-untyped]
    AuthenticationError,
    ForbiddenError,
    InsufficientScopeError,
    NotFoundError,
    ValidationError,
)

from pulumi_fruxon.testing import FruxonEmulator


@pytest.fixture
def sdk(emulator: FruxonEmulator) -> FruxonClient:
    return FruxonClient(
        token=emulator.token, workspace=emulator.workspace, base_url=emulator.base_url
    )


def test_list_integrations_walks_pages_with_filters(
    emulator: FruxonEmulator, sdk: FruxonClient
) -> None:
    for n in range(27):
        emulator.add_integration(
            f"zz-sdk-{n:02d}", tags=["sdk"], type="SYSTEM" if n % 2 else "CUSTOM"
        )
    emulator.clear_requests()

    found = sdk.list_integrations(tags=["sdk"], types=["SYSTEM"])

    assert [i.id for i in found] == [f"zz-sdk-{n:02d}" for n in range(1, 27, 2)]
    assert emulator.count("listIntegrations") == 2  # the SDK sends no page size: pages of 10
    assert all(i.type == "SYSTEM" and i.tags == ["sdk"] for i in found)
    everything = sdk.list_integrations()
    assert len(everything) == 12 + 27
    assert [i.id for i in sdk.list_integrations(query="slack", has_channels=True)] == ["slack"]
    assert {i.id for i in sdk.list_integrations(has_configs=True)} == {
        "salesforce",
        "slack",
        "stripe",
    }


def test_list_integrations_survives_the_echo_bug(
    emulator: FruxonEmulator, sdk: FruxonClient
) -> None:
    emulator.set_echo_page_tokens(True)
    emulator.clear_requests()
    found = sdk.list_integrations()
    assert len(found) == 10  # page 2 echoed its token back: the SDK drops it and stops
    assert emulator.count("listIntegrations") == 2


def test_get_integration_and_auth_methods(sdk: FruxonClient) -> None:
    salesforce = sdk.get_integration("salesforce")
    assert salesforce.display_name == "Salesforce"
    assert salesforce.type == "SYSTEM"
    assert "crm" in salesforce.tags
    assert salesforce.config_metadata["parametersMetadata"][0]["name"] == "instance_url"

    methods = sdk.list_integration_auth_methods("salesforce")
    oauth = [m for m in methods if m["type"] == "O_AUTH2" and "APPLICATION" in m["supportedLevels"]]
    assert [m["id"] for m in oauth] == ["oauth2"]
    assert "api" in oauth[0]["availableScopes"]
    assert [m["type"] for m in sdk.list_integration_auth_methods("stripe")] == ["API_KEY"]
    assert sdk.list_integration_auth_methods("weather_api") == []


def test_authorize_then_consent_then_configs(emulator: FruxonEmulator, sdk: FruxonClient) -> None:
    result = sdk.authorize_integration(
        "slack",
        {"integrationAuthMetadataId": "oauth2", "scopes": ["chat:write"], "returnUrl": "/back"},
    )
    key = emulator.approve(result["authorizationUrl"])
    config_id = emulator.add_config("slack", display_name="SDK")
    emulator.clear_requests()

    # The SDK never consumes (docs/fruxon-http-api.md#consume); a bare POST stands in for the
    # consent.
    body = f'{{"credentialKey":"{key}","integrationConfigId":"{config_id}"}}'.encode()
    request = Request(
        f"{emulator.base_url}/v1/tenants/{emulator.workspace}/integrations/slack:consumeOAuthCredentials",
        data=body,
        headers={"Authorization": f"Bearer {emulator.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(request) as response:
        assert response.status == 200 and response.read() == b""

    configs = sdk.list_integration_configs("slack")
    assert config_id in [c["id"] for c in configs]
    config = sdk.get_integration_config("slack", config_id)
    assert config["hasAuth"] is True
    assert config["auth"]["grantedScopes"] == ["chat:write"]
    assert config["displayName"] == "SDK"


def test_authorize_validation_is_a_validation_error(sdk: FruxonClient) -> None:
    with pytest.raises(ValidationError) as raised:
        sdk.authorize_integration("stripe", {"integrationAuthMetadataId": "api_key"})
    assert raised.value.status == 400
    with pytest.raises(ValidationError) as missing:
        sdk.authorize_integration("slack", {})
    assert "integrationAuthMetadataId" in missing.value.detail


def test_401_is_authentication_error(emulator: FruxonEmulator) -> None:
    stranger = FruxonClient(
        token="fx_pat_unknown", workspace=emulator.workspace, base_url=emulator.base_url
    )
    with pytest.raises(AuthenticationError) as raised:
        stranger.get_integration("slack")
    assert raised.value.status == 401
    assert raised.value.title == "Unauthorized"


def test_403_insufficient_scope(emulator: FruxonEmulator) -> None:
    reader = FruxonClient(
        token=emulator.add_token(["integrations:read"]),
        workspace=emulator.workspace,
        base_url=emulator.base_url,
    )
    assert reader.get_integration("github").id == "github"
    with pytest.raises(InsufficientScopeError) as raised:
        reader.authorize_integration("github", {"integrationAuthMetadataId": "oauth2"})
    assert raised.value.required == "integrations:write"
    assert raised.value.granted == ["integrations:read"]


def test_403_wrong_workspace_is_forbidden(emulator: FruxonEmulator) -> None:
    elsewhere = FruxonClient(
        token=emulator.token, workspace="someone-else", base_url=emulator.base_url
    )
    with pytest.raises(ForbiddenError) as raised:
        elsewhere.list_integrations()
    assert not isinstance(raised.value, InsufficientScopeError)
    assert raised.value.error_code == "workspace_mismatch"


def test_404_is_not_found_error(emulator: FruxonEmulator, sdk: FruxonClient) -> None:
    with pytest.raises(NotFoundError):
        sdk.get_integration("no-such-integration")
    other = emulator.add_config("github")
    with pytest.raises(NotFoundError) as raised:
        sdk.get_integration_config("slack", other)
    assert raised.value.error_code == "config_not_found"


def test_config_life_cycle_with_publishing(emulator: FruxonEmulator, sdk: FruxonClient) -> None:
    created = sdk.create_integration_config(
        "internal_crm",
        {
            "displayName": "CRM prod",
            "parameters": {"base_url": "https://crm.example", "webhook_secret": "whsec-sdk"},
            "auth": {"integrationAuthMetadataId": "api_key", "level": "APPLICATION"},
        },
    )
    config_id = created["id"]
    assert created["publishedRevisionId"] is None
    assert created["parameters"]["webhook_secret"] == "********"

    updated = sdk.update_integration_config(
        "internal_crm",
        config_id,
        {"parameters": {"base_url": "https://crm2.example", "webhook_secret": "********"}},
    )
    assert updated["parameters"]["base_url"] == "https://crm2.example"
    assert updated["hasAuth"] is True  # no `auth` in the PATCH: the bound auth stays

    revision = sdk.publish_integration_config("internal_crm", config_id, note="from the SDK")
    # The SDK keeps only the revision's identity and non-secret fields.
    assert revision["version"] == 1
    assert revision["note"] == "from the SDK"
    assert revision["configId"] == config_id
    assert "parameters" not in revision
    assert emulator.published(config_id)["parameters"]["webhook_secret"] == "whsec-sdk"

    fetched = sdk.get_integration_config("internal_crm", config_id)
    assert fetched["publishedRevisionId"] == revision["id"]
    assert config_id in [c["id"] for c in sdk.list_integration_configs("internal_crm")]

    sdk.delete_integration_config("internal_crm", config_id)
    with pytest.raises(NotFoundError):
        sdk.get_integration_config("internal_crm", config_id)


def test_create_credential_link(emulator: FruxonEmulator, sdk: FruxonClient) -> None:
    from fruxon.exceptions import ConflictError  # type: ignore[import-untyped]

    config_id = sdk.create_integration_config(
        "stripe",
        {
            "displayName": "Stripe via link",
            "auth": {"integrationAuthMetadataId": "api_key", "level": "APPLICATION"},
        },
    )["id"]

    link = sdk.create_credential_link(
        "stripe", config_id, require_sign_in=False, note="finance", ttl_hours=48
    )

    assert link["mode"] == "CAPABILITY"
    assert link["note"] == "finance"
    assert link["expiresAt"] - link["createdAt"] == 48 * 3_600_000
    revision = emulator.fill_credential_link(link["url"], {"api_key": "sk_live_sdk"})
    fetched = sdk.get_integration_config("stripe", config_id)
    assert fetched["publishedRevisionId"] == revision["revisionId"]
    assert fetched["hasAuth"] is True

    slack = emulator.list_configs("slack")[0]["id"]
    with pytest.raises(ConflictError) as raised:
        sdk.create_credential_link("slack", slack)
    assert raised.value.error_code == "not_linkable"
    with pytest.raises(ValidationError):
        sdk.create_credential_link("stripe", config_id, ttl_hours=721)
