"""The retry decision and the backoff delay, kept small so they can be tested on their own.

These decide the retries that `max_retries` counts: a 5xx, and a transport failure. A 429 is not
one of them: the server refused it before doing anything, so `Transport.request` retries every
`RateLimitError` (the class `error_class_for` gives a 429) for as long as the deadline allows.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from pulumi_fruxon import _constants

_RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RNG = random.Random()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date.

    Returns None for a missing or unparseable header; never a negative number.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def is_idempotent(method: str, idempotent: bool | None = None) -> bool:
    """Whether repeating the call is harmless: as said, else by its HTTP method."""
    return idempotent if idempotent is not None else method.upper() in _IDEMPOTENT_METHODS


def should_retry_status(method: str, status: int, *, idempotent: bool | None = None) -> bool:
    """Whether an error status is worth one of the `max_retries`: a 5xx, for an idempotent call
    only (a 429 is retried apart, see above)."""
    return is_idempotent(method, idempotent) and status in _RETRYABLE_STATUSES


def should_retry_transport(
    method: str, *, request_sent: bool, idempotent: bool | None = None
) -> bool:
    """A failure before anything was sent is always safe to retry; after, only if idempotent."""
    return not request_sent or is_idempotent(method, idempotent)


def backoff_delay(
    attempt: int, retry_after: float | None = None, *, rng: random.Random | None = None
) -> float:
    """The wait before retry number `attempt` (0-based).

    The server's `Retry-After` wins, capped at MAX_RETRY_AFTER. Otherwise exponential from
    INITIAL_BACKOFF, capped at MAX_BACKOFF, with up to 25% jitter taken off so that many clients
    do not retry in lockstep.
    """
    if retry_after is not None:
        return min(retry_after, _constants.MAX_RETRY_AFTER)
    base = min(_constants.INITIAL_BACKOFF * (2.0**attempt), _constants.MAX_BACKOFF)
    jitter = (rng or _RNG).random() * 0.25
    return base * (1.0 - jitter)
