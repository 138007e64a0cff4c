"""URL routing: a request's method and path to a stable route name and its path parameters."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

# The stable route names the request log uses.
ROUTES = (
    "listIntegrations",
    "getIntegration",
    "listTools",
    "listConfigs",
    "getConfig",
    "createConfig",
    "patchConfig",
    "deleteConfig",
    "publishConfig",
    "rollbackConfig",
    "listRevisions",
    "getRevision",
    "createCredentialLink",
    "credentialLinkPage",
    "fillCredentialLink",
    "authorize",
    "consumeOAuthCredentials",
    "consent",
    "success",
    "authHealth",
    "notFound",
)

# The bearer scope each tenant route needs; authHealth is scope-exempt by design.
REQUIRED_SCOPE = {
    "listIntegrations": "integrations:read",
    "getIntegration": "integrations:read",
    "listConfigs": "integrations:read",
    "getConfig": "integrations:read",
    "listTools": "tools:read",
    "createConfig": "integrations:write",
    "patchConfig": "integrations:write",
    "deleteConfig": "integrations:write",
    "publishConfig": "integrations:write",
    "rollbackConfig": "integrations:write",
    "listRevisions": "integrations:read",
    "getRevision": "integrations:read",
    # A link without sign-in also needs workspace:write; the handler checks that.
    "createCredentialLink": "integrations:write",
    "authorize": "integrations:write",
    "consumeOAuthCredentials": "integrations:write",
}

_CUSTOM_METHODS = {"authorize": "authorize", "consumeoauthcredentials": "consumeOAuthCredentials"}
_CONFIG_ROUTES = {"GET": "getConfig", "PATCH": "patchConfig", "DELETE": "deleteConfig"}
_CONFIG_METHODS = {"publish": "publishConfig", "rollback": "rollbackConfig"}


@dataclass(frozen=True)
class RouteMatch:
    """A routed request: `tenant` is set for every `/v1/tenants/...` route."""

    route: str
    tenant: str | None = None
    integration: str | None = None
    config: str | None = None
    revision: str | None = None
    link_token: str | None = None  # the secret part of a credential link's URL


NOT_FOUND = RouteMatch("notFound")


def check_route(route: str | None) -> None:
    """Reject a misspelt route name early, where a fault is configured."""
    if route is not None and route not in ROUTES:
        raise ValueError(f"unknown route {route!r}; expected one of {', '.join(ROUTES)}")


def match_route(method: str, path: str) -> RouteMatch:
    """Route a request; anything unknown is `notFound`."""
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    if parts == ["oauth", "consent"] and method == "GET":
        return RouteMatch("consent")
    if parts == ["oauth", "success"] and method == "GET":
        return RouteMatch("success")
    if len(parts) == 2 and parts[0] == "credential-links" and parts[1]:
        route = {"GET": "credentialLinkPage", "POST": "fillCredentialLink"}.get(method)
        return RouteMatch(route, link_token=parts[1]) if route else NOT_FOUND
    if len(parts) < 4 or parts[0] != "v1" or parts[1] != "tenants" or not parts[2]:
        return NOT_FOUND
    tenant, rest = parts[2], parts[3:]
    if rest == ["auth", "health"]:
        return RouteMatch("authHealth", tenant) if method == "GET" else NOT_FOUND
    if rest[0] != "integrations":
        return NOT_FOUND
    return _integration_route(method, tenant, rest[1:])


def _integration_route(method: str, tenant: str, rest: list[str]) -> RouteMatch:
    if not rest:
        return RouteMatch("listIntegrations", tenant) if method == "GET" else NOT_FOUND
    head, tail = rest[0], rest[1:]
    if not head:
        return NOT_FOUND
    if not tail:
        integration, _, verb = head.partition(":")
        if verb:
            route = _CUSTOM_METHODS.get(verb.lower())
            if route is None or method != "POST" or not integration:
                return NOT_FOUND
            return RouteMatch(route, tenant, integration)
        return RouteMatch("getIntegration", tenant, head) if method == "GET" else NOT_FOUND
    if tail == ["tools"]:
        return RouteMatch("listTools", tenant, head) if method == "GET" else NOT_FOUND
    if tail == ["configs"]:
        route = {"GET": "listConfigs", "POST": "createConfig"}.get(method)
        return RouteMatch(route, tenant, head) if route else NOT_FOUND
    if len(tail) < 2 or tail[0] != "configs" or not tail[1]:
        return NOT_FOUND
    return _config_route(method, tenant, head, tail[1], tail[2:])


def _config_route(
    method: str, tenant: str, integration: str, config: str, rest: list[str]
) -> RouteMatch:
    config_id, _, verb = config.partition(":")
    if not config_id:
        return NOT_FOUND
    if verb:
        route = _CONFIG_METHODS.get(verb.lower())
        if route is None or method != "POST" or rest:
            return NOT_FOUND
        return RouteMatch(route, tenant, integration, config_id)
    if not rest:
        route = _CONFIG_ROUTES.get(method)
        return RouteMatch(route, tenant, integration, config_id) if route else NOT_FOUND
    if rest == ["credentialRequests"]:
        if method != "POST":
            return NOT_FOUND
        return RouteMatch("createCredentialLink", tenant, integration, config_id)
    if rest[0] != "revisions" or method != "GET" or len(rest) > 2:
        return NOT_FOUND
    if len(rest) == 1:
        return RouteMatch("listRevisions", tenant, integration, config_id)
    if not rest[1]:
        return NOT_FOUND
    return RouteMatch("getRevision", tenant, integration, config_id, rest[1])
