"""Drafts, revisions and publishing in the emulator, over bare HTTP.

Fruxon resolves tool calls against a config's published revision, never its draft
(docs/fruxon-http-api.md#drafts). These tests pin the emulator's model of that.
"""

from __future__ import annotations

import httpx
import pytest

from pulumi_fruxon.testing import FruxonEmulator

MASKED = "********"
CONFIGS = "/integrations/internal_crm/configs"


def create(http: httpx.Client, **body: object) -> dict[str, object]:
    response = http.post(CONFIGS, json={"displayName": "CRM prod", **body})
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def test_a_new_config_is_an_unpublished_draft(http: httpx.Client) -> None:
    config = create(http, parameters={"base_url": "https://crm.example"})
    assert config["publishedRevisionId"] is None
    assert http.get(f"{CONFIGS}/{config['id']}/revisions").json() == {"items": []}


def test_publish_snapshots_the_draft_and_echoes_it_unmasked(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config = create(
        http,
        parameters={"base_url": "https://crm.example", "webhook_secret": "whsec-1"},
        auth={"integrationAuthMetadataId": "api_key", "parameters": {"api_key": "sk-live-1"}},
    )
    config_id = config["id"]

    published = http.post(f"{CONFIGS}/{config_id}:publish", json={"note": "first"})

    assert published.status_code == 200
    revision = published.json()
    assert revision["version"] == 1
    assert revision["configId"] == config_id
    assert revision["note"] == "first"
    assert revision["tenantId"] == emulator.workspace
    assert {"id", "createdBy", "createdAt"} <= set(revision)
    # Like the real server: the whole snapshot, credentials unmasked.
    assert revision["parameters"]["webhook_secret"] == "whsec-1"
    assert revision["auth"]["parameters"] == {"api_key": "sk-live-1"}
    assert emulator.get_config(config_id)["publishedRevisionId"] == revision["id"]
    assert emulator.published(config_id) == revision


def test_publish_leaves_the_draft_and_modified_at_alone(http: httpx.Client) -> None:
    config = create(http)
    http.post(f"{CONFIGS}/{config['id']}:publish", json={})
    after = http.get(f"{CONFIGS}/{config['id']}").json()
    assert after["modifiedAt"] == config["modifiedAt"]
    assert after["displayName"] == config["displayName"]


def test_versions_count_up_and_revisions_are_immutable(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = create(http, parameters={"base_url": "https://a.example"})["id"]
    first = emulator.publish(config_id, note="a")
    http.patch(f"{CONFIGS}/{config_id}", json={"parameters": {"base_url": "https://b.example"}})
    second = emulator.publish(config_id)

    assert [first["version"], second["version"]] == [1, 2]
    history = http.get(f"{CONFIGS}/{config_id}/revisions").json()["items"]
    assert [r["parameters"]["base_url"] for r in history] == [
        "https://a.example",
        "https://b.example",
    ]
    one = http.get(f"{CONFIGS}/{config_id}/revisions/{first['id']}").json()
    assert one["parameters"]["base_url"] == "https://a.example"
    assert one["note"] == "a"
    assert second["note"] is None


def test_revision_reads_mask_secrets(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = create(
        http,
        parameters={"webhook_secret": "whsec-2"},
        auth={"integrationAuthMetadataId": "api_key", "parameters": {"api_key": "sk-2"}},
    )["id"]
    revision = emulator.publish(config_id)

    listed = http.get(f"{CONFIGS}/{config_id}/revisions").text
    single = http.get(f"{CONFIGS}/{config_id}/revisions/{revision['id']}").text
    for text in (listed, single):
        assert "whsec-2" not in text and "sk-2" not in text
    assert http.get(f"{CONFIGS}/{config_id}/revisions/{revision['id']}").json()["parameters"] == {
        "webhook_secret": MASKED
    }


def test_rollback_repoints_without_a_new_version(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = create(http)["id"]
    first = emulator.publish(config_id)
    emulator.publish(config_id)

    rolled = http.post(f"{CONFIGS}/{config_id}:rollback", json={"revisionId": first["id"]})

    assert rolled.status_code == 200
    assert rolled.json()["id"] == first["id"]
    assert emulator.get_config(config_id)["publishedRevisionId"] == first["id"]
    assert len(emulator.revisions(config_id)) == 2
    assert emulator.publish(config_id)["version"] == 3


def test_rollback_and_revision_errors(http: httpx.Client) -> None:
    config_id = create(http)["id"]
    unknown = "00000000-0000-4000-8000-000000000000"
    missing = http.post(f"{CONFIGS}/{config_id}:rollback", json={"revisionId": unknown})
    assert missing.status_code == 404
    assert missing.json()["code"] == "revision_not_found"
    assert http.post(f"{CONFIGS}/{config_id}:rollback", json={}).status_code == 400
    assert http.get(f"{CONFIGS}/{config_id}/revisions/{unknown}").status_code == 404
    assert http.post(f"{CONFIGS}/{unknown}:publish", json={}).status_code == 404
    assert http.post(f"{CONFIGS}/{config_id}:publish", json={"note": 3}).status_code == 400
    assert http.post(f"{CONFIGS}/{config_id}:frobnicate", json={}).status_code == 404


def test_secret_parameters_are_masked_everywhere_a_config_is_returned(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    created = http.post(
        CONFIGS,
        json={
            "displayName": "CRM",
            "parameters": {"base_url": "https://crm.example", "webhook_secret": "whsec-3"},
        },
    )
    config_id = created.json()["id"]
    responses = [
        created,
        http.get(f"{CONFIGS}/{config_id}"),
        http.get(CONFIGS),
        http.patch(f"{CONFIGS}/{config_id}", json={"displayName": "CRM 2"}),
    ]
    for response in responses:
        assert "whsec-3" not in response.text
    assert emulator.get_config(config_id)["parameters"] == {
        "base_url": "https://crm.example",
        "webhook_secret": MASKED,
    }


def test_a_masked_secret_sent_back_keeps_the_stored_value(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = create(
        http, parameters={"base_url": "https://a.example", "webhook_secret": "whsec-4"}
    )["id"]
    patched = http.patch(
        f"{CONFIGS}/{config_id}",
        json={"parameters": {"base_url": "https://b.example", "webhook_secret": MASKED}},
    )
    assert patched.status_code == 200
    assert emulator.publish(config_id)["parameters"] == {
        "base_url": "https://b.example",
        "webhook_secret": "whsec-4",
    }


def test_parameters_replace_the_whole_map(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = create(
        http, parameters={"base_url": "https://a.example", "webhook_secret": "whsec-5"}
    )["id"]
    http.patch(f"{CONFIGS}/{config_id}", json={"parameters": {"base_url": "https://c.example"}})
    assert emulator.publish(config_id)["parameters"] == {"base_url": "https://c.example"}


def test_a_masked_value_without_a_stored_secret_is_refused(http: httpx.Client) -> None:
    config_id = create(http)["id"]
    refused = http.patch(f"{CONFIGS}/{config_id}", json={"parameters": {"webhook_secret": MASKED}})
    assert refused.status_code == 400
    assert "parameters.webhook_secret" in refused.json()["errors"]


@pytest.mark.parametrize("auth", [None, "absent"])
def test_patch_without_auth_keeps_the_bound_auth(
    emulator: FruxonEmulator, http: httpx.Client, auth: str | None
) -> None:
    config_id = create(http)["id"]
    key = emulator.mint_credential_key("internal_crm")
    consumed = http.post(
        "/integrations/internal_crm:consumeOAuthCredentials",
        json={"credentialKey": key, "integrationConfigId": config_id},
    )
    assert consumed.status_code == 200
    body: dict[str, object] = {"displayName": "renamed"}
    if auth is None:
        body["auth"] = None
    http.patch(f"{CONFIGS}/{config_id}", json=body)

    config = emulator.get_config(config_id)
    assert config["hasAuth"] is True
    assert config["auth"]["integrationAuthMetadataId"] == "oauth2"
    assert emulator.publish(config_id)["auth"]["parameters"]["accessToken"].startswith("fxoat_")


def test_consume_writes_the_draft_only(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = create(http)["id"]
    key = emulator.mint_credential_key("internal_crm")
    http.post(
        "/integrations/internal_crm:consumeOAuthCredentials",
        json={"credentialKey": key, "integrationConfigId": config_id},
    )
    config = emulator.get_config(config_id)
    assert config["hasAuth"] is True
    assert config["publishedRevisionId"] is None
    assert emulator.revisions(config_id) == []
    # No config response ever carries the OAuth tokens.
    assert "fxoat_" not in http.get(f"{CONFIGS}/{config_id}").text


def test_deleting_a_config_drops_its_revisions(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = create(http)["id"]
    emulator.publish(config_id)
    assert http.delete(f"{CONFIGS}/{config_id}").status_code == 204
    with pytest.raises(KeyError):
        emulator.revisions(config_id)


def test_revision_routes_need_their_scopes(emulator: FruxonEmulator) -> None:
    config_id = emulator.add_config("internal_crm")
    reader = emulator.add_token(["integrations:read"])
    base = f"{emulator.base_url}/v1/tenants/{emulator.workspace}{CONFIGS}/{config_id}"
    headers = {"Authorization": f"Bearer {reader}"}
    with httpx.Client(headers=headers, trust_env=False) as client:
        assert client.get(f"{base}/revisions").status_code == 200
        refused = client.post(f"{base}:publish", json={})
        assert refused.status_code == 403
        assert refused.json()["required"] == "integrations:write"
    assert emulator.count("publishConfig") == 1
    assert emulator.count("listRevisions") == 1
