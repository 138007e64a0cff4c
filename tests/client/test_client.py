"""FruxonClient against the emulator over loopback HTTP."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InsufficientScopeError,
    InvalidResponseError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from pulumi_fruxon.models import Integration
from pulumi_fruxon.settings import FruxonSettings
from pulumi_fruxon.testing import FruxonEmulator

from .conftest import SleepRecorder

# -- every method ------------------------------------------------------------------------------


def test_list_integrations_walks_every_page_with_sdk_spellings(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    for n in range(230):
        emulator.add_integration(f"zz-bulk-{n:03d}", tags=["bulk"])
    emulator.clear_requests()

    found = list(client.list_integrations(tags=["bulk"]))

    assert [i.id for i in found] == [f"zz-bulk-{n:03d}" for n in range(230)]
    lists = [r for r in emulator.requests if r.route == "listIntegrations"]
    assert len(lists) == 3
    assert all(r.query["pageSize"] == ["100"] for r in lists)
    assert "pageToken" not in lists[0].query
    assert all(len(r.query["pageToken"]) == 1 for r in lists[1:])
    assert all(
        r.user_agent == f"pulumi-fruxon/{_constants.USER_AGENT.split('/')[1]}" for r in lists
    )


def test_list_integrations_filters_are_sent_as_the_sdk_sends_them(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.add_integration("acme", display_name="Acme CRM", tags=["crm", "sales"], type="CUSTOM")
    emulator.add_integration("acme-chat", display_name="Acme Chat", tags=["chat"], type="SYSTEM")
    emulator.add_config("acme")
    emulator.clear_requests()

    found = list(
        client.list_integrations(
            query="acme", types=["CUSTOM", "SYSTEM"], tags=["crm", "chat"], has_configs=True
        )
    )

    assert [i.id for i in found] == ["acme"]
    (request,) = emulator.requests
    assert request.query["query"] == ["acme"]
    assert request.query["types"] == ["CUSTOM", "SYSTEM"]
    assert request.query["tags"] == ["crm", "chat"]
    assert request.query["has_configs"] == ["true"]
    assert "search" not in request.query


def test_list_integrations_items_are_typed(client: FruxonClient) -> None:
    found = {i.id: i for i in client.list_integrations()}
    salesforce = found["salesforce"]
    assert isinstance(salesforce, Integration)
    assert salesforce.tool_count is not None and salesforce.tool_count > 0
    oauth = [m for m in salesforce.auth_methods if m.is_oauth2]
    assert oauth and oauth[0].id == "oauth2"
    assert oauth[0].scope_names


def test_get_integration(client: FruxonClient) -> None:
    slack = client.get_integration("slack")
    assert slack.id == "slack"
    assert slack.display_name
    assert any(m.id == "oauth2" for m in slack.auth_methods)


def test_list_integration_tools(emulator: FruxonEmulator, client: FruxonClient) -> None:
    emulator.add_integration("many-tools", tools=123)
    emulator.clear_requests()
    tools = list(client.list_integration_tools("many-tools"))
    assert len(tools) == 123
    assert len({t.id for t in tools}) == 123
    assert emulator.count("listTools") == 2


def test_configs_create_list_get_delete(emulator: FruxonEmulator, client: FruxonClient) -> None:
    created = client.create_integration_config("github", "GitHub prod")
    assert created.display_name == "GitHub prod"
    assert not created.is_authorized
    assert created.id in {cfg.id for cfg in client.list_integration_configs("github")}
    assert client.get_integration_config("github", created.id).id == created.id
    client.delete_integration_config("github", created.id)
    with pytest.raises(NotFoundError):
        client.get_integration_config("github", created.id)


def test_authorize_then_consume_binds_the_config(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    config_id = emulator.add_config("github", display_name="GitHub prod")
    url = client.authorize("github", "oauth2", return_url="/done")
    key = emulator.approve(url)

    client.consume_oauth_credentials("github", config_id, key)

    config = client.get_integration_config("github", config_id)
    assert config.is_authorized
    assert config.auth is not None
    assert config.auth.integration_auth_metadata_id == "oauth2"
    assert config.auth.level == "APPLICATION"
    assert emulator.count("consumeOAuthCredentials") == 1


def test_authorize_rejects_an_absolute_return_url_before_sending(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.clear_requests()
    with pytest.raises(ValueError, match="relative path"):
        client.authorize("github", return_url="https://evil.example/")
    assert emulator.requests == []


# -- every status mapped to its exception -------------------------------------------------------


def test_spent_key_is_a_bad_request_with_problem_details(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    client.consume_oauth_credentials("github", config_id, key)
    with pytest.raises(BadRequestError) as raised:
        client.consume_oauth_credentials("github", config_id, key)
    error = raised.value
    assert error.status == 400
    assert error.code == "credential_key_spent"
    assert error.title
    assert error.detail
    assert key not in str(error)
    assert key not in repr(error.body)


def test_validation_errors_are_carried(emulator: FruxonEmulator, client: FruxonClient) -> None:
    with pytest.raises(BadRequestError) as raised:
        client.create_integration_config("github", "")
    assert raised.value.errors, "the ValidationProblemDetails `errors` map is kept"
    assert "displayName" in str(raised.value) or "DisplayName" in str(raised.value)


def test_unknown_token_is_authentication_error(emulator: FruxonEmulator) -> None:
    with (
        FruxonClient("fx_pat_not-a-real-token", emulator.workspace, emulator.base_url) as bad,
        pytest.raises(AuthenticationError) as raised,
    ):
        bad.get_integration("slack")
    assert raised.value.status == 401
    assert "fx_pat_not-a-real-token" not in str(raised.value)


def test_wrong_workspace_is_permission_denied_or_not_found(emulator: FruxonEmulator) -> None:
    with (
        FruxonClient(emulator.token, "someone-else", emulator.base_url) as other,
        pytest.raises((PermissionDeniedError, NotFoundError)) as raised,
    ):
        other.get_integration("slack")
    assert raised.value.status in (403, 404)


def test_missing_scope_names_required_and_granted(emulator: FruxonEmulator) -> None:
    token = emulator.add_token(["integrations:read"])
    with (
        FruxonClient(token, emulator.workspace, emulator.base_url) as read_only,
        pytest.raises(InsufficientScopeError) as raised,
    ):
        read_only.authorize("slack")
    error = raised.value
    assert error.status == 403
    assert error.required == "integrations:write"
    assert error.granted == ["integrations:read"]
    assert "integrations:write" in str(error)
    assert token not in str(error)


def test_not_found(client: FruxonClient) -> None:
    with pytest.raises(NotFoundError) as raised:
        client.get_integration("no-such-integration")
    assert raised.value.status == 404


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(409, ConflictError), (422, BadRequestError), (500, ServerError), (503, ServerError)],
)
def test_other_statuses(
    emulator: FruxonEmulator, status: int, error_class: type[Exception], sleeps: SleepRecorder
) -> None:
    emulator.fail_next(10, status=status)
    with (
        FruxonClient(
            emulator.token,
            emulator.workspace,
            emulator.base_url,
            max_retries=0,
            sleep=sleeps,
            clock=sleeps.clock,
        ) as once,
        pytest.raises(error_class) as raised,
    ):
        once.get_integration("slack")
    assert getattr(raised.value, "status", None) == status


def test_rate_limit_error_carries_retry_after(
    emulator: FruxonEmulator, sleeps: SleepRecorder
) -> None:
    # A Retry-After beyond the deadline is not waited for: the 429 is the answer.
    emulator.rate_limit_next(1, retry_after="12")
    with (
        FruxonClient(
            emulator.token,
            emulator.workspace,
            emulator.base_url,
            timeout=5,
            sleep=sleeps,
            clock=sleeps.clock,
        ) as once,
        pytest.raises(RateLimitError) as raised,
    ):
        once.get_integration("slack")
    assert raised.value.retry_after == 12.0
    assert sleeps.delays == []


def test_malformed_json_is_an_invalid_response(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.malformed_json_next(1, route="getIntegration")
    with pytest.raises(InvalidResponseError, match="malformed JSON"):
        client.get_integration("slack")


# -- retries ------------------------------------------------------------------------------------


def test_get_honours_retry_after_seconds(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    emulator.rate_limit_next(2, retry_after="3")
    assert client.get_integration("slack").id == "slack"
    assert sleeps.delays == [3.0, 3.0]
    assert emulator.count("getIntegration") == 3


def test_get_honours_retry_after_http_date(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=20)
    emulator.rate_limit_next(1, retry_after=format_datetime(when, usegmt=True))
    assert client.get_integration("slack").id == "slack"
    (delay,) = sleeps.delays
    assert 15.0 <= delay <= 20.0


def test_retry_after_is_capped(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    emulator.rate_limit_next(1, retry_after="86400")
    client.get_integration("slack")
    assert sleeps.delays == [_constants.MAX_RETRY_AFTER]


def test_get_retries_5xx_with_backoff_then_succeeds(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    emulator.fail_next(3, status=503)
    assert client.get_integration("slack").id == "slack"
    assert emulator.count("getIntegration") == 4
    assert len(sleeps.delays) == 3
    assert sleeps.delays[0] <= _constants.INITIAL_BACKOFF < sleeps.delays[2]


def test_get_gives_up_after_max_retries(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    emulator.fail_next(100, status=502)
    with pytest.raises(ServerError):
        client.get_integration("slack")
    assert emulator.count("getIntegration") == _constants.MAX_RETRIES + 1
    assert all(d <= _constants.MAX_BACKOFF for d in sleeps.delays)


def test_post_is_not_retried_after_5xx(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.fail_next(1, status=503, route="consumeOAuthCredentials")
    with pytest.raises(ServerError):
        client.consume_oauth_credentials("github", config_id, key)
    assert emulator.count("consumeOAuthCredentials") == 1
    assert sleeps.delays == []


def test_post_is_retried_after_429(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.rate_limit_next(1, retry_after="1", route="consumeOAuthCredentials")
    client.consume_oauth_credentials("github", config_id, key)
    assert emulator.count("consumeOAuthCredentials") == 2
    assert sleeps.delays == [1.0]
    assert emulator.get_config(config_id)["hasAuth"] is True


def test_post_is_not_retried_after_a_dropped_connection(
    emulator: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    emulator.drop_after_consume(1)
    with pytest.raises(APIConnectionError) as raised:
        client.consume_oauth_credentials("github", config_id, key)
    assert raised.value.request_sent is True
    assert key not in str(raised.value)
    assert emulator.count("consumeOAuthCredentials") == 1
    assert sleeps.delays == []


class RefuseFirstConnects(httpx.BaseTransport):
    """Refuses the first `n` connections before any byte is sent, then passes through.

    The emulator cannot refuse a connection and then accept the next one on the same port, so
    this one failure is simulated below the client, exactly where httpx would raise it.
    """

    def __init__(self, n: int) -> None:
        self.remaining = n
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.remaining:
            self.remaining -= 1
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return self.inner.handle_request(request)


def test_post_is_retried_after_connection_refused(
    emulator: FruxonEmulator, sleeps: SleepRecorder
) -> None:
    config_id = emulator.add_config("github")
    key = emulator.mint_credential_key("github")
    transport = RefuseFirstConnects(2)
    with FruxonClient(
        emulator.token,
        emulator.workspace,
        emulator.base_url,
        transport=transport,
        sleep=sleeps,
        clock=sleeps.clock,
    ) as flaky:
        flaky.consume_oauth_credentials("github", config_id, key)
    assert len(sleeps.delays) == 2
    assert emulator.count("consumeOAuthCredentials") == 1
    assert emulator.get_config(config_id)["hasAuth"] is True


def test_nothing_listening_is_a_connection_error_that_was_not_sent(
    sleeps: SleepRecorder,
) -> None:
    with FruxonEmulator() as gone:
        url, token, workspace = gone.base_url, gone.token, gone.workspace
    with (
        FruxonClient(
            token, workspace, url, max_retries=1, sleep=sleeps, clock=sleeps.clock
        ) as offline,
        pytest.raises(APIConnectionError) as raised,
    ):
        offline.get_integration("slack")
    assert raised.value.request_sent is False
    assert len(sleeps.delays) == 1
    assert token not in str(raised.value)


# -- pagination guards --------------------------------------------------------------------------


def test_echoed_page_token_raises_naming_the_endpoint(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    for n in range(350):
        emulator.add_integration(f"zz-echo-{n:03d}", tags=["echo"])
    emulator.set_echo_page_tokens(True)
    emulator.clear_requests()

    with pytest.raises(PaginationError) as raised:
        list(client.list_integrations(tags=["echo"]))

    # Page 2 echoes its own token back: the walk stops there and says so.
    assert emulator.count("listIntegrations") == 2
    error = raised.value
    assert f"GET /v1/tenants/{emulator.workspace}/integrations" in str(error)
    assert "sent back the page token it was asked for" in str(error)
    assert (error.pages, error.items, error.total_count) == (2, 200, 350)


def test_best_effort_keeps_what_the_echoing_walk_read(
    emulator: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(350):
        emulator.add_integration(f"zz-echo-{n:03d}", tags=["echo"])
    emulator.set_echo_page_tokens(True)

    with caplog.at_level(logging.WARNING, logger="pulumi_fruxon"):
        found = [i.id for i in client.list_integrations(tags=["echo"], best_effort=True)]

    assert found == [f"zz-echo-{n:03d}" for n in range(200)]
    assert "best_effort: returning the 200 items read so far" in caplog.text


def _page_server(pages: list[dict[str, object]]) -> httpx.MockTransport:
    """A server whose pages are scripted: for guard cases the emulator has no mode for."""
    calls = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(calls))

    return httpx.MockTransport(handler)


def _scripted(pages: list[dict[str, object]]) -> FruxonClient:
    return FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=_page_server(pages))


def test_a_token_seen_before_raises() -> None:
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}], "nextPageToken": "t1"},
        {"items": [{"id": "b"}], "nextPageToken": "t2"},
        {"items": [{"id": "c"}], "nextPageToken": "t1"},
        {"items": [{"id": "never"}], "nextPageToken": ""},
    ]
    with _scripted(pages) as mocked, pytest.raises(PaginationError, match="as page 1"):
        list(mocked.list_integrations())
    with _scripted(pages) as mocked:
        assert [i.id for i in mocked.list_integrations(best_effort=True)] == ["a", "b", "c"]


def test_an_empty_page_with_a_token_does_not_end_the_walk() -> None:
    # AIP-158 lets a page be empty before the end of the list; ending there would drop "c".
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}], "nextPageToken": "t1"},
        {"items": [], "nextPageToken": "t2"},
        {"items": [{"id": "c"}], "nextPageToken": ""},
    ]
    with _scripted(pages) as mocked:
        assert [i.id for i in mocked.list_integrations()] == ["a", "c"]


def test_a_page_overlapping_the_last_yields_its_new_items_once() -> None:
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "t1"},
        {"items": [{"id": "b"}, {"id": "c"}], "nextPageToken": ""},
    ]
    with _scripted(pages) as mocked:
        assert [i.id for i in mocked.list_integrations()] == ["a", "b", "c"]


def test_a_page_served_twice_raises() -> None:
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "t1"},
        {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "t2"},
        {"items": [{"id": "c"}], "nextPageToken": ""},
    ]
    with _scripted(pages) as mocked, pytest.raises(PaginationError, match="only items already"):
        list(mocked.list_integrations())


# -- settings and privacy -----------------------------------------------------------------------


def test_missing_token_and_workspace_name_both_ways_to_set_them() -> None:
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env={}))
    assert "fruxon:token" in str(raised.value)
    assert "FRUXON_TOKEN" in str(raised.value)
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env={"FRUXON_TOKEN": "fx_pat_x"}))
    assert "fruxon:workspace" in str(raised.value)
    assert "FRUXON_WORKSPACE" in str(raised.value)


def test_settings_precedence_explicit_then_config_then_env() -> None:
    env = {
        "FRUXON_TOKEN": "fx_pat_env",
        "FRUXON_WORKSPACE": "env-ws",
        "FRUXON_BASE_URL": "http://env.test/",
        "FRUXON_INSECURE": "yes",
        "FRUXON_CA_BUNDLE": "/tmp/ca.pem",
    }
    config = {"token": "fx_pat_config", "workspace": "config-ws"}
    settings = FruxonSettings.resolve(config=config.get, env=env, workspace="explicit-ws")
    assert settings.token == "fx_pat_config"
    assert settings.workspace == "explicit-ws"
    assert settings.base_url == "http://env.test"
    assert settings.insecure is True
    assert settings.ca_bundle == "/tmp/ca.pem"
    assert FruxonSettings.resolve(env={}).base_url == "https://api.fruxon.com"


def test_token_never_in_repr_or_logs(
    emulator: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    settings = FruxonSettings.resolve(env={"FRUXON_TOKEN": emulator.token})
    assert emulator.token not in repr(settings)
    assert emulator.token not in str(settings)
    assert emulator.token not in repr(client)
    emulator.fail_next(1, status=503)
    with caplog.at_level(logging.DEBUG):
        client.get_integration("slack")
        list(client.list_integrations())
    assert caplog.records, "the client logs requests and retries"
    assert emulator.token not in caplog.text


def test_client_refuses_to_be_pickled(client: FruxonClient) -> None:
    import pickle

    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)


def test_a_timeout_says_its_deadline_once(
    emulator: FruxonEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.set_latency(1.5)
    with (
        caplog.at_level(logging.WARNING, logger="pulumi_fruxon"),
        FruxonClient(emulator.token, emulator.workspace, emulator.base_url, timeout=1) as slow,
        pytest.raises(APITimeoutError) as raised,
    ):
        slow.get_integration("slack")
    assert str(raised.value).count("each request has 1 s in all") == 1
    lines = [r.getMessage() for r in caplog.records]
    assert lines and all(line.count("each request has 1 s in all") <= 1 for line in lines)
