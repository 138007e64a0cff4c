"""One exception class per failure kind.

Every API error carries the problem-details fields (`status`, `title`, `detail`, `code`,
`errors`) so callers can branch on them and users can read them. No message ever contains the
token or a credential key: the client redacts them before an exception is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FruxonError(Exception):
    """Base class of every error raised by pulumi_fruxon."""


class ConfigurationError(FruxonError):
    """A required setting (token, workspace) is missing or malformed."""


class InvalidResponseError(FruxonError):
    """The server answered 2xx with a body that is not the JSON we expect."""


class APIConnectionError(FruxonError):
    """The request did not complete: refused, dropped, or timed out.

    `request_sent` tells whether any byte of the request may have reached the server. Only when
    it is False is a non-idempotent request provably unprocessed.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIError(FruxonError):
    """The server answered with an error status and (usually) a problem-details body."""

    def __init__(
        self,
        *,
        status: int,
        title: str,
        detail: str | None = None,
        code: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        method: str = "",
        path: str = "",
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.errors = dict(errors or {})
        self.method = method
        self.path = path
        self.body = dict(body or {})
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.title} (HTTP {self.status}"
        head += f", code {self.code})" if self.code else ")"
        if self.method:
            head += f" on {self.method} {self.path}"
        parts = [head]
        if self.detail:
            parts.append(self.detail)
        for field, messages in self.errors.items():
            parts.append(f"{field}: {'; '.join(messages)}")
        return ": ".join(parts[:2]) + "".join(f"\n  {p}" for p in parts[2:])


class BadRequestError(APIError):
    """400 or 422: the request was invalid (validation problems are in `errors`)."""


class AuthenticationError(APIError):
    """401: the token is missing, unknown, expired, or from another cell."""


class PermissionDeniedError(APIError):
    """403: the token is valid but may not do this (often: another workspace)."""


class InsufficientScopeError(PermissionDeniedError):
    """403 `insufficient_scope`: the token lacks `required`; it has `granted`."""

    def __init__(self, *, required: str, granted: list[str], **kwargs: Any) -> None:
        self.required = required
        self.granted = list(granted)
        super().__init__(**kwargs)

    def _message(self) -> str:
        granted = ", ".join(self.granted) or "none"
        return (
            f"{super()._message()}\n  the token needs scope {self.required!r}; it has: {granted}."
            " Create a token with that scope and set it as fruxon:token or FRUXON_TOKEN."
        )


class NotFoundError(APIError):
    """404: the integration, config or workspace does not exist."""


class ConflictError(APIError):
    """409: the request conflicts with the resource's current state."""


class RateLimitError(APIError):
    """429: too many requests. `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(APIError):
    """5xx: the server failed. For a write, the outcome is unknown."""


# -- IntegrationAuth's own failures: what went wrong, in the terms of the resource --------------


class CredentialKeyRejectedError(FruxonError):
    """Fruxon refused the credential key: spent, expired, unknown, or for another integration."""


class IntegrationConfigNotFoundError(FruxonError):
    """The integration config (or the integration) does not exist in the workspace."""


class ConsumeOutcomeUnknownError(FruxonError):
    """The consume call failed in a way that leaves open whether the key was spent."""


class ConfigNotLinkableError(FruxonError):
    """Fruxon refused a credential link for the config (409 `not_linkable`): an OAuth method, a
    per-user method, or credentials picked by request parameters."""


def error_class_for(status: int) -> type[APIError]:
    """The exception class for an HTTP error status."""
    if status in (400, 422):
        return BadRequestError
    if status >= 500:
        return ServerError
    return {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
    }.get(status, APIError)
