"""`FruxonClient`: a small typed client over `httpx.Client` for the integrations API.

It keeps one keep-alive connection pool, sends the official SDK's query spellings, walks every
page behind an iterator, maps each failure to its own exception class (see `errors`), and
retries only where a retry is safe (see `_retry`), within one deadline per request. The token
lives only in the `Authorization` header of the pool, and is redacted from every error.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import AliasChoices, BaseModel, Field, TypeAdapter, ValidationError

from pulumi_fruxon import _constants
from pulumi_fruxon._pagination import WalkGuard
from pulumi_fruxon._redaction import WITHHELD_REASON, Redactor
from pulumi_fruxon._retry import (
    backoff_delay,
    parse_retry_after,
    should_retry_status,
    should_retry_transport,
)
from pulumi_fruxon._urls import return_url_problem
from pulumi_fruxon.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    InsufficientScopeError,
    InvalidResponseError,
    RateLimitError,
    error_class_for,
)
from pulumi_fruxon.models import (
    AuthorizeResponse,
    CredentialLinkResponse,
    Integration,
    IntegrationConfig,
    Listed,
    Page,
    Revision,
    Tool,
)
from pulumi_fruxon.settings import FruxonSettings

__all__ = ["FruxonClient"]

log = logging.getLogger("pulumi_fruxon")

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT", bound=Listed)
Params = list[tuple[str, str]]

# Errors of a request that could not even be formed: nothing was sent, and it would fail again.
_UNSENDABLE = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)


def _segment(value: str) -> str:
    return quote(value, safe="")


class _Shapes(Generic[ItemT]):
    """The shapes a list answer may take, each validated straight from the body's bytes: an
    object (`page`, which names where its items may be) or a bare array of items."""

    def __init__(self, page: type[Page[ItemT]], item: type[ItemT]) -> None:
        self.page = page
        self.array: TypeAdapter[list[ItemT]] = TypeAdapter(list[item])  # type: ignore[valid-type]

    def validate_json(self, content: bytes) -> Page[ItemT]:
        # JSON's first character other than whitespace gives the type of the whole document.
        if content.lstrip(b" \t\r\n")[:1] == b"[":
            return self.page(items=self.array.validate_json(content))
        return self.page.model_validate_json(content)


# Built on first use: their schemas would add about 10 ms to importing the client.
@functools.cache
def _config_shapes() -> _Shapes[IntegrationConfig]:
    class ConfigPage(Page[IntegrationConfig]):
        """A config list as an object: its items under `items`, else under `configs`."""

        items: list[IntegrationConfig] = Field(
            default=[], validation_alias=AliasChoices("items", "configs")
        )

    return _Shapes(ConfigPage, IntegrationConfig)


@functools.cache
def _revision_shapes() -> _Shapes[Revision]:
    class RevisionPage(Page[Revision]):
        """A revision list as an object: its items under `items`, else under `revisions`."""

        items: list[Revision] = Field(
            default=[], validation_alias=AliasChoices("items", "revisions")
        )

    return _Shapes(RevisionPage, Revision)


def _auth_body(auth_method: str) -> dict[str, Any]:
    """An application-level `auth` naming a method and no credentials, as the official CLI
    sends it when it creates a config for a credential link."""
    return {"integrationAuthMetadataId": auth_method, "level": "APPLICATION", "parameters": {}}


def _values(value: str | Iterable[str] | None) -> list[str]:
    """A filter's values: one string is one value (not its characters), None is none."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _only_true(name: str, flag: bool | None) -> bool:
    """Whether to send the `has_*` filter. False is refused: Fruxon's filter can only keep the
    integrations that have the thing, so False could only be ignored, which would mislead."""
    if flag is False:
        raise ValueError(
            f"{name}=False is not supported: Fruxon can filter for integrations that have them "
            f"({name}=True), not for those that lack them. Leave {name} unset to list both."
        )
    return flag is True


