"""The retry decision and the Retry-After parser, over every header form."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon._retry import (
    backoff_delay,
    parse_retry_after,
    should_retry_status,
    should_retry_transport,
)

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ("Sun, 29 Nov 2026 12:00:45 GMT", 45.0),
        ("Sunday, 29-Nov-26 12:00:10 GMT", 10.0),  # RFC 850, still legal in Retry-After
        ("Sun Nov 29 12:00:05 2026", 5.0),  # asctime
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),  # in the past
        ("", None),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


@pytest.mark.parametrize(
    ("method", "status", "retry"),
    [
        ("GET", 429, False),  # retried apart, as a RateLimitError: see test_limits.py
        ("GET", 500, True),
        ("GET", 502, True),
        ("GET", 503, True),
        ("GET", 504, True),
        ("GET", 404, False),
        ("GET", 400, False),
        ("GET", 501, False),
        ("POST", 429, False),
        ("POST", 500, False),
        ("POST", 503, False),
        ("PATCH", 503, False),
        ("DELETE", 503, False),
        ("POST", 400, False),
    ],
)
def test_should_retry_status(method: str, status: int, retry: bool) -> None:
    assert should_retry_status(method, status) is retry


def test_transport_failures_are_retried_only_when_safe() -> None:
    assert should_retry_transport("POST", request_sent=False)
    assert not should_retry_transport("POST", request_sent=True)
    assert should_retry_transport("GET", request_sent=True)


def test_retry_after_wins_and_is_capped() -> None:
    assert backoff_delay(0, 3.0) == 3.0
    assert backoff_delay(5, 0.0) == 0.0
    assert backoff_delay(0, 10_000.0) == _constants.MAX_RETRY_AFTER


def test_backoff_grows_is_jittered_and_capped() -> None:
    rng = random.Random(7)
    for attempt in range(12):
        base = min(_constants.INITIAL_BACKOFF * 2**attempt, _constants.MAX_BACKOFF)
        for _ in range(50):
            delay = backoff_delay(attempt, rng=rng)
            assert 0.75 * base <= delay <= base
    delays = {backoff_delay(1, rng=rng) for _ in range(20)}
    assert len(delays) > 1, "no jitter"


def test_a_call_said_to_be_idempotent_is_retried_like_a_read() -> None:
    # `authorize` is a POST, but minting a second consent URL is harmless.
    assert should_retry_status("POST", 503, idempotent=True)
    assert should_retry_transport("POST", request_sent=True, idempotent=True)
    assert not should_retry_status("POST", 503)
    assert not should_retry_transport("POST", request_sent=True)
    assert not should_retry_status("GET", 503, idempotent=False)
