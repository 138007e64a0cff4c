"""`FruxonClient`: a small typed client over `httpx.Client` for the integrations API.

It holds the endpoints: their paths, bodies and the official SDK's query spellings. It sends
each request through a `Transport` (`_transport`), which keeps one keep-alive connection pool,
retries only where a retry is safe (see `_retry`) within one deadline per request, and maps each
failure to its own exception class (see `errors`). Lists are walked page by page behind an
iterator (`_pagination`). The token lives only in the `Authorization` header of the pool, and is
redacted from every error.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from pulumi_fruxon import _constants
from pulumi_fruxon._pagination import config_shapes, revision_shapes, walk
from pulumi_fruxon._responses import parse
from pulumi_fruxon._transport import Transport
from pulumi_fruxon._urls import return_url_problem
from pulumi_fruxon.errors import InvalidArgumentError
from pulumi_fruxon.models import (
    AuthorizeResponse,
    ConfigRecord,
    CredentialLinkResponse,
    Integration,
    Revision,
    Tool,
)
from pulumi_fruxon.settings import FruxonSettings

__all__ = ["FruxonClient"]


def _segment(value: str) -> str:
    """One path segment (an integration or config id), escaped. An empty one would address
    another route (`/integrations//configs`), so it is refused before anything is sent."""
    if not value.strip():
        raise InvalidArgumentError(
            "An integration or config id is empty; pass the id (`fruxon.get_integrations()` lists "
            "the integrations, `fruxon.get_integration_configs(integration)` an integration's "
            "configs)."
        )
    return quote(value, safe="")


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
        raise InvalidArgumentError(
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
            `FRUXON_TIMEOUT`, else `_constants.DEFAULT_TIMEOUT`), and checked by the same rule.
        max_retries: how many times a request is retried after a 5xx or a transport failure,
            where a retry is safe. A 429 is retried for as long as the deadline allows.
        transport: an httpx transport, for tests.
        sleep, clock: the waiting function and the monotonic clock the retries and the deadline
            use, for tests.

    Raises `ConfigurationError` for a missing token or workspace, a timeout that is not a
    positive finite number, or an unreadable CA bundle.
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
        settings.require_token()
        self._workspace = settings.require_workspace()
        if timeout is not None:  # checked as every timeout is, by FruxonSettings
            sources = {**settings.sources, "timeout": "the timeout argument"}
            settings = dataclasses.replace(settings, timeout=timeout, sources=sources)
        self._transport = Transport(
            settings, max_retries=max_retries, transport=transport, sleep=sleep, clock=clock
        )

    def __repr__(self) -> str:
        return f"FruxonClient(base_url={self.base_url!r}, workspace={self._workspace!r})"

    def __getstate__(self) -> None:
        raise TypeError("FruxonClient holds a token and a connection pool; it cannot be pickled")

    @property
    def workspace(self) -> str:
        return self._workspace

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def close(self) -> None:
        self._transport.close()

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
        params: list[tuple[str, str]] = [("query", query)] if query else []
        params += [("types", t) for t in _values(types)]
        params += [("tags", t) for t in _values(tags)]
        flags = {"has_configs": has_configs, "has_triggers": has_triggers}
        flags["has_channels"] = has_channels
        params += [(name, "true") for name, flag in flags.items() if _only_true(name, flag)]
        path = f"{self._tenant}/integrations"
        return walk(
            self._transport, path, Integration, params, page_size=page_size, best_effort=best_effort
        )

    def get_integration(self, integration: str) -> Integration:
        response = self._transport.request("GET", self._integration_path(integration))
        return parse(response, Integration)

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
        params: list[tuple[str, str]] = [("search", search)] if search else []
        params += [("types", t) for t in _values(types)]
        path = f"{self._integration_path(integration)}/tools"
        return walk(
            self._transport, path, Tool, params, page_size=page_size, best_effort=best_effort
        )

    # -- configs -----------------------------------------------------------------------------

    def list_integration_configs(
        self, integration: str, *, best_effort: bool = False
    ) -> Iterator[ConfigRecord]:
        """Every config of an integration, in server order, across all pages.

        `best_effort` is as for `list_integrations`.
        """
        path = f"{self._integration_path(integration)}/configs"
        # The list is documented without paging: send no page size, follow a token if one comes.
        # The official SDK accepts a bare array, {items} or {configs}; so does this client.
        return walk(
            self._transport, path, ConfigRecord, best_effort=best_effort, shapes=config_shapes()
        )

    def get_integration_config(self, integration: str, config_id: str) -> ConfigRecord:
        response = self._transport.request("GET", self._config_path(integration, config_id))
        return parse(response, ConfigRecord)

    def create_integration_config(
        self,
        integration: str,
        display_name: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        secret_parameters: Mapping[str, str] | None = None,
        auth_method: str | None = None,
        oauth_credential_key: str | None = None,
    ) -> ConfigRecord:
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
        response = self._transport.request(
            "POST",
            f"{self._integration_path(integration)}/configs",
            json_body=body,
            secrets=(oauth_credential_key or "", *(secret_parameters or {}).values()),
        )
        return parse(response, ConfigRecord)

    def update_integration_config(
        self,
        integration: str,
        config_id: str,
        *,
        display_name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        secret_parameters: Mapping[str, str] | None = None,
        auth_method: str | None = None,
    ) -> ConfigRecord:
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
        response = self._transport.request(
            "PATCH",
            self._config_path(integration, config_id),
            json_body=body,
            secrets=tuple((secret_parameters or {}).values()),
        )
        return parse(response, ConfigRecord)

    def publish_integration_config(
        self, integration: str, config_id: str, *, note: str | None = None
    ) -> Revision:
        """Snapshot the draft as a new revision that tool calls resolve from their next call.

        Fruxon echoes the whole snapshot, credentials unmasked; only the revision's identity and
        non-secret fields are parsed (`Revision`). Not retried after the request may have been
        sent: a second publish would make a second revision.
        """
        body: dict[str, Any] = {"note": note} if note else {}
        response = self._transport.request(
            "POST", f"{self._config_path(integration, config_id)}:publish", json_body=body
        )
        return parse(response, Revision)

    def list_config_revisions(
        self, integration: str, config_id: str, *, best_effort: bool = False
    ) -> Iterator[Revision]:
        """Every published revision of a config, in server order (identity fields only).

        `best_effort` is as for `list_integrations`.
        """
        path = f"{self._config_path(integration, config_id)}/revisions"
        # Undocumented envelope: accept the same shapes as for configs.
        return walk(
            self._transport, path, Revision, best_effort=best_effort, shapes=revision_shapes()
        )

    def get_config_revision(self, integration: str, config_id: str, revision_id: str) -> Revision:
        """One revision of a config."""
        path = f"{self._config_path(integration, config_id)}/revisions/{_segment(revision_id)}"
        return parse(self._transport.request("GET", path), Revision)

    def rollback_integration_config(
        self, integration: str, config_id: str, revision_id: str
    ) -> Revision:
        """Point the config at an earlier revision; Fruxon makes no new version."""
        response = self._transport.request(
            "POST",
            f"{self._config_path(integration, config_id)}:rollback",
            json_body={"revisionId": revision_id},
        )
        return parse(response, Revision)

    def delete_integration_config(self, integration: str, config_id: str) -> None:
        self._transport.request("DELETE", self._config_path(integration, config_id))

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
        response = self._transport.request(
            "POST",
            f"{self._config_path(integration, config_id)}/credentialRequests",
            json_body=body,
        )
        return parse(response, CredentialLinkResponse)

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
            raise InvalidArgumentError(f"return_url {problem}, got {return_url!r}")
        body: dict[str, Any] = {"integrationAuthMetadataId": auth_method}
        if scopes:
            body["scopes"] = list(scopes)
        if config_parameters:
            body["configParameters"] = dict(config_parameters)
        if return_url is not None:
            body["returnUrl"] = return_url
        response = self._transport.request(
            "POST",
            f"{self._integration_path(integration)}:authorize",
            json_body=body,
            idempotent=True,
        )
        return parse(response, AuthorizeResponse).authorization_url

    def consume_oauth_credentials(
        self, integration: str, integration_config_id: str, credential_key: str
    ) -> None:
        """Bind the credentials behind a single-use key to a config. Never retried blindly.

        Only a 429 or a connection refused before sending is retried. After a timeout, a dropped
        connection or a 5xx the outcome is unknown and the error says so; the caller decides.
        """
        self._transport.request(
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
