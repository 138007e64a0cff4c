"""Secrets never reach a message, a repr, an attribute or a log line, in any form."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from pulumi_fruxon._redaction import Redactor
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import APIConnectionError, APIStatusError, BadRequestError, ServerError

from .conftest import SleepRecorder

TOKEN = "fx_pat_s3cr3t-token"
KEY = "fxck_s3cr3t/key+value"


def forms(secret: str) -> list[str]:
    """Every way the secret may be written out."""
    return [
        secret,
        repr(secret)[1:-1],
        repr(secret.encode())[2:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
    ]


def assert_nowhere(secret: str, *texts: str) -> None:
    for text in texts:
        for form in forms(secret):
            assert form not in text, f"{form!r} leaked into {text[:200]!r}"


# -- the redactor itself ----------------------------------------------------------------------


def test_the_bytes_repr_of_a_header_is_redacted() -> None:
    secret = "fx_pat_a\nb"
    message = "Illegal header value b'Bearer fx_pat_a\\nb'"
    assert Redactor([secret]).text(message) == "Illegal header value b'Bearer [redacted]'"


@pytest.mark.parametrize("secret", ["fx_pat_a\nb", "k'ey\"with\\quotes", "ключ-сек", KEY])
def test_every_form_of_a_secret_is_redacted(secret: str) -> None:
    redactor = Redactor([secret])
    for form in forms(secret):
        assert redactor.text(f"<{form}>") == "<[redacted]>"


def test_keys_and_nested_values_are_redacted() -> None:
    body = {"errors": {KEY: [f"bad {KEY}"]}, "deep": [{"x": {KEY: TOKEN}}]}
    cleaned = Redactor([KEY, TOKEN]).value(body)
    assert_nowhere(KEY, json.dumps(cleaned), repr(cleaned))
    assert_nowhere(TOKEN, json.dumps(cleaned), repr(cleaned))
    assert cleaned["errors"] == {"[redacted]": ["bad [redacted]"]}


# -- a server that echoes secrets ---------------------------------------------------------------


def echoing_server(status: int) -> httpx.MockTransport:
    """A server that repeats the token and the key everywhere a problem body can hold text."""

    def handler(request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = {
            "title": f"Bad token {TOKEN}",
            "detail": f"key {KEY!r} and {json.dumps(KEY)} and b'{KEY}'",
            "code": f"code-{TOKEN}",
            "errors": {KEY: [f"is {TOKEN}"], "field": [request.headers["authorization"]]},
            "nested": {TOKEN: {KEY: [KEY, {"deeper": TOKEN}]}},
        }
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_an_echoed_secret_is_redacted_from_a_status_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = FruxonClient(TOKEN, "w", "http://fruxon.test", transport=echoing_server(400))
    with caplog.at_level(logging.DEBUG), client, pytest.raises(BadRequestError) as raised:
        client.consume_oauth_credentials("x", "config", KEY)
    error = raised.value
    seen = [str(error), repr(error), repr(error.body), repr(error.errors), str(error.code)]
    seen += [repr(error.title), repr(error.detail), repr(error.args), caplog.text]
    for secret in (TOKEN, KEY):
        assert_nowhere(secret, *seen)
    assert "[redacted]" in str(error)


def test_an_echoed_token_is_redacted_from_every_retry_line(
    caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    client = FruxonClient(
        TOKEN,
        "w",
        "http://fruxon.test",
        transport=echoing_server(503),
        sleep=sleeps,
        clock=sleeps.clock,
    )
    with caplog.at_level(logging.DEBUG), client, pytest.raises(APIStatusError) as raised:
        client.get_integration("x")
    assert isinstance(raised.value, ServerError)
    assert "retrying" in caplog.text
    assert_nowhere(TOKEN, caplog.text, str(raised.value), repr(raised.value))


def test_a_transport_error_quoting_the_header_is_redacted(sleeps: SleepRecorder) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        header = request.headers["authorization"]
        raise httpx.ReadError(f"Illegal header value {header.encode()!r}", request=request)

    client = FruxonClient(
        TOKEN,
        "w",
        "http://fruxon.test",
        transport=httpx.MockTransport(handler),
        sleep=sleeps,
        clock=sleeps.clock,
    )
    with client, pytest.raises(APIConnectionError) as raised:
        client.get_integration("x")
    assert_nowhere(TOKEN, str(raised.value), repr(raised.value))
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
