"""Every exception pulumi_fruxon raises, in one tree.

```
FruxonError                      everything this package raises
├── ConfigurationError           a setting is missing or malformed; nothing was sent
├── ResourceIdError              a resource id (a `.get`, an import) is not of the expected form
├── InvalidArgumentError         a client or data-source argument Fruxon cannot take (a ValueError)
├── APIError                     every failure of an API call: `except APIError` catches them all
│   ├── APIStatusError           Fruxon answered with an error status (problem-details fields)
│   │   ├── BadRequestError      400, 422
│   │   ├── AuthenticationError  401
│   │   ├── PermissionDeniedError  403
│   │   │   └── InsufficientScopeError  403 `insufficient_scope`
│   │   ├── NotFoundError        404
│   │   ├── ConflictError        409
│   │   ├── RateLimitError       429
│   │   └── ServerError          5xx
│   ├── APIConnectionError       no complete answer: refused, dropped, too slow
│   │   └── APITimeoutError      the call's deadline or a socket timeout passed
│   └── InvalidResponseError     an answer we cannot use: not JSON, wrong shape, too large
│       └── PaginationError      a list's pages do not add up to the whole list
├── CredentialKeyRejectedError   IntegrationAuth: Fruxon refused the credential key
├── IntegrationConfigNotFoundError  the config a resource names (or manages) does not exist
├── BoundAuthConflictError       IntegrationConfig: a new auth_method would erase bound credentials
├── ConfigCreateOutcomeUnknownError  IntegrationConfig: whether the create happened is unknown
├── ConsumeNotSentError          IntegrationAuth: the consume never left; the key is unspent
├── ConsumeOutcomeUnknownError   IntegrationAuth: whether the key was spent is unknown
└── ConfigNotLinkableError       CredentialLink: Fruxon will not mint a link for the config
```

Every API error names the method and path it concerns. No message, repr or attribute ever holds
the token or a credential key: the client redacts them before an exception is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.errors import RunError


class FruxonError(RunError):
    """Base class of every error raised by pulumi_fruxon.

    It is a `pulumi.RunError`, so an error raised in a program (a data source, a refused
    registration) prints as its message, not as a traceback of the SDK's frames.

    `partial` is set on an error from a resource's create or update that did part of its work:
    the resource id and the outputs the stack's state must keep so that the next `pulumi up`
    can finish it. The provider plugin hands them to the engine as a partial create
    (`ErrorResourceInitFailed`); the dynamic provider host has no way to, and relies on the
    local journal instead (docs/decisions.md#spent-key-recovery).
    """

    partial: tuple[str, dict[str, Any]] | None = None


class ConfigurationError(FruxonError):
    """A setting (token, workspace, base URL, CA bundle, timeout) is missing or malformed."""


class ResourceIdError(FruxonError):
    """A resource id (given to `.get`) does not have the form the resource's ids have."""


class InvalidArgumentError(FruxonError, ValueError):
    """An argument of a client call or a data source that Fruxon cannot take (an empty id, a
    `has_*=False` filter, an absolute `return_url`). Nothing was sent. It is a `ValueError` too,
    as these were before it existed."""


class APIError(FruxonError):
    """Base class of every failure of an API call; `method` and `path` say which call."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


class APIConnectionError(APIError):
    """The request did not complete: refused, dropped, or timed out.

    `request_sent` tells whether any byte of the request may have reached the server. Only when
    it is False is a non-idempotent request provably unprocessed.
    """

    def __init__(
        self, message: str, *, request_sent: bool, method: str = "", path: str = ""
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out: a socket timeout, or the call's overall deadline passed."""


class InvalidResponseError(APIError):
    """Fruxon answered with something we cannot use: not JSON, an unexpected shape, too large."""


class PaginationError(InvalidResponseError):
    """A list's pages do not add up: a repeated page token, a page of items already listed, a
    `totalCount` the walk cannot reach, or more pages than any real list has.

    Raised instead of returning part of a list as if it were all of it. `pages` and `items`
    count what the walk saw; `total_count` is the server's last claim, if it made one.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "GET",
        path: str = "",
        pages: int = 0,
        items: int = 0,
        total_count: int | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.pages = pages
        self.items = items
        self.total_count = total_count


class APIStatusError(APIError):
    """Fruxon answered with an error status and (usually) a problem-details body."""

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
        self._stepped = False  # whether `with_next_step` added the next step to the message
        super().__init__(self._message(), method=method, path=path)

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

    def next_step(self) -> str | None:
        """What a user can do about this answer, from its status, code and fields."""
        fields = " ".join(self.errors).lower()
        integration = _integration_of(self.path)
        listed = (
            f"`fruxon.get_integration('{integration}')`" if integration else "`get_integration`"
        )
        if self.status == 401:
            return (
                "Check the token: set the secret stack config `fruxon:token` (or FRUXON_TOKEN) to "
                "a valid Fruxon token (`fx_pat_...` or `fx_sat_...`)."
            )
        if self.status == 403 and self.code != "insufficient_scope":
            return (
                "The token may not do this in this workspace. Check `fruxon:workspace` (or "
                "FRUXON_WORKSPACE, or the resource's `workspace`), and that the token belongs to "
                "that workspace and has the role this needs."
            )
        if self.status == 404 and self.code == "integration_not_found":
            return (
                "Check `integration`: `fruxon.get_integrations()` lists the integrations of the "
                "workspace, and their ids."
            )
        if self.status == 404 and self.code == "config_not_found":
            return (
                "Check the config id and `workspace`: "
                f"`fruxon.get_integration_configs('{integration or '<integration>'}')` lists the "
                "configs."
            )
        if self.status in (400, 422) and (
            self.code in ("unknown_auth_method", "not_oauth2") or "auth" in fields
        ):
            return (
                f"Check `auth_method`: {listed} lists the integration's auth methods "
                "(`.auth_methods`)."
            )
        if self.status in (400, 422) and (self.code == "invalid_scopes" or "scope" in fields):
            return (
                f"Check `scopes`: {listed} lists each auth method's available scopes "
                "(`.auth_methods`)."
            )
        return None


def with_next_step(error: FruxonError) -> FruxonError:
    """`error`, its message ending with what to do next, where it reaches a user as it is (a
    provider call, a data source). A resource that wraps an API error in its own message says
    what to do itself, so the step is not part of the API error's own message."""
    if isinstance(error, APIStatusError) and not error._stepped:
        step = error.next_step()
        if step:
            error.message = f"{error.message} {step}"
            error.args = (error.message, *error.args[1:])
        error._stepped = True
    return error


def _integration_of(path: str) -> str | None:
    """The integration id in an API path (`…/integrations/<id>/…`), if any."""
    parts = path.split("?", 1)[0].split("/")
    if "integrations" not in parts:
        return None
    following = parts[parts.index("integrations") + 1 :]
    if not following or not following[0]:
        return None
    return following[0].split(":", 1)[0]


class BadRequestError(APIStatusError):
    """400 or 422: the request was invalid (validation problems are in `errors`)."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, unknown, expired, or from another cell."""


class PermissionDeniedError(APIStatusError):
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


class NotFoundError(APIStatusError):
    """404: the integration, config or workspace does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class RateLimitError(APIStatusError):
    """429: too many requests. `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(APIStatusError):
    """5xx: the server failed. For a write, the outcome is unknown."""


# -- IntegrationAuth's own failures: what went wrong, in the terms of the resource --------------


class CredentialKeyRejectedError(FruxonError):
    """Fruxon refused the credential key: spent, expired, unknown, or for another integration."""


class IntegrationConfigNotFoundError(FruxonError):
    """The integration config (or the integration) does not exist in the workspace.

    Raised by every resource that names or manages a config: `IntegrationConfig`,
    `IntegrationAuth` and `CredentialLink`.
    """


class BoundAuthConflictError(FruxonError):
    """An `IntegrationConfig` update would replace auth that something else bound (an
    `IntegrationAuth`, a credential link, someone outside the stack) with another method, which
    erases its credentials. Nothing was sent."""


class ConfigCreateOutcomeUnknownError(FruxonError):
    """A config create failed in a way that leaves open whether the config exists, and reading
    the integration's configs could not settle it. The message names what may exist."""


class ConsumeNotSentError(FruxonError):
    """The consume call failed before any byte reached Fruxon: the key was not spent."""


class ConsumeOutcomeUnknownError(FruxonError):
    """The consume call failed in a way that leaves open whether the key was spent.

    `modified_at_before` is the config's `modifiedAt` read before the key was first sent: a
    binding made after it is that consume's.
    """

    def __init__(self, message: str, *, modified_at_before: int | None) -> None:
        super().__init__(message)
        self.modified_at_before = modified_at_before


class ConfigNotLinkableError(FruxonError):
    """Fruxon refused a credential link for the config (409 `not_linkable`): an OAuth method, a
    per-user method, or credentials picked by request parameters."""


def error_class_for(status: int) -> type[APIStatusError]:
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
    }.get(status, APIStatusError)
