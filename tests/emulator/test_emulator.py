"""The emulator over real HTTP, with nothing but httpx and urllib."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any

import httpx
import pytest

from pulumi_fruxon.testing import FruxonEmulator, RequestRecord

PROBLEM = "application/problem+json"


def _ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


def _walk(http: httpx.Client, path: str, **params: Any) -> tuple[list[str], int]:
    """Every id of a list, following nextPageToken; returns ids and the page count."""
    ids: list[str] = []
    pages = 0
    token = None
    while True:
        query = dict(params)
        if token:
            query["pageToken"] = token
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        pages += 1
        ids += _ids(response)
        token = response.json()["nextPageToken"]
        if not token:
            return ids, pages


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    return body


# -- auth ---------------------------------------------------------------------------------------


def test_missing_and_unknown_tokens_are_401(emulator: FruxonEmulator) -> None:
    url = f"{emulator.base_url}/v1/tenants/{emulator.workspace}/integrations"
    with httpx.Client(trust_env=False) as bare:
        _problem(bare.get(url), 401)
        body = _problem(bare.get(url, headers={"Authorization": "Bearer fx_pat_nope"}), 401)
    assert "fx_pat_nope" not in json.dumps(body)


def test_wrong_workspace_is_403(emulator: FruxonEmulator, http: httpx.Client) -> None:
    response = http.get(f"{emulator.base_url}/v1/tenants/elsewhere/integrations")
    assert _problem(response, 403)["code"] == "workspace_mismatch"


def test_missing_scope_is_403_insufficient_scope(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    token = emulator.add_token(["integrations:read"])
    headers = {"Authorization": f"Bearer {token}"}
    assert token.startswith("fx_sat_")
    assert http.get("/integrations/slack", headers=headers).status_code == 200
    response = http.post(
        "/integrations/slack:authorize",
        json={"integrationAuthMetadataId": "oauth2"},
        headers=headers,
    )
    body = _problem(response, 403)
    assert body["title"] == "Forbidden"
    assert body["error"] == "insufficient_scope"
    assert body["required"] == "integrations:write"
    assert body["granted"] == ["integrations:read"]
    tools = _problem(http.get("/integrations/slack/tools", headers=headers), 403)
    assert tools["required"] == "tools:read"


def test_auth_health_is_scope_exempt(emulator: FruxonEmulator, http: httpx.Client) -> None:
    token = emulator.add_token([])
    response = http.get("/auth/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["grantedScopes"] == []
    full = http.get("/auth/health").json()
    assert full["scheme"] == "Bearer"
    assert set(full["grantedScopes"]) == {
        "integrations:read",
        "integrations:write",
        "tools:read",
        "workspace:write",
    }
    assert "expiresAt" in full and full["keyName"]


def test_unknown_route_is_404_problem(http: httpx.Client) -> None:
    assert _problem(http.get("/nothing-here"), 404)
    assert _problem(http.put("/integrations/slack"), 404)
    assert _problem(http.get("/integrations/no-such"), 404)


# -- lists, paging, filters ---------------------------------------------------------------------


def test_list_defaults_to_10_with_total_and_tool_counts(http: httpx.Client) -> None:
    page = http.get("/integrations").json()
    assert set(page) == {"items", "nextPageToken", "totalCount"}
    assert len(page["items"]) == 10
    assert page["totalCount"] == 12
    ids = [i["id"] for i in page["items"]]
    assert ids == sorted(ids)
    assert all(isinstance(i["toolCount"], int) for i in page["items"])
    assert "toolCount" not in http.get("/integrations/slack").json()


@pytest.mark.parametrize(
    ("size_param", "token_param"),
    [
        ("pageSize", "pageToken"),
        ("page_size", "page_token"),
        ("Paging.PageSize", "Paging.PageToken.Cursor"),
        ("PAGESIZE", "PageToken"),
    ],
)
def test_every_paging_spelling(
    emulator: FruxonEmulator, http: httpx.Client, size_param: str, token_param: str
) -> None:
    for n in range(25):
        emulator.add_integration(f"zz-{n:02d}", tags=["paged"])
    ids: list[str] = []
    token = ""
    for _ in range(3):
        params = {size_param: "10", "tags": "paged"}
        if token:
            params[token_param] = token
        page = http.get("/integrations", params=params).json()
        assert page["totalCount"] == 25
        ids += [i["id"] for i in page["items"]]
        token = page["nextPageToken"]
    assert token == ""
    assert ids == [f"zz-{n:02d}" for n in range(25)]


def test_skip_offset_and_page_size_clamps(emulator: FruxonEmulator, http: httpx.Client) -> None:
    for n in range(150):
        emulator.add_integration(f"zz-{n:03d}", tags=["bulk"])
    assert len(_ids(http.get("/integrations", params={"tags": "bulk", "pageSize": 500}))) == 100
    assert len(_ids(http.get("/integrations", params={"tags": "bulk", "pageSize": 0}))) == 10
    assert len(_ids(http.get("/integrations", params={"tags": "bulk", "pageSize": -3}))) == 10
    skipped = http.get("/integrations", params={"tags": "bulk", "Paging.PageToken.Skip": 145})
    assert _ids(skipped) == [f"zz-{n:03d}" for n in range(145, 150)]
    assert skipped.json()["nextPageToken"] == ""


def test_bad_page_token_or_size_is_400(http: httpx.Client) -> None:
    assert _problem(http.get("/integrations", params={"pageToken": "garbage!"}), 400)
    assert _problem(http.get("/integrations", params={"pageSize": "ten"}), 400)
    assert http.get("/integrations", params={"unknownParam": "x"}).status_code == 200


def test_filters(emulator: FruxonEmulator, http: httpx.Client) -> None:
    def ids(**params: Any) -> list[str]:
        return _walk(http, "/integrations", **params)[0]

    assert ids(query="SALES") == ["hubspot", "salesforce"]  # hubspot: "sales CRM"
    assert ids(search="google") == ["google_drive"]
    assert ids(query="customer database") == ["internal_crm"]  # matches the description
    assert set(ids(tags=["payments", "docs"])) == {"stripe", "google_drive", "notion"}
    assert ids(types="CUSTOM") == ["internal_crm", "weather_api"]
    assert set(ids(has_channels="true")) == {"slack", "telegram"}
    assert set(ids(hasChannels="true")) == {"slack", "telegram"}
    assert "slack" not in ids(has_channels="false")
    assert set(ids(has_configs="true")) == {"salesforce", "slack", "stripe"}
    assert "github" in ids(has_triggers="true")
    emulator.add_config("github")
    assert "github" in ids(hasConfigs="TRUE")
    assert ids(query="sales", types="SYSTEM", tags="marketing") == ["hubspot"]
    assert _problem(http.get("/integrations", params={"has_configs": "maybe"}), 400)


def test_tools_list_pages_and_filters(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.add_integration("many", tools=123)
    ids, pages = _walk(http, "/integrations/many/tools", pageSize=100)
    assert len(set(ids)) == 123 and pages == 2
    first = http.get("/integrations/slack/tools").json()
    assert first["totalCount"] == 3
    tool = first["items"][0]
    assert {"id", "integrationId", "displayName", "toolType", "actionType"} <= tool.keys()
    assert _ids(http.get("/integrations/slack/tools", params={"Search": "EMOJI"})) == [
        "add_reaction"
    ]
    assert _ids(http.get("/integrations/slack/tools", params={"types": "MCP"})) == []
    assert _problem(http.get("/integrations/nope/tools"), 404)


def test_added_integration_options(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.add_integration(
        "acme",
        display_name="Acme",
        description="Anvils",
        tags=["crm"],
        type="SYSTEM",
        tools=[{"id": "drop_anvil", "actionType": "IRREVERSIBLE"}],
        has_triggers=True,
    )
    acme = http.get("/integrations/acme").json()
    assert acme["displayName"] == "Acme" and acme["type"] == "SYSTEM" and acme["tags"] == ["crm"]
    (method,) = acme["configMetadata"]["authMetadata"]
    assert method["id"] == "oauth2" and method["type"] == "O_AUTH2"
    assert method["supportedLevels"] == ["APPLICATION"]
    assert all(isinstance(s, str) for s in method["availableScopes"])
    (tool,) = http.get("/integrations/acme/tools").json()["items"]
    assert tool["id"] == "drop_anvil" and tool["integrationId"] == "acme"
    with pytest.raises(ValueError):
        emulator.add_integration("acme")


def test_generated_catalogue(http: httpx.Client) -> None:
    with FruxonEmulator(integrations=250) as big, httpx.Client(trust_env=False) as client:
        url = f"{big.base_url}/v1/tenants/{big.workspace}/integrations"
        headers = {"Authorization": f"Bearer {big.token}"}
        page = client.get(url, params={"pageSize": 100}, headers=headers).json()
        assert page["totalCount"] == 250
        assert page["items"][0]["id"] == "integration-00001"
        assert {i["type"] for i in page["items"]} == {"SYSTEM", "CUSTOM"}
        assert {i["toolCount"] for i in page["items"]} == {0, 1, 2, 3}


# -- configs ------------------------------------------------------------------------------------


def test_config_crud_and_modified_at(emulator: FruxonEmulator, http: httpx.Client) -> None:
    created = http.post("/integrations/github/configs", json={"displayName": "GH"})
    assert created.status_code == 200
    config = created.json()
    assert config["hasAuth"] is False and config["auth"] is None
    assert config["publishedRevisionId"] is None
    expected = {
        "id", "integrationId", "displayName", "parameters", "hasAuth", "hasAuthMap",
        "authMethodId", "auth", "authMapEntries", "sandboxMode", "publishedRevisionId",
        "createdBy", "createdAt", "modifiedAt",
    }  # fmt: skip
    assert set(config) == expected
    path = f"/integrations/github/configs/{config['id']}"
    assert config["id"] in [
        c["id"] for c in http.get("/integrations/github/configs").json()["items"]
    ]

    patched = http.patch(path, json={"displayName": "GH prod", "parameters": None}).json()
    assert patched["displayName"] == "GH prod"
    assert patched["modifiedAt"] > config["modifiedAt"]
    bound = http.patch(path, json={"auth": {"integrationAuthMetadataId": "oauth2"}}).json()
    assert bound["hasAuth"] is True and bound["authMethodId"] == "oauth2"
    kept = http.patch(path, json={"auth": None}).json()
    assert kept["hasAuth"] is True
    cleared = http.patch(path, json={"auth": {}}).json()
    assert cleared["hasAuth"] is False and cleared["auth"] is None
    assert cleared["modifiedAt"] > bound["modifiedAt"]

    deleted = http.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert _problem(http.get(path), 404)


def test_config_validation_and_ownership(emulator: FruxonEmulator, http: httpx.Client) -> None:
    body = _problem(http.post("/integrations/github/configs", json={"displayName": ""}), 400)
    assert "displayName" in body["errors"]
    assert _problem(http.post("/integrations/github/configs", content=b"{nope"), 400)
    slack_config = emulator.add_config("slack")
    assert _problem(http.get(f"/integrations/github/configs/{slack_config}"), 404)
    assert _problem(http.delete(f"/integrations/github/configs/{slack_config}"), 404)


def test_drift_helpers(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = emulator.add_config("slack", display_name="Bound", auth_method_id="oauth2")
    before = emulator.get_config(config_id)
    assert before["hasAuth"] is True and before["auth"]["grantedScopes"]
    before["displayName"] = "mutating the copy changes nothing"
    assert emulator.get_config(config_id)["displayName"] == "Bound"
    emulator.remove_auth(config_id)
    after = http.get(f"/integrations/slack/configs/{config_id}").json()
    assert after["hasAuth"] is False and after["modifiedAt"] > before["modifiedAt"]
    emulator.delete_config(config_id)
    assert http.get(f"/integrations/slack/configs/{config_id}").status_code == 404


# -- OAuth --------------------------------------------------------------------------------------


def test_authorize_approve_consume(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = emulator.add_config("salesforce", display_name="SF")
    before = emulator.get_config(config_id)
    response = http.post(
        "/integrations/salesforce:authorize",
        json={
            "integrationAuthMetadataId": "oauth2",
            "scopes": ["api"],
            "configParameters": {"instance_url": "https://acme.my.salesforce.com"},
            "returnUrl": "/done",
        },
    )
    url = response.json()["authorizationUrl"]
    assert url.startswith(f"{emulator.base_url}/oauth/consent?state=")

    key = emulator.approve(url)
    assert [r.route for r in emulator.requests[-2:]] == ["consent", "success"]
    assert emulator.requests[-1].query["returnUrl"] == ["/done"]
    consumed = http.post(
        "/integrations/salesforce:consumeOAuthCredentials",
        json={"credentialKey": key, "integrationConfigId": config_id},
    )
    assert consumed.status_code == 200 and consumed.content == b""

    after = http.get(f"/integrations/salesforce/configs/{config_id}").json()
    assert after["hasAuth"] is True and after["authMethodId"] == "oauth2"
    assert after["auth"] == {
        "level": "APPLICATION",
        "integrationAuthMetadataId": "oauth2",
        "grantedScopes": ["api"],
    }
    assert after["modifiedAt"] > before["modifiedAt"]
    assert after["publishedRevisionId"] is None  # consume writes the draft only
    with pytest.raises(RuntimeError, match="400"):
        emulator.approve(url)  # a consent state is approved once


def test_success_page_shows_key_and_return_link(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    state = http.post(
        "/integrations/github:authorize",
        json={"integrationAuthMetadataId": "oauth2", "returnUrl": "/after"},
    ).json()["authorizationUrl"]
    with httpx.Client(trust_env=False) as browser:
        redirect = browser.get(state)
        assert redirect.status_code == 302
        location = redirect.headers["location"]
        key = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["credentialKey"][0]
        page = browser.get(location)
    assert page.headers["content-type"].startswith("text/html")
    assert key in page.text and 'href="/after"' in page.text
    assert _problem(browser_get(emulator, "/oauth/consent?state=unknown"), 400)


def browser_get(emulator: FruxonEmulator, path: str) -> httpx.Response:
    with httpx.Client(trust_env=False) as browser:
        return browser.get(emulator.base_url + path)


def test_authorize_validation(http: httpx.Client) -> None:
    def authorize(integration: str, **body: Any) -> httpx.Response:
        return http.post(f"/integrations/{integration}:authorize", json=body)

    assert _problem(authorize("slack"), 400)["errors"]
    assert _problem(authorize("slack", integrationAuthMetadataId="nope"), 400)
    assert _problem(authorize("stripe", integrationAuthMetadataId="api_key"), 400)
    assert _problem(authorize("slack", integrationAuthMetadataId="oauth2", scopes=["admin"]), 400)
    absolute = authorize("slack", integrationAuthMetadataId="oauth2", returnUrl="https://x.y/")
    assert _problem(absolute, 400)
    backslash = authorize("slack", integrationAuthMetadataId="oauth2", returnUrl="/\\evil.com")
    assert _problem(backslash, 400)["errors"]["returnUrl"]
    assert _problem(authorize("no-such", integrationAuthMetadataId="oauth2"), 404)
    assert authorize("slack", integrationAuthMetadataId="oauth2", scopes=[]).status_code == 200


def _consume(http: httpx.Client, integration: str, key: str, config_id: str) -> httpx.Response:
    return http.post(
        f"/integrations/{integration}:consumeOAuthCredentials",
        json={"credentialKey": key, "integrationConfigId": config_id},
    )


def test_spent_expired_unknown_keys(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    assert _consume(http, "github", key, config_id).status_code == 200
    spent = _problem(_consume(http, "github", key, config_id), 400)
    assert spent["code"] == "credential_key_spent"
    assert "single-use" in spent["detail"] and key not in json.dumps(spent)
    expired = emulator.mint_credential_key("github", ttl=0)
    assert _problem(_consume(http, "github", expired, config_id), 400)["code"] == (
        "credential_key_expired"
    )
    unknown = _problem(_consume(http, "github", "fxck_never-minted", config_id), 400)
    assert unknown["code"] == "credential_key_unknown"
    missing = _problem(http.post("/integrations/github:consumeOAuthCredentials", json={}), 400)
    assert set(missing["errors"]) == {"credentialKey", "integrationConfigId"}


def test_consume_config_and_integration_mismatches(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    github_config = emulator.add_config("github")
    slack_config = emulator.add_config("slack")
    key = emulator.mint_credential_key("github")
    assert _problem(_consume(http, "github", key, slack_config), 404)
    assert _problem(_consume(http, "github", key, "00000000-0000-0000-0000-000000000000"), 404)
    slack_key = emulator.mint_credential_key("slack")
    mismatch = _problem(_consume(http, "github", slack_key, github_config), 400)
    assert mismatch["code"] == "credential_key_integration_mismatch"
    # None of the failures spent the key.
    assert _consume(http, "github", key, github_config).status_code == 200


def test_create_and_patch_consume_a_key(emulator: FruxonEmulator, http: httpx.Client) -> None:
    key = emulator.mint_credential_key("slack", scopes=["chat:write"])
    created = http.post(
        "/integrations/slack/configs", json={"displayName": "S", "oAuthCredentialKey": key}
    ).json()
    assert created["hasAuth"] is True and created["auth"]["grantedScopes"] == ["chat:write"]
    again = http.post(
        "/integrations/slack/configs", json={"displayname": "S2", "oauthCredentialKey": key}
    )
    assert _problem(again, 400)["code"] == "credential_key_spent"
    config_id = emulator.add_config("slack")
    patched = http.patch(
        f"/integrations/slack/configs/{config_id}",
        json={"oAuthCredentialKey": emulator.mint_credential_key("slack")},
    ).json()
    assert patched["hasAuth"] is True


# -- faults -------------------------------------------------------------------------------------


def test_fail_next_is_route_limited_and_unprocessed(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    emulator.fail_next(2, status=502, route="getIntegration")
    assert http.get("/integrations").status_code == 200
    assert _problem(http.get("/integrations/slack"), 502)
    assert _problem(http.get("/integrations/slack"), 502)
    assert http.get("/integrations/slack").status_code == 200
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.fail_next(1)
    assert _problem(_consume(http, "github", key, config_id), 503)
    assert emulator.get_config(config_id)["hasAuth"] is False
    assert _consume(http, "github", key, config_id).status_code == 200
    with pytest.raises(ValueError):
        emulator.fail_next(1, route="noSuchRoute")


def test_rate_limit_next_sends_retry_after_verbatim(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    when = "Wed, 21 Oct 2026 07:28:00 GMT"
    emulator.rate_limit_next(1, retry_after=when)
    emulator.rate_limit_next(1, retry_after="0", route="listIntegrations")
    first = http.get("/integrations/slack")
    assert _problem(first, 429) and first.headers["retry-after"] == when
    assert http.get("/integrations/slack").status_code == 200
    second = http.get("/integrations")
    assert _problem(second, 429) and second.headers["retry-after"] == "0"


def test_latency(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.set_latency(0.2)
    started = time.monotonic()
    http.get("/integrations/slack")
    assert time.monotonic() - started >= 0.2
    emulator.fail_next(5)
    emulator.clear_faults()
    started = time.monotonic()
    assert http.get("/integrations/slack").status_code == 200
    assert time.monotonic() - started < 0.2


def test_malformed_json_next(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.malformed_json_next(1, route="listIntegrations")
    assert http.get("/integrations/slack").json()["id"] == "slack"
    broken = http.get("/integrations")
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert http.get("/integrations").json()["items"]


def test_drop_after_consume_processes_then_drops(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.drop_after_consume(1)
    with pytest.raises(httpx.RemoteProtocolError):
        _consume(http, "github", key, config_id)
    assert emulator.get_config(config_id)["hasAuth"] is True
    (record,) = [r for r in emulator.requests if r.route == "consumeOAuthCredentials"]
    assert (record.status, record.fault) == (0, "drop_after_consume")
    retried = _problem(_consume(http, "github", key, config_id), 400)
    assert retried["code"] == "credential_key_spent"


def test_echo_page_tokens(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.set_echo_page_tokens(True)
    first = http.get("/integrations", params={"pageSize": 5}).json()
    token = first["nextPageToken"]
    assert token
    second = http.get("/integrations", params={"pageSize": 5, "pageToken": token}).json()
    assert second["nextPageToken"] == token
    assert [i["id"] for i in second["items"]] != [i["id"] for i in first["items"]]
    emulator.set_echo_page_tokens(False)
    third = http.get("/integrations", params={"pageSize": 5, "pageToken": token}).json()
    assert third["nextPageToken"] not in ("", token)


def test_page_cycle_serves_the_first_page_forever(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    emulator.set_page_cycle(True)
    tokens: list[str] = []
    pages: list[list[str]] = []
    token = None
    for _ in range(4):
        params: dict[str, Any] = {"pageSize": 5}
        if token:
            params["pageToken"] = token
        body = http.get("/integrations", params=params).json()
        pages.append([i["id"] for i in body["items"]])
        token = body["nextPageToken"]
        tokens.append(token)
    assert all(page == pages[0] for page in pages) and len(pages[0]) == 5
    assert len(set(tokens)) == 4 and all(tokens)
    assert {r.fault for r in emulator.requests} == {"page_cycle"}
    emulator.clear_faults()
    assert http.get("/integrations", params={"pageToken": token}).json()["items"] == []


def test_hang_next_never_answers_and_processes_nothing(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.hang_next(1, route="consumeOAuthCredentials")
    with pytest.raises(httpx.ReadTimeout):
        http.post(
            "/integrations/github:consumeOAuthCredentials",
            json={"credentialKey": key, "integrationConfigId": config_id},
            timeout=0.3,
        )
    assert emulator.get_config(config_id)["hasAuth"] is False
    (record,) = [r for r in emulator.requests if r.route == "consumeOAuthCredentials"]
    assert (record.status, record.fault) == (0, "hang")
    assert _consume(http, "github", key, config_id).status_code == 200


def test_stop_ends_a_hanging_request() -> None:
    emulator = FruxonEmulator().start()
    emulator.hang_next(1)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            httpx.get(
                f"{emulator.base_url}/v1/tenants/{emulator.workspace}/auth/health", timeout=60
            )
        except httpx.HTTPError as error:
            outcome.append(error)

    thread = threading.Thread(target=ask)
    thread.start()
    while not emulator.requests:
        time.sleep(0.01)
    emulator.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert outcome and not isinstance(outcome[0], httpx.TimeoutException)


def test_trickle_next_sends_the_whole_body_a_byte_at_a_time(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    whole = http.get("/auth/health").content
    emulator.trickle_next(1, route="authHealth", interval=0.002)
    with http.stream("GET", "/auth/health") as response:
        chunks = list(response.iter_raw())
    assert b"".join(chunks) == whole
    assert len(chunks) > 1
    assert emulator.requests[-1].fault == "trickle"
    with pytest.raises(ValueError):
        emulator.trickle_next(1, interval=0)


def test_the_log_names_each_fault(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.fail_next(1, route="getIntegration")
    emulator.rate_limit_next(1, route="getIntegration")
    emulator.malformed_json_next(1, route="getIntegration")
    for _ in range(4):
        http.get("/integrations/slack")
    faults = [r.fault for r in emulator.requests]
    assert faults == ["rate_limit", "fail", "malformed_json", None]


# -- the log, threads, life cycle ----------------------------------------------------------------


def test_request_log(emulator: FruxonEmulator, http: httpx.Client) -> None:
    emulator.clear_requests()
    http.get("/integrations", params={"pageSize": "5"}, headers={"User-Agent": "probe/1"})
    http.get("/integrations/nope")
    (listed, missing) = emulator.requests
    assert listed == RequestRecord(
        "GET", f"/v1/tenants/{emulator.workspace}/integrations", {"pageSize": ["5"]}, 200,
        "listIntegrations", "probe/1",
    )  # fmt: skip
    assert (missing.route, missing.status) == ("getIntegration", 404)
    assert emulator.count("getIntegration") == 1 and emulator.count("getIntegration", "POST") == 0
    assert emulator.token not in repr(emulator.requests)
    emulator.clear_requests()
    assert emulator.requests == []


def test_thread_safety(emulator: FruxonEmulator) -> None:
    emulator.clear_requests()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with httpx.Client(
                base_url=f"{emulator.base_url}/v1/tenants/{emulator.workspace}",
                headers={"Authorization": f"Bearer {emulator.token}"},
                trust_env=False,
            ) as client:
                for n in range(50):
                    path = "/integrations" if n % 2 else "/integrations/slack/configs"
                    assert client.get(path).status_code == 200
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(emulator.requests) == 400
    assert emulator.count("listIntegrations") == 200 and emulator.count("listConfigs") == 200


def test_stop_closes_keep_alive_connections() -> None:
    with FruxonEmulator(token="fx_pat_fixed", workspace="ws") as emulator:
        url = f"{emulator.base_url}/v1/tenants/ws/auth/health"
        client = httpx.Client(headers={"Authorization": "Bearer fx_pat_fixed"}, trust_env=False)
        assert client.get(url).status_code == 200
    with pytest.raises(httpx.TransportError):
        client.get(url)
    client.close()


def test_a_client_that_left_is_not_reported_but_a_bug_is(
    emulator: FruxonEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server's error hook: a client that hung up before its (delayed) answer was written
    is expected under the latency, hang and trickle faults; socketserver printed a traceback."""
    server = emulator._server
    assert server is not None
    for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise gone
        except ConnectionError:
            server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("a bug in a handler")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))
    assert "ValueError: a bug in a handler" in capsys.readouterr().err


def test_cli_json_starts_and_answers() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_fruxon.testing", "--json", "--integrations", "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert set(info) == {"base_url", "token", "workspace"}
        response = httpx.get(
            f"{info['base_url']}/v1/tenants/{info['workspace']}/integrations",
            headers={"Authorization": f"Bearer {info['token']}"},
            trust_env=False,
        )
        assert response.json()["totalCount"] == 30
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
