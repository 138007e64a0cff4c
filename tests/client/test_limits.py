"""Every request is bounded: in time (one deadline covers its retries and its body) and in size.

The deadlines here are short so that the tests stay fast; no test asserts on elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import (
    APITimeoutError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
)
from pulumi_fruxon.settings import FruxonSettings
from pulumi_fruxon.testing import FruxonEmulator

from .conftest import SleepRecorder

SHORT = 0.5  # seconds: the deadline of the tests that wait for it for real


def short_client(fx: FruxonEmulator, timeout: float = SHORT) -> FruxonClient:
    return FruxonClient(fx.token, fx.workspace, fx.base_url, timeout=timeout)


# -- a server that never answers ---------------------------------------------------------------


def test_a_server_that_never_answers_fails_the_read_at_the_deadline(fx: FruxonEmulator) -> None:
    fx.hang_next(10, route="getIntegration")
    with short_client(fx) as client, pytest.raises(APITimeoutError) as raised:
        client.get_integration("slack")
    # One attempt used the whole deadline; no retry was started after it.
    assert fx.count("getIntegration") == 1
    assert raised.value.request_sent is True
    assert "FRUXON_TIMEOUT" in str(raised.value)


def test_the_deadline_comes_from_the_environment(fx: FruxonEmulator) -> None:
    env = {
        "FRUXON_TOKEN": fx.token,
        "FRUXON_WORKSPACE": fx.workspace,
        "FRUXON_BASE_URL": fx.base_url,
        "FRUXON_TIMEOUT": str(SHORT),
    }
    fx.hang_next(10, route="getIntegration")
    settings = FruxonSettings.resolve(env=env)
    assert settings.timeout == SHORT
    with FruxonClient(settings=settings) as client, pytest.raises(APITimeoutError):
        client.get_integration("slack")
    assert fx.count("getIntegration") == 1


def test_a_write_that_is_never_answered_is_not_retried(fx: FruxonEmulator) -> None:
    config_id = fx.add_config("github")
    key = fx.mint_credential_key("github")
    fx.hang_next(1, route="consumeOAuthCredentials")
    with short_client(fx) as client, pytest.raises(APITimeoutError) as raised:
        client.consume_oauth_credentials("github", config_id, key)
    assert raised.value.request_sent is True
    assert key not in str(raised.value)
    assert fx.count("consumeOAuthCredentials") == 1


# -- a server that trickles bytes ----------------------------------------------------------------


def test_a_trickling_body_cannot_outlast_the_deadline(fx: FruxonEmulator) -> None:
    # One byte every 50 ms: each byte restarts the socket's read timeout, so only the deadline,
    # checked between chunks, can end this ~40 s answer.
    fx.trickle_next(1, route="getIntegration", interval=0.05)
    with short_client(fx) as client, pytest.raises(APITimeoutError, match="too slowly") as raised:
        client.get_integration("slack")
    assert raised.value.request_sent is True
    assert fx.count("getIntegration") == 1


def test_a_trickling_body_within_the_deadline_is_read_whole(fx: FruxonEmulator) -> None:
    config_id = fx.add_config("github", display_name="Trickled")
    fx.trickle_next(1, route="listConfigs", interval=0.001)
    with FruxonClient(fx.token, fx.workspace, fx.base_url) as client:
        configs = list(client.list_integration_configs("github"))
    assert [c.id for c in configs] == [config_id]
    assert fx.requests[-1].fault == "trickle"


# -- 429: retried while the deadline allows -----------------------------------------------------


def test_twenty_rate_limited_answers_do_not_fail_a_create(
    fx: FruxonEmulator, client: FruxonClient, sleeps: SleepRecorder
) -> None:
    fx.rate_limit_next(20, retry_after="1", route="createConfig")
    created = client.create_integration_config("github", "Busy")
    assert created.display_name == "Busy"
    assert fx.count("createConfig") == 21
    assert sleeps.delays == [1.0] * 20


def test_rate_limits_past_the_deadline_fail_with_the_rate_limit(
    fx: FruxonEmulator, sleeps: SleepRecorder
) -> None:
    fx.rate_limit_next(100, retry_after="1", route="getIntegration")
    with (
        FruxonClient(
            fx.token, fx.workspace, fx.base_url, timeout=10, sleep=sleeps, clock=sleeps.clock
        ) as client,
        pytest.raises(RateLimitError),
    ):
        client.get_integration("slack")
    # Waits of 1 s fit ten times at most in a 10 s deadline; none starts past it.
    assert 1 <= len(sleeps.delays) < 10
    assert fx.count("getIntegration") == len(sleeps.delays) + 1


def test_5xx_retries_stop_at_the_deadline_before_max_retries(
    fx: FruxonEmulator, sleeps: SleepRecorder
) -> None:
    fx.fail_next(100, status=503, route="getIntegration")
    with (
        FruxonClient(
            fx.token,
            fx.workspace,
            fx.base_url,
            timeout=1.0,
            max_retries=50,
            sleep=sleeps,
            clock=sleeps.clock,
        ) as client,
        pytest.raises(ServerError),
    ):
        client.get_integration("slack")
    assert sum(sleeps.delays) < 1.0
    assert len(sleeps.delays) < 50


# -- size -----------------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused(
    fx: FruxonEmulator, client: FruxonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_constants, "MAX_RESPONSE_BYTES", 500)
    with pytest.raises(InvalidResponseError, match="larger than the 500 bytes") as raised:
        client.get_integration("slack")
    assert raised.value.path == f"/v1/tenants/{fx.workspace}/integrations/slack"
    assert fx.count("getIntegration") == 1


def test_a_streamed_body_without_a_length_is_cut_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_constants, "MAX_RESPONSE_BYTES", 1000)
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for n in range(1_000_000):
            sent.append(n)
            yield b" " * 100

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=endless()))
    with (
        FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport) as mocked,
        pytest.raises(InvalidResponseError, match="larger than"),
    ):
        mocked.get_integration("x")
    assert len(sent) <= 11  # read no further than the cap
