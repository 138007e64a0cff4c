"""Settings are checked before any request; each error names where the bad value came from."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import httpx
import pytest

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import APITimeoutError, ConfigurationError
from pulumi_fruxon.settings import FruxonSettings
from pulumi_fruxon.testing import FruxonEmulator

# -- the token -------------------------------------------------------------------------------------

BAD_TOKENS = [
    "fx_pat_a\nb",
    "fx_pat_a\r\nb",
    "fx_pat_a b",
    "fx_pat_a\tb",
    "fx_pat_a\x00b",
    "fx_pat_a\x7fb",
    "fx_pat_aéb",
]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_token_no_header_can_carry_is_refused_naming_the_variable(
    emulator: FruxonEmulator, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    env = {
        "FRUXON_TOKEN": token,
        "FRUXON_WORKSPACE": emulator.workspace,
        "FRUXON_BASE_URL": emulator.base_url,
    }
    emulator.clear_requests()
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env=env))
    message = str(raised.value)
    assert "FRUXON_TOKEN" in message
    for shown in (message, repr(raised.value), caplog.text):
        assert "fx_pat_a" not in shown
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [("config", "fruxon:token"), ("explicit", "the token argument"), ("env", "FRUXON_TOKEN")],
)
def test_the_token_error_names_the_source_it_came_from(where: str, expected: str) -> None:
    bad = "fx_pat_a\nb"
    config = {"token": bad} if where == "config" else {}
    env = {"FRUXON_TOKEN": bad if where == "env" else "fx_pat_fine"}
    with pytest.raises(ConfigurationError) as raised:
        FruxonSettings.resolve(
            config=config.get, env=env, token=bad if where == "explicit" else None
        )
    assert expected in str(raised.value)
    assert "fx_pat_a" not in str(raised.value)


def test_settings_built_directly_are_checked_too() -> None:
    with pytest.raises(ConfigurationError, match="the token setting"):
        FruxonSettings(token="fx_pat_a\nb")


def test_surrounding_whitespace_is_trimmed_not_refused() -> None:
    settings = FruxonSettings.resolve(env={"FRUXON_TOKEN": "  fx_pat_ok\n"})
    assert settings.token == "fx_pat_ok"


# -- the base URL ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        ("ftp://fruxon.example", "'ftp://'"),
        ("file:///etc/passwd", "'file://'"),
        ("api.fruxon.com", "http:// or https://"),
        ("http://", "no host"),
        ("http://127.0.0.1:port", "not a valid URL"),
        ("https://api.fruxon.com/?x=1", "query"),
        ("https://api.fruxon .com", "whitespace"),
    ],
)
def test_a_malformed_base_url_is_refused_before_any_request(url: str, reason: str) -> None:
    env = {"FRUXON_TOKEN": "fx_pat_x", "FRUXON_WORKSPACE": "w", "FRUXON_BASE_URL": url}
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env=env))
    assert "FRUXON_BASE_URL" in str(raised.value)
    assert reason in str(raised.value)


def test_the_base_url_error_names_the_stack_config_key() -> None:
    with pytest.raises(ConfigurationError, match="fruxon:baseUrl"):
        FruxonSettings.resolve(config={"baseUrl": "ftp://x"}.get, env={})


def test_a_base_url_with_credentials_is_refused_without_repeating_them() -> None:
    with pytest.raises(ConfigurationError, match="credentials") as raised:
        FruxonSettings.resolve(env={"FRUXON_BASE_URL": "https://me:hunter2@api.fruxon.com"})
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "https://api.fruxon.com/prefix/"])
def test_good_base_urls_pass(url: str) -> None:
    assert FruxonSettings.resolve(env={"FRUXON_BASE_URL": url}).base_url == url.rstrip("/")


# -- the CA bundle ---------------------------------------------------------------------------------


def _env_with_ca(path: str) -> dict[str, str]:
    return {
        "FRUXON_TOKEN": "fx_pat_x",
        "FRUXON_WORKSPACE": "w",
        "FRUXON_BASE_URL": "https://fruxon.test",
        "FRUXON_CA_BUNDLE": path,
    }


def test_a_missing_ca_bundle_names_the_variable_and_the_path(tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere.pem")
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env=_env_with_ca(path)))
    assert "FRUXON_CA_BUNDLE" in str(raised.value)
    assert path in str(raised.value)
    assert "cannot be read" in str(raised.value)


def test_a_garbage_ca_bundle_names_the_variable_and_the_path(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("this is not a certificate\n")
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env=_env_with_ca(str(garbage))))
    assert "FRUXON_CA_BUNDLE" in str(raised.value)
    assert str(garbage) in str(raised.value)
    assert "no usable PEM certificate" in str(raised.value)


# -- the timeout -----------------------------------------------------------------------------------


def test_the_timeout_defaults_then_config_then_environment() -> None:
    assert FruxonSettings.resolve(env={}).timeout == 120.0
    assert FruxonSettings.resolve(env={"FRUXON_TIMEOUT": "2.5"}).timeout == 2.5
    from_config = FruxonSettings.resolve(config={"timeout": "30"}.get, env={"FRUXON_TIMEOUT": "9"})
    assert from_config.timeout == 30.0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan"])
def test_a_bad_timeout_is_refused_naming_its_source(value: str) -> None:
    with pytest.raises(ConfigurationError, match="FRUXON_TIMEOUT"):
        FruxonSettings.resolve(env={"FRUXON_TIMEOUT": value})
    with pytest.raises(ConfigurationError, match="fruxon:timeout"):
        FruxonSettings.resolve(config={"timeout": value}.get, env={})


@pytest.mark.parametrize("value", [-1.0, 0.0, math.nan, math.inf])
def test_a_bad_timeout_argument_is_refused(value: float) -> None:
    # The same rule as for FRUXON_TIMEOUT and fruxon:timeout, naming where the value came from.
    with pytest.raises(ConfigurationError, match="timeout from the timeout argument"):
        FruxonClient("fx_pat_x", "w", "http://fruxon.test", timeout=value)


def _timeout_named(client_timeout: float | None) -> str:
    """The deadline a timed-out request names, for a client built on FRUXON_TIMEOUT=9."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    settings = FruxonSettings.resolve(
        token="fx_pat_x",
        workspace="w",
        base_url="http://fruxon.test",
        env={"FRUXON_TIMEOUT": "9"},
    )
    with (
        FruxonClient(
            settings=settings,
            timeout=client_timeout,
            max_retries=0,
            transport=httpx.MockTransport(handler),
        ) as client,
        pytest.raises(APITimeoutError) as raised,
    ):
        client.get_integration("slack")
    return str(raised.value)


def test_the_timeout_argument_overrides_the_settings() -> None:
    assert "each request has 2.5 s in all" in _timeout_named(2.5)
    assert "each request has 9 s in all" in _timeout_named(None)
