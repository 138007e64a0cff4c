"""Secrets never reach a message, a repr, an attribute or a log line, in any form."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from pulumi_fruxon._constants import KNOWN_PROBLEM_CODES
from pulumi_fruxon._redaction import MIN_SECRET_LENGTH, WITHHELD, Redactor
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


# -- a secret too short to redact -------------------------------------------------------------
#
# Replacing a one-character secret inside a message turns the message into an oracle: "Bad
# R[redacted]qu[redacted]st" says the secret is "e". A secret under MIN_SECRET_LENGTH characters
# is never searched for; every text that could hold it is withheld whole instead, so the message
# reads the same whatever the secret is.

SHORT = "Q7z"  # a short secret that none of this package's own wording contains
SERVER_SAID = "server-said"  # marks every piece of text a test server puts in its answer


def test_the_minimum_length_of_a_redactable_secret_is_eight_characters() -> None:
    assert MIN_SECRET_LENGTH == 8
    assert Redactor(["x" * 8]).text("<xxxxxxxx>") == "<[redacted]>"
    assert Redactor(["x" * 7]).text("<xxxxxxx>") == WITHHELD


@pytest.mark.parametrize("secret", ["e", "ab", "1234", "pass123"])
def test_a_short_secret_withholds_the_whole_text_instead_of_cutting_it_out(secret: str) -> None:
    redactor = Redactor([TOKEN, secret])
    assert redactor.text("Bad Request") == WITHHELD
    assert redactor.text(f"bad value {secret!r}") == WITHHELD
    assert redactor.value({"title": "Bad Request", "n": 1234, "k": [secret]}) is None


def problem_server(status: int, *, echo: str = "") -> httpx.MockTransport:
    """A server answering `status` with a problem body whose every text is marked SERVER_SAID
    (the reason phrase included), and holds `echo` in each form a secret may take."""

    def handler(request: httpx.Request) -> httpx.Response:
        said = f"{SERVER_SAID} {' '.join(forms(echo))}" if echo else SERVER_SAID
        body: dict[str, Any] = {
            "title": f"Bad Request {said}",
            "detail": f"The value is invalid {said}",
            "code": f"{SERVER_SAID}-code",
            "errors": {f"{said}-field": [f"is {said}"]},
            "nested": {said: [said, {"deeper": said}]},
            "error": "insufficient_scope",
            "required": said,
            "granted": [said],
        }
        extensions = {"reason_phrase": f"Nope {said}".encode()}
        return httpx.Response(status, json=body, extensions=extensions)

    return httpx.MockTransport(handler)


def create_with(secret: str, transport: httpx.MockTransport) -> APIStatusError:
    client = FruxonClient(TOKEN, "w", "http://fruxon.test", transport=transport)
    with client, pytest.raises(APIStatusError) as raised:
        client.create_integration_config("x", "X", secret_parameters={"pin": secret})
    return raised.value


def everything_shown(error: APIStatusError, log: str = "") -> list[str]:
    return [
        str(error),
        repr(error),
        repr(error.args),
        repr(error.title),
        repr(error.detail),
        repr(error.code),
        repr(error.errors),
        repr(error.body),
        repr(vars(error)),
        log,
    ]


@pytest.mark.parametrize("status", [400, 403, 409, 422])
def test_a_short_secret_echoed_by_the_server_never_appears(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    # httpx's own INFO line quotes the reason phrase as sent; it is httpx's logger, off unless
    # the user turns it on. This package's log lines are what is checked here.
    with caplog.at_level(logging.DEBUG, logger="pulumi_fruxon"):
        error = create_with(SHORT, problem_server(status, echo=SHORT))
    shown = everything_shown(error, caplog.text)
    assert_nowhere(SHORT, *shown)
    for text in shown:
        assert SERVER_SAID not in text, text
    assert f"(HTTP {status})" in str(error)
    assert "/v1/tenants/w/integrations/x/configs" in str(error)
    assert WITHHELD in str(error)


def test_a_short_token_stays_out_of_the_retry_lines(
    caplog: pytest.LogCaptureFixture, sleeps: SleepRecorder
) -> None:
    client = FruxonClient(
        "t0k",
        "w",
        "http://fruxon.test",
        transport=problem_server(503, echo="t0k"),
        sleep=sleeps,
        clock=sleeps.clock,
    )
    with (
        caplog.at_level(logging.DEBUG, logger="pulumi_fruxon"),
        client,
        pytest.raises(ServerError) as raised,
    ):
        client.get_integration("x")
    assert "retrying" in caplog.text
    shown = everything_shown(raised.value, caplog.text)
    assert_nowhere("t0k", *shown)
    for text in shown:
        assert SERVER_SAID not in text, text


def test_the_message_of_a_short_secret_is_the_same_whatever_the_secret() -> None:
    """Not an oracle: the same answer gives the same error, byte for byte, for every secret."""
    shown = {
        secret: everything_shown(create_with(secret, problem_server(400)))
        for secret in ("e", "q", "Re", "st", SHORT, "1234567")
    }
    assert len({tuple(texts) for texts in shown.values()}) == 1, shown
    assert SERVER_SAID not in str(shown["e"])


def test_a_short_secret_withholds_a_transport_error_s_text(sleeps: SleepRecorder) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("Connection reset by peer while sending the request")

    messages = set()
    for secret in ("e", "o", "re"):
        client = FruxonClient(
            TOKEN,
            "w",
            "http://fruxon.test",
            transport=httpx.MockTransport(handler),
            sleep=sleeps,
            clock=sleeps.clock,
        )
        with client, pytest.raises(APIConnectionError) as raised:
            client.consume_oauth_credentials("x", "config", secret)
        messages.add(str(raised.value))
    assert len(messages) == 1, messages
    (message,) = messages
    assert "ReadError" in message
    assert "reset by peer" not in message
    assert WITHHELD in message


def test_a_short_token_withholds_every_answer_s_text() -> None:
    client = FruxonClient("t0k", "w", "http://fruxon.test", transport=problem_server(404))
    with client, pytest.raises(APIStatusError) as raised:
        client.get_integration("x")
    assert_nowhere("t0k", *everything_shown(raised.value))
    assert SERVER_SAID not in str(raised.value)
    assert raised.value.title == "Not Found"


def test_a_known_problem_code_survives_withholding() -> None:
    """The codes this package acts on are fixed words, not the server's prose: they stay, so a
    dead key is still recognised as one when the key is short."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"title": f"Key {SHORT} spent", "code": "credential_key_spent"}
        return httpx.Response(400, json=body)

    client = FruxonClient(TOKEN, "w", "http://fruxon.test", transport=httpx.MockTransport(handler))
    with client, pytest.raises(BadRequestError) as raised:
        client.consume_oauth_credentials("x", "config", SHORT)
    assert raised.value.code == "credential_key_spent"
    assert_nowhere(SHORT, *everything_shown(raised.value))