class FruxonClient:
    """A typed client for Fruxon's integrations API.

    Use it as a context manager, or call `close()`. Every list method sends its first request
    when it is called, so a failure surfaces at the call site, and returns an iterator that
    fetches the further pages as it is consumed. A list whose pages do not add up raises
    `PaginationError` rather than end early; `best_effort=True` logs a warning and stops instead.

    Parameters:
        token, workspace, base_url: override the resolved settings; anything missing is read
            from `FRUXON_TOKEN`, `FRUXON_WORKSPACE` and `FRUXON_BASE_URL`.
        settings: settings resolved elsewhere (`FruxonSettings.resolve`); replaces the three
            above.
        timeout: the deadline of one request with all its retries, in seconds (one list page
            is one request). Defaults to the settings' `timeout` (`fruxon:timeout`,
            `FRUXON_TIMEOUT`, else `_constants.DEFAULT_TIMEOUT`).
        max_retries: how many times a request is retried after a 5xx or a transport failure,
            where a retry is safe. A 429 is retried for as long as the deadline allows.
        transport: an httpx transport, for tests.
        sleep, clock: the waiting function and the monotonic clock the retries and the deadline
            use, for tests.

    Raises `ConfigurationError` for a missing token or workspace or an unreadable CA bundle.
    """

    def __init__(
        self,
        token: str | None = None,
        workspace: str | None = None,
        base_url: str | None = None,
        *,
        settings: FruxonSettings | None = None,
        timeout: float | None = None,
        max_retries: int = _constants.MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings is None:
            settings = FruxonSettings.resolve(token=token, workspace=workspace, base_url=base_url)
        self._token = settings.require_token()
        self._workspace = settings.require_workspace()
        self._base_url = settings.base_url
        self._timeout = settings.timeout if timeout is None else timeout
        if not self._timeout > 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout}")
        self._max_retries = max_retries
        self._sleep = sleep
        self._clock = clock
        verify: ssl.SSLContext | bool = True
        if settings.ca_bundle:
            verify = _ssl_context(settings.ca_bundle, settings.source("ca_bundle"))
        elif settings.insecure:
            verify = False
        self._http = httpx.Client(
            base_url=self._base_url,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Accept": "application/json",
                "User-Agent": _constants.USER_AGENT,
            },
            verify=verify,
            transport=transport,
            limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=30.0),
        )

    def __repr__(self) -> str:
        return f"FruxonClient(base_url={self._base_url!r}, workspace={self._workspace!r})"

    def __getstate__(self) -> None:
        raise TypeError("FruxonClient holds a token and a connection pool; it cannot be pickled")

    @property
    def workspace(self) -> str:
        return self._workspace

    @property
    def base_url(self) -> str:
        return self._base_url

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> FruxonClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- integrations ------------------------------------------------------------------------

    def list_integrations(
        self,
        query: str | None = None,
        types: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        has_configs: bool | None = None,
        has_triggers: bool | None = None,
        has_channels: bool | None = None,
        *,
        page_size: int = _constants.MAX_PAGE_SIZE,
        best_effort: bool = False,
    ) -> Iterator[Integration]:
        """Every integration that matches, in server order, across all pages.

        `types` and `tags` keep integrations that match any of the values; a single string is
        one value. `has_configs`, `has_triggers` and `has_channels` keep only the integrations
        that have configs, triggers or channels when True; False raises `ValueError`, since
        Fruxon cannot filter for their absence. `best_effort=True` ends a walk whose pages do not
        add up with a warning instead of `PaginationError`; the result may then be partial.
        """
        params: Params = []
        if query:
            params.append(("query", query))
        params += [("types", t) for t in _values(types)]
        params += [("tags", t) for t in _values(tags)]
        for name, flag in (
            ("has_configs", has_configs),
            ("has_triggers", has_triggers),
            ("has_channels", has_channels),
        ):
            if _only_true(name, flag):
                params.append((name, "true"))
        return self._walk(
            f"{self._tenant}/integrations", params, Integration, page_size, best_effort
        )

    def get_integration(self, integration: str) -> Integration:
        response = self._request("GET", self._integration_path(integration))
        return self._parse(response, Integration)

    def list_integration_tools(
        self,
        integration: str,
        search: str | None = None,
        types: str | Iterable[str] | None = None,
        *,
        page_size: int = _constants.MAX_PAGE_SIZE,
        best_effort: bool = False,
    ) -> Iterator[Tool]:
        """Every tool of an integration, in server order, across all pages.

        `types` keeps tools of any of the values; a single string is one value. `best_effort`
        is as for `list_integrations`.
        """
        params: Params = [("search", search)] if search else []
        params += [("types", t) for t in _values(types)]
        path = f"{self._integration_path(integration)}/tools"
        return self._walk(path, params, Tool, page_size, best_effort)

    # -- configs -----------------------------------------------------------------------------

    def list_integration_configs(
        self, integration: str, *, best_effort: bool = False
    ) -> Iterator[IntegrationConfig]:
        """Every config of an integration, in server order, across all pages.

        `best_effort` is as for `list_integrations`.
        """
        path = f"{self._integration_path(integration)}/configs"
        # The list is documented without paging: send no page size, follow a token if one comes.
        # The official SDK accepts a bare array, {items} or {configs}; so does this client.
        return self._walk(path, [], IntegrationConfig, None, best_effort, _config_shapes())

    def get_integration_config(self, integration: str, config_id: str) -> IntegrationConfig:
        response = self._request("GET", self._config_path(integration, config_id))
        return self._parse(response, IntegrationConfig)

    def create_integration_config(
        self,
        integration: str,
        display_name: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        secret_parameters: Mapping[str, str] | None = None,
        auth_method: str | None = None,
        oauth_credential_key: str | None = None,
    ) -> IntegrationConfig:
        """Create a config. It is a draft: no tool call resolves it until it is published.

        `secret_parameters` travel in the same `parameters` map; their values are redacted from
        any error. `auth_method` picks the config's `integrationAuthMetadataId` (application level,
        no credentials), as the official CLI does before a credential link fills it. With
        `oauth_credential_key`, the key is consumed into the new config.
        """
        body: dict[str, Any] = {"displayName": display_name}
        merged = {**(parameters or {}), **(secret_parameters or {})}
        if merged:
            body["parameters"] = merged
        if auth_method:
            body["auth"] = _auth_body(auth_method)
        if oauth_credential_key:
            body["oAuthCredentialKey"] = oauth_credential_key
        response = self._request(
            "POST",
            f"{self._integration_path(integration)}/configs",
            json_body=body,
            secrets=(oauth_credential_key or "", *(secret_parameters or {}).values()),
        )
        return self._parse(response, IntegrationConfig)

    def update_integration_config(
        self,
        integration: str,
        config_id: str,
        *,
        display_name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        secret_parameters: Mapping[str, str] | None = None,
        auth_method: str | None = None,
    ) -> IntegrationConfig:
        """PATCH the config's draft with only the fields given.

        Fruxon keeps every field left out, so leaving `auth_method` out never touches the auth
        that a consume or a credential link bound. `parameters` and `secret_parameters` go out
        together as one `parameters` map, which replaces the stored map whole; pass both, or
        neither. Tool calls keep using the published revision until `publish_integration_config`.
        """
        body: dict[str, Any] = {}
        if display_name is not None:
            body["displayName"] = display_name
        if parameters is not None or secret_parameters is not None:
            body["parameters"] = {**(parameters or {}), **(secret_parameters or {})}
        if auth_method is not None:
            body["auth"] = _auth_body(auth_method)
        response = self._request(
            "PATCH",
            self._config_path(integration, config_id),
            json_body=body,
            secrets=tuple((secret_parameters or {}).values()),
        )
        return self._parse(response, IntegrationConfig)

    def publish_integration_config(
        self, integration: str, config_id: str, *, note: str | None = None
    ) -> Revision:
        """Snapshot the draft as a new revision that tool calls resolve from their next call.

        Fruxon echoes the whole snapshot, credentials unmasked; only the revision's identity and
        non-secret fields are parsed (`Revision`). Not retried after the request may have been
        sent: a second publish would make a second revision.
        """
        body: dict[str, Any] = {"note": note} if note else {}
        response = self._request(
            "POST", f"{self._config_path(integration, config_id)}:publish", json_body=body
        )
        return self._parse(response, Revision)

    def list_config_revisions(
        self, integration: str, config_id: str, *, best_effort: bool = False
    ) -> Iterator[Revision]:
        """Every published revision of a config, in server order (identity fields only).

        `best_effort` is as for `list_integrations`.
        """
        path = f"{self._config_path(integration, config_id)}/revisions"
        # Undocumented envelope: accept the same shapes as for configs.
        return self._walk(path, [], Revision, None, best_effort, _revision_shapes())

    def get_config_revision(self, integration: str, config_id: str, revision_id: str) -> Revision:
        """One revision of a config."""
        path = f"{self._config_path(integration, config_id)}/revisions/{_segment(revision_id)}"
        return self._parse(self._request("GET", path), Revision)

    def rollback_integration_config(
        self, integration: str, config_id: str, revision_id: str
    ) -> Revision:
        """Point the config at an earlier revision; Fruxon makes no new version."""
        response = self._request(
            "POST",
            f"{self._config_path(integration, config_id)}:rollback",
            json_body={"revisionId": revision_id},
        )
        return self._parse(response, Revision)

    def delete_integration_config(self, integration: str, config_id: str) -> None:
        self._request("DELETE", self._config_path(integration, config_id))

    def create_credential_link(
        self,
        integration: str,
        config_id: str,
        *,
        require_sign_in: bool = True,
        intended_for_email: str | None = None,
        note: str | None = None,
        ttl_hours: int | None = None,
    ) -> CredentialLinkResponse:
        """Mint a link where a human types the config's own credentials (an API key, a bearer
        token, a username and password); Fruxon publishes them as the config's next revision.

        The `url` is in this response only and is a secret: it is left out of the model's repr.
        `require_sign_in=False` opens the link to whoever holds it and needs the
        `workspace:write` scope too. `ttl_hours` is 1 to 720 (Fruxon's default: 168). A new link
        for the config replaces the open one. Fruxon answers 409 `not_linkable` (ConflictError)
        for an OAuth method, a per-user method, and a config that picks its credentials by
        request parameters. Not retried once sent: a second mint would replace the first.
        """
        body: dict[str, Any] = {"requireSignIn": require_sign_in}
        if intended_for_email:
            body["intendedForEmail"] = intended_for_email
        if note:
            body["note"] = note
        if ttl_hours is not None:
            body["ttlHours"] = ttl_hours
        response = self._request(
            "POST",
            f"{self._config_path(integration, config_id)}/credentialRequests",
            json_body=body,
        )
        return self._parse(response, CredentialLinkResponse)

    # -- OAuth -------------------------------------------------------------------------------

    def authorize(
        self,
        integration: str,
        auth_method: str = "oauth2",
        *,
        scopes: Sequence[str] | None = None,
        config_parameters: Mapping[str, str] | None = None,
        return_url: str | None = None,
    ) -> str:
        """Mint an OAuth consent URL for application-level auth. Returns the URL.

        `return_url`, where the success page links back to, must be a path on Fruxon's own
        origin (see `_urls`); anything else raises `ValueError` before a request is sent.
        Retried like a read: minting a second URL is harmless, the first is simply never used.
        """
        problem = None if return_url is None else return_url_problem(return_url)
        if problem:
            raise ValueError(f"return_url {problem}, got {return_url!r}")
        body: dict[str, Any] = {"integrationAuthMetadataId": auth_method}
        if scopes:
            body["scopes"] = list(scopes)
        if config_parameters:
            body["configParameters"] = dict(config_parameters)
        if return_url is not None:
            body["returnUrl"] = return_url
        response = self._request(
            "POST",
            f"{self._integration_path(integration)}:authorize",
            json_body=body,
            idempotent=True,
        )
        return self._parse(response, AuthorizeResponse).authorization_url

    def consume_oauth_credentials(
        self, integration: str, integration_config_id: str, credential_key: str
    ) -> None:
        """Bind the credentials behind a single-use key to a config. Never retried blindly.

        Only a 429 or a connection refused before sending is retried. After a timeout, a dropped
        connection or a 5xx the outcome is unknown and the error says so; the caller decides.
        """
        self._request(
            "POST",
            f"{self._integration_path(integration)}:consumeOAuthCredentials",
            json_body={
                "credentialKey": credential_key,
                "integrationConfigId": integration_config_id,
            },
            secrets=(credential_key,),
        )

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def _tenant(self) -> str:
        return f"/v1/tenants/{_segment(self._workspace)}"

    def _integration_path(self, integration: str) -> str:
        return f"{self._tenant}/integrations/{_segment(integration)}"

    def _config_path(self, integration: str, config_id: str) -> str:
        return f"{self._integration_path(integration)}/configs/{_segment(config_id)}"

    def _walk(
        self,
        path: str,
        params: Params,
        model: type[ItemT],
        page_size: int | None,
        best_effort: bool,
        shapes: _Shapes[ItemT] | None = None,
    ) -> Iterator[ItemT]:
        """Every item of a `ListPage` endpoint, each once; the first page is fetched now.

        Each page is validated straight from the body's bytes, in one call: as a `Page`, or in
        one of `shapes` for the lists that come in more than one. `WalkGuard` (see
        `_pagination`) decides whether the pages add up. When they do not, the iterator raises
        `PaginationError` after the items it could vouch for, or, with `best_effort`, logs a
        warning and ends there.
        """
        page_model: type[Page[ItemT]] = Page[model]  # type: ignore[valid-type]

        def read(response: httpx.Response) -> Page[ItemT]:
            if shapes is None:
                return self._parse(response, page_model)
            try:
                return shapes.validate_json(response.content)
            except ValidationError as exc:
                # As these two lists always have, a body that does not parse is "not JSON".
                raise self._invalid(response, exc, malformed="a body that is not JSON") from None

        def fetch(token: str | None) -> Page[ItemT]:
            query = list(params)
            if page_size is not None:
                query.append(("pageSize", str(max(1, min(page_size, _constants.MAX_PAGE_SIZE)))))
            if token:
                query.append(("pageToken", token))
            return read(self._request("GET", path, params=query))

        first = fetch(None)  # now: a failure surfaces where the list was asked for
        return _pages(WalkGuard(path), first, fetch, best_effort)

    def _request(
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
        every body. A 429 was never processed, so it is retried for as long as that deadline
        allows; a 5xx or a transport failure is retried up to `max_retries` times, where `_retry`
        says a retry is safe. `secrets` (and the token) are redacted from every error and log.
        """
        redactor = Redactor((self._token, *secrets))
        deadline = self._clock() + self._timeout
        retries = rate_limited = 0
        while True:
            error: APIError
            try:
                response = self._send(method, path, params, json_body, deadline)
            except httpx.TimeoutException as exc:
                sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                error = APITimeoutError(
                    f"Timed out on {method} {path} at {self._base_url} ({type(exc).__name__}; "
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
                    f"Could not complete {method} {path} at {self._base_url}: "
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
                error = self._api_error(response, method, path, redactor)
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
                log.warning("%s; not retrying: %s", summary, self._deadline_hint())
                raise error from None
            log.warning("%s; retrying in %.2fs (retry %d)", summary, delay, retries + rate_limited)
            self._sleep(delay)

    def _deadline_hint(self) -> str:
        return (
            f"each request has {self._timeout:g} s in all, retries included; "
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

    def _api_error(
        self, response: httpx.Response, method: str, path: str, redactor: Redactor
    ) -> APIStatusError:
        status = response.status_code
        if redactor.withholds:
            return self._withheld_error(response, method, path)
        try:
            raw = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raw = None
        body: dict[str, Any] = redactor.value(raw) if isinstance(raw, dict) else {}

        def text(*keys: str) -> str | None:
            for key in keys:
                value = body.get(key)
                if isinstance(value, str) and value:
                    return value
            return None

        raw_errors = body.get("errors")
        errors = (
            {
                str(k): [str(m) for m in (v if isinstance(v, list) else [v])]
                for k, v in raw_errors.items()
            }
            if isinstance(raw_errors, dict)
            else None
        )
        common: dict[str, Any] = {
            "status": status,
            "title": text("title", "message") or redactor.text(response.reason_phrase) or "Error",
            "detail": text("detail", "details"),
            "code": text("code"),
            "errors": errors,
            "method": method,
            "path": path,
            "body": body,
        }
        if status == 403 and body.get("error") == "insufficient_scope":
            granted = body.get("granted")
            return InsufficientScopeError(
                required=str(body.get("required") or "unknown"),
                granted=[str(g) for g in granted] if isinstance(granted, list) else [],
                **common,
            )
        if status == 429:
            return RateLimitError(
                retry_after=parse_retry_after(response.headers.get("Retry-After")), **common
            )
        return error_class_for(status)(**common)

    @staticmethod
    def _withheld_error(response: httpx.Response, method: str, path: str) -> APIStatusError:
        """The error of an answer whose texts may hold a secret too short to redact: its status,
        the standard phrase of that status, and its `code` only when it is one this package
        acts on (a fixed word); nothing else the server said, not even the reason phrase."""
        status = response.status_code
        try:
            code = json.loads(response.content).get("code")
        except (ValueError, AttributeError):  # not JSON, or not an object
            code = None
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Error"
        common: dict[str, Any] = {
            "status": status,
            "title": title,
            "detail": WITHHELD_REASON,
            "code": code
            if isinstance(code, str) and code in _constants.KNOWN_PROBLEM_CODES
            else None,
            "method": method,
            "path": path,
        }
        if status == 429:
            return RateLimitError(
                retry_after=parse_retry_after(response.headers.get("Retry-After")), **common
            )
        return error_class_for(status)(**common)

    def _parse(self, response: httpx.Response, model: type[ModelT]) -> ModelT:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise self._invalid(response, exc) from None

    @staticmethod
    def _invalid(
        response: httpx.Response, exc: ValidationError, *, malformed: str = "malformed JSON"
    ) -> InvalidResponseError:
        kinds = sorted({str(e["type"]) for e in exc.errors(include_input=False)})
        what = malformed if "json_invalid" in kinds else f"unexpected shape ({', '.join(kinds)})"
        return InvalidResponseError(
            f"Fruxon sent {what} for {_what(response)}",
            method=response.request.method,
            path=response.request.url.path,
        )


def _what(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path} (HTTP {response.status_code})"


def _pages(
    guard: WalkGuard[ItemT],
    page: Page[ItemT],
    fetch: Callable[[str | None], Page[ItemT]],
    best_effort: bool,
) -> Iterator[ItemT]:
    """The walk from its first page on: each fresh item, until the end or a problem."""
    token: str | None = None
    while True:
        fresh, token, problem = guard.admit(page, token)
        yield from fresh
        if problem is not None:
            if not best_effort:
                raise problem
            log.warning("%s best_effort: returning the %d items read so far.", problem, guard.items)
            return
        if token is None:
            return
        page = fetch(token)


def _ssl_context(ca_bundle: str, source: str) -> ssl.SSLContext:
    """A TLS context trusting `ca_bundle`, or a ConfigurationError naming where it was set."""
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except ssl.SSLError as exc:
        reason = f"holds no usable PEM certificate ({exc.reason or exc})"
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror or exc})"
    raise ConfigurationError(f"The CA bundle {source}={ca_bundle!r} {reason}.")
