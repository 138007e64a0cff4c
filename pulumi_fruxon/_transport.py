"""`Transport`: one request to Fruxon, within one deadline, retried where a retry is safe.

It owns the keep-alive connection pool (an `httpx.Client`), whose `Authorization` header is the
only place the token lives, and the TLS settings (`ssl_context`). Each attempt streams its body
so that the deadline is checked between chunks. An error answer becomes its exception
(`_responses.status_error`); a 429 is retried for as long as the deadline allows, a 5xx or a
transport failure as `_retry` says, up to `max_retries`. The token and the request's secrets are
redacted from every error and log line.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from pulumi_fruxon import _constants
from pulumi_fruxon._redaction import WITHHELD_REASON, Redactor
from pulumi_fruxon._responses import status_error
from pulumi_fruxon._retry import backoff_delay, should_retry_status, should_retry_transport
from pulumi_fruxon.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    InvalidResponseError,
    RateLimitError,
)
from pulumi_fruxon.settings import FruxonSettings

log = logging.getLogger("pulumi_fruxon")

Params = Sequence[tuple[str, str]]

# Errors of a request that could not even be formed: nothing was sent, and it would fail again.
_UNSENDABLE = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)

# Set when the engine cancels the operation (the provider plugin's Cancel, on Ctrl-C): from then
# on no request of this process leaves, first attempt or retry. The process ends with the
# operation, so nothing clears it.
CANCELLED = threading.Event()


class Transport:
    """Sends requests for a `FruxonClient`: `settings` give the token, base URL, TLS and
    deadline (`timeout`, already checked by `FruxonSettings`); `transport` is an httpx
    transport, for tests; `sleep` and `clock` are what the retries and the deadline use.

    Raises `ConfigurationError` for an unreadable CA bundle.
    """

    def __init__(
        self,
        settings: FruxonSettings,
        *,
        max_retries: int,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self._token = settings.require_token()
        self.base_url = settings.base_url
        self.timeout = settings.timeout
        self._max_retries = max_retries
        self._sleep = sleep
        self._clock = clock
        verify: ssl.SSLContext | bool = True
        if settings.ca_bundle:
            verify = ssl_context(settings.ca_bundle, settings.source("ca_bundle"))
        elif settings.insecure:
            verify = False
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                "User-Agent": _constants.USER_AGENT,
            },
            verify=verify,
            transport=transport,
            limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=30.0),
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Mapping[str, Any] | None = None,
        secrets: Sequence[str] = (),
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send a request, retrying where safe; return the response with its body read.

        One deadline (`timeout`) covers every attempt, every wait between them and every byte of
        every body. A 429 (`RateLimitError`) was never processed, so it is retried for as long
        as that deadline allows, after the server's `Retry-After`; a 5xx or a transport failure
        is retried up to `max_retries` times, where `_retry` says a retry is safe. `secrets`
        (and the token) are redacted from every error and log.
        """
        redactor = Redactor((self._token, *secrets))
        deadline = self._clock() + self.timeout
        retries = rate_limited = 0
        while True:
            error: APIError
            if CANCELLED.is_set():
                raise APIConnectionError(
                    f"Not sending {method} {path}: the operation was cancelled",
                    request_sent=False,
                    method=method,
                    path=path,
                )
            try:
                response = self._send(method, path, params, json_body, deadline)
            except httpx.TimeoutException as exc:
                sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                error = APITimeoutError(
                    f"Timed out on {method} {path} at {self.base_url} ({type(exc).__name__}; "
                    f"{self._deadline_hint()})",
                    request_sent=sent,
                    method=method,
                    path=path,
                )
                retry = should_retry_transport(method, request_sent=sent, idempotent=idempotent)
            except httpx.TransportError as exc:
                unsendable = isinstance(exc, _UNSENDABLE)
                sent = not unsendable and not isinstance(exc, httpx.ConnectError)
                said = WITHHELD_REASON if redactor.withholds else redactor.text(str(exc))
                error = APIConnectionError(
                    f"Could not complete {method} {path} at {self.base_url}: "
                    f"{type(exc).__name__}: {said}",
                    request_sent=sent,
                    method=method,
                    path=path,
                )
                retry = not unsendable and should_retry_transport(
                    method, request_sent=sent, idempotent=idempotent
                )
            else:
                log.debug("%s %s -> %s", method, path, response.status_code)
                if response.is_success:
                    return response
                error = status_error(response, method, path, redactor)
                retry = should_retry_status(method, response.status_code, idempotent=idempotent)
            if isinstance(error, RateLimitError):
                delay = backoff_delay(rate_limited, error.retry_after)
                rate_limited += 1
            elif retry and retries < self._max_retries:
                delay = backoff_delay(retries)
                retries += 1
            else:
                raise error from None
            summary = str(error).splitlines()[0]
            if self._clock() + delay >= deadline:
                hint = self._deadline_hint()
                log.warning("%s; not retrying%s", summary, "" if hint in summary else f": {hint}")
                raise error from None
            log.warning("%s; retrying in %.2fs (retry %d)", summary, delay, retries + rate_limited)
            self._sleep(delay)

    def _deadline_hint(self) -> str:
        return (
            f"each request has {self.timeout:g} s in all, retries included; "
            f"set fruxon:timeout or {_constants.ENV_TIMEOUT} for more"
        )

    def _send(
        self,
        method: str,
        path: str,
        params: Params | None,
        json_body: Mapping[str, Any] | None,
        deadline: float,
    ) -> httpx.Response:
        """One attempt: the response with its whole body, or an httpx error.

        Each socket timeout is capped by what is left of the deadline, and the body is streamed
        so that the deadline is checked between chunks: a server that trickles bytes restarts
        the read timeout with every byte, but not the deadline.
        """
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise APITimeoutError(
                f"No time left for {method} {path} ({self._deadline_hint()})",
                request_sent=False,
                method=method,
                path=path,
            )
        timeout = httpx.Timeout(
            connect=min(_constants.CONNECT_TIMEOUT, remaining),
            read=min(_constants.READ_TIMEOUT, remaining),
            write=min(_constants.WRITE_TIMEOUT, remaining),
            pool=min(_constants.POOL_TIMEOUT, remaining),
        )
        request = self._http.build_request(
            method, path, params=tuple(params or ()), json=json_body, timeout=timeout
        )
        streamed = self._http.send(request, stream=True)
        try:
            body = self._read_body(streamed, deadline)
        finally:
            streamed.close()
        # The body is decoded already; a Content-Encoding header would have it decoded twice.
        headers = [
            (name, value)
            for name, value in streamed.headers.multi_items()
            if name.lower() != "content-encoding"
        ]
        return httpx.Response(
            streamed.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions=streamed.extensions,
        )

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        method, path = response.request.method, response.request.url.path
        limit = _constants.MAX_RESPONSE_BYTES
        too_large = InvalidResponseError(
            f"Fruxon's answer to {method} {path} (HTTP {response.status_code}) is larger than "
            f"the {limit} bytes one response may hold",
            method=method,
            path=path,
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
            if self._clock() >= deadline:
                raise APITimeoutError(
                    f"Fruxon answered {method} {path} too slowly: the deadline passed after "
                    f"{size} bytes of the body ({self._deadline_hint()})",
                    request_sent=True,
                    method=method,
                    path=path,
                )
        return b"".join(chunks)


def ssl_context(ca_bundle: str, source: str) -> ssl.SSLContext:
    """A TLS context trusting `ca_bundle`, or a ConfigurationError naming where it was set."""
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except ssl.SSLError as exc:
        reason = f"holds no usable PEM certificate ({exc.reason or exc})"
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror or exc})"
    raise ConfigurationError(f"The CA bundle {source}={ca_bundle!r} {reason}.")