@pytest.mark.parametrize(
    "content",
    [b'{"code": ["credential_key_spent"]}', b'{"code": "Q7z"}', b"[]", b"not json", b"\xff"],
)
def test_a_withheld_answer_of_any_shape_keeps_no_code(content: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(400, content=content))
    client = FruxonClient(TOKEN, "w", "http://fruxon.test", transport=transport)
    with client, pytest.raises(BadRequestError) as raised:
        client.consume_oauth_credentials("x", "config", SHORT)
    assert raised.value.code is None
    assert raised.value.body == {}
    assert_nowhere(SHORT, *everything_shown(raised.value))


def test_a_short_secret_still_lets_a_429_be_retried(sleeps: SleepRecorder) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "3"}, json={"title": SHORT})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(201, json={"id": "c1"}))

    client = FruxonClient(
        TOKEN,
        "w",
        "http://fruxon.test",
        transport=httpx.MockTransport(handler),
        sleep=sleeps,
        clock=sleeps.clock,
    )
    with client:
        created = client.create_integration_config("x", "X", secret_parameters={"pin": SHORT})
    assert created.id == "c1"
    assert sleeps.delays == [3.0]


def test_every_code_the_providers_act_on_is_known() -> None:
    from pulumi_fruxon import _consume

    assert _consume._DEAD_KEY_CODES | {"not_linkable"} <= KNOWN_PROBLEM_CODES
