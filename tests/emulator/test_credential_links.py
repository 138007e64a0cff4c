"""Credential links in the emulator, over bare HTTP: minting, the link page, filling, refusals.

A link lets a human type a config's own credentials into Fruxon, which publishes them as the
config's next revision; whoever minted the link never sees them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_fruxon.testing import FruxonEmulator

PROBLEM = "application/problem+json"
HOUR_MS = 3_600_000
CONFIGS = "/integrations/internal_crm/configs"
API_KEY = "sk-live-emulator-links-0123456789"


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    """A client with no token, as the human who opens the link is."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def api_key_config(http: httpx.Client, **auth: Any) -> str:
    """A config of internal_crm whose chosen method is the API key, no credentials yet."""
    body = {
        "displayName": "CRM prod",
        "parameters": {"base_url": "https://crm.example"},
        "auth": {"integrationAuthMetadataId": "api_key", "level": "APPLICATION", **auth},
    }
    response = http.post(CONFIGS, json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def mint(http: httpx.Client, config_id: str, **body: Any) -> httpx.Response:
    return http.post(f"{CONFIGS}/{config_id}/credentialRequests", json=body)


def minted(http: httpx.Client, config_id: str, **body: Any) -> dict[str, Any]:
    response = mint(http, config_id, **body)
    assert response.status_code == 200, response.text
    link: dict[str, Any] = response.json()
    return link


def problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


# -- minting ------------------------------------------------------------------------------------


def test_mint_answers_the_documented_fields_in_unix_ms(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = api_key_config(http)

    link = minted(http, config_id, intendedForEmail="ops@example.com", note="for the CRM")

    assert set(link) == {
        "id",
        "url",
        "mode",
        "expiresAt",
        "createdAt",
        "intendedForEmail",
        "note",
    }
    assert link["mode"] == "SIGN_IN"  # requireSignIn defaults to true
    assert link["url"].startswith(emulator.base_url + "/credential-links/")
    assert isinstance(link["createdAt"], int) and link["createdAt"] > 1_700_000_000_000
    assert link["expiresAt"] - link["createdAt"] == 168 * HOUR_MS
    assert link["intendedForEmail"] == "ops@example.com"
    assert link["note"] == "for the CRM"
    # The URL exists only in that response: not in the log, not in what the helpers show.
    token = link["url"].rsplit("/", 1)[1]
    assert token not in repr(emulator.requests)
    assert token not in repr(emulator.credential_links())
    assert [r["id"] for r in emulator.credential_links(config_id)] == [link["id"]]
    assert emulator.credential_links(config_id)[0]["status"] == "OPEN"


def test_ttl_hours_bounds(http: httpx.Client) -> None:
    config_id = api_key_config(http)
    for ttl in (1, 720):
        link = minted(http, config_id, ttlHours=ttl)
        assert link["expiresAt"] - link["createdAt"] == ttl * HOUR_MS
    for bad in (0, 721, -5, "24", True, 2.5):
        body = problem(mint(http, config_id, ttlHours=bad), 400)
        assert "ttlHours" in body["errors"]


def test_other_body_validation(http: httpx.Client) -> None:
    config_id = api_key_config(http)
    assert "requireSignIn" in problem(mint(http, config_id, requireSignIn="no"), 400)["errors"]
    bad_email = mint(http, config_id, intendedForEmail="not an email")
    assert "intendedForEmail" in problem(bad_email, 400)["errors"]
    assert "note" in problem(mint(http, config_id, note=7), 400)["errors"]


def test_a_link_without_sign_in_needs_workspace_write(
    emulator: FruxonEmulator, http: httpx.Client
) -> None:
    config_id = api_key_config(http)
    assert minted(http, config_id, requireSignIn=False)["mode"] == "CAPABILITY"

    writer = emulator.add_token(["integrations:read", "integrations:write"])
    headers = {"Authorization": f"Bearer {writer}"}
    path = f"{CONFIGS}/{config_id}/credentialRequests"
    body = problem(http.post(path, json={"requireSignIn": False}, headers=headers), 403)
    assert body["error"] == "insufficient_scope"
    assert body["required"] == "workspace:write"
    assert body["granted"] == ["integrations:read", "integrations:write"]
    # With sign-in, integrations:write is enough.
    assert http.post(path, json={}, headers=headers).status_code == 200

    reader = emulator.add_token(["integrations:read"])
    denied = http.post(path, json={}, headers={"Authorization": f"Bearer {reader}"})
    assert problem(denied, 403)["required"] == "integrations:write"


def test_not_linkable_configs_are_409(emulator: FruxonEmulator, http: httpx.Client) -> None:
    slack = emulator.list_configs("slack")[0]["id"]  # OAuth 2.0
    oauth = problem(
        http.post(f"/integrations/slack/configs/{slack}/credentialRequests", json={}),
        409,
        "not_linkable",
    )
    assert ":authorize" in oauth["detail"]

    per_user = api_key_config(http, level="USER")
    assert "USER" in problem(mint(http, per_user), 409, "not_linkable")["detail"]

    by_parameters = api_key_config(http)
    patched = http.patch(
        f"{CONFIGS}/{by_parameters}", json={"authMap": [{"parameters": {"region": "eu"}}]}
    )
    assert patched.status_code == 200
    assert "authMap" in problem(mint(http, by_parameters), 409, "not_linkable")["detail"]

    no_method = http.post(CONFIGS, json={"displayName": "no method"}).json()["id"]
    detail = problem(mint(http, no_method), 409, "not_linkable")["detail"]
    assert "no auth method chosen" in detail

    crm_oauth = http.post(
        CONFIGS, json={"displayName": "oauth", "auth": {"integrationAuthMetadataId": "oauth2"}}
    ).json()["id"]
    problem(mint(http, crm_oauth), 409, "not_linkable")
    assert emulator.credential_links() == []


def test_unknown_config_or_integration_is_404(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = api_key_config(http)
    missing = "00000000-0000-4000-8000-000000000000"
    problem(mint(http, missing), 404, "config_not_found")
    wrong = http.post(f"/integrations/stripe/configs/{config_id}/credentialRequests", json={})
    problem(wrong, 404, "config_not_found")


# -- filling --------------------------------------------------------------------------------------


def test_the_page_names_the_secret_fields(http: httpx.Client, browser: httpx.Client) -> None:
    link = minted(http, api_key_config(http), note="Paste the CRM key")

    page = browser.get(link["url"])

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="api_key"' in page.text and 'type="password"' in page.text
    assert "Paste the CRM key" in page.text
    assert '<form method="post">' in page.text


def test_a_form_post_sets_the_auth_and_publishes(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id)

    saved = browser.post(link["url"], data={"api_key": API_KEY})

    assert saved.status_code == 200, saved.text
    assert saved.headers["content-type"].startswith("text/html")
    assert API_KEY not in saved.text
    published = emulator.published(config_id)
    assert published is not None
    assert published["version"] == 1
    assert published["auth"]["integrationAuthMetadataId"] == "api_key"
    assert published["auth"]["parameters"] == {"api_key": API_KEY}
    assert published["createdAt"] >= link["createdAt"]
    config = http.get(f"{CONFIGS}/{config_id}").json()
    assert config["hasAuth"] is True
    assert config["publishedRevisionId"] == published["id"]
    assert API_KEY not in http.get(f"{CONFIGS}/{config_id}").text
    assert API_KEY not in http.get(f"{CONFIGS}/{config_id}/revisions").text
    record = emulator.credential_links(config_id)[0]
    assert record["status"] == "FILLED"
    assert record["revisionId"] == published["id"]


def test_the_helper_fills_over_http(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id)
    emulator.clear_requests()

    result = emulator.fill_credential_link(link["url"], {"api_key": API_KEY})

    published = emulator.published(config_id)
    assert published is not None
    assert result == {"configId": config_id, "revisionId": published["id"], "version": 1}
    assert emulator.count("fillCredentialLink", "POST") == 1
    assert emulator.requests[0].path == "/credential-links/[redacted]"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_can_fill_a_link(emulator: FruxonEmulator, http: httpx.Client) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id)

    done = subprocess.run(
        ["curl", "-sS", "--noproxy", "*", "-d", f"api_key={API_KEY}", link["url"]],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Saved" in done.stdout
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["parameters"] == {"api_key": API_KEY}


def test_a_bad_form_saves_nothing_and_keeps_the_link_open(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id)
    as_json = {"Accept": "application/json"}

    missing = browser.post(link["url"], data={"api_key": "  "}, headers=as_json)
    assert "api_key" in problem(missing, 400)["errors"]
    unknown = browser.post(link["url"], data={"api_key": "k", "password": "p"}, headers=as_json)
    assert "password" in problem(unknown, 400)["errors"]
    page = browser.post(link["url"], data={})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")

    assert emulator.published(config_id) is None
    assert emulator.credential_links(config_id)[0]["status"] == "OPEN"
    assert emulator.fill_credential_link(link["url"], {"api_key": API_KEY})["version"] == 1


# -- refusals -----------------------------------------------------------------------------------


def test_a_used_link_refuses(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id)
    emulator.fill_credential_link(link["url"], {"api_key": API_KEY})

    again = browser.post(link["url"], data={"api_key": "sk-other"})
    assert again.status_code == 410
    assert "already used" in again.text
    as_json = browser.post(
        link["url"], data={"api_key": "sk-other"}, headers={"Accept": "application/json"}
    )
    body = problem(as_json, 410, "credential_link_filled")
    assert body["instance"] == "/credential-links/[redacted]"
    assert browser.get(link["url"]).status_code == 410
    with pytest.raises(RuntimeError, match="410"):
        emulator.fill_credential_link(link["url"], {"api_key": "sk-other"})
    assert len(emulator.revisions(config_id)) == 1
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["parameters"] == {"api_key": API_KEY}


def test_a_new_link_replaces_the_open_one(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    config_id = api_key_config(http)
    first = minted(http, config_id)
    second = minted(http, config_id)

    refused = browser.post(first["url"], data={"api_key": API_KEY})
    assert refused.status_code == 410 and "replaced" in refused.text
    statuses = {r["id"]: r["status"] for r in emulator.credential_links(config_id)}
    assert statuses == {first["id"]: "WITHDRAWN", second["id"]: "OPEN"}
    assert emulator.fill_credential_link(second["url"], {"api_key": API_KEY})["version"] == 1
    # A link of another config is not replaced.
    other = api_key_config(http)
    kept = minted(http, other)
    minted(http, api_key_config(http))
    assert emulator.credential_links(other)[0]["id"] == kept["id"]
    assert emulator.credential_links(other)[0]["status"] == "OPEN"


def test_an_expired_link_refuses(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    config_id = api_key_config(http)
    link = minted(http, config_id, ttlHours=1)

    emulator.expire_credential_link(link["id"])

    assert emulator.credential_links(config_id)[0]["status"] == "EXPIRED"
    refused = browser.post(
        link["url"], data={"api_key": API_KEY}, headers={"Accept": "application/json"}
    )
    assert "expired" in problem(refused, 410, "credential_link_expired")["detail"]
    assert emulator.published(config_id) is None
    with pytest.raises(KeyError):
        emulator.expire_credential_link("no-such-link")


def test_unknown_token_and_deleted_config(
    emulator: FruxonEmulator, http: httpx.Client, browser: httpx.Client
) -> None:
    unknown = browser.get(emulator.base_url + "/credential-links/not-a-token")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")

    config_id = api_key_config(http)
    link = minted(http, config_id)
    emulator.delete_config(config_id)
    gone = browser.post(link["url"], data={"api_key": API_KEY})
    assert gone.status_code == 410
    assert emulator.credential_links(config_id)[0]["status"] == "WITHDRAWN"
