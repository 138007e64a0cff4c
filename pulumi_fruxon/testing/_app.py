"""The emulator's request handling, free of sockets: auth, faults, routing, the log."""

from __future__ import annotations

import dataclasses
import html
import json
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

from ._configs import Configs
from ._faults import Faults
from ._links import LINK_PATH, CredentialLinks, page, problem_page, saved_page
from ._log import RequestRecord
from ._oauth import OAuth
from ._paging import ListQuery, parse_list_query
from ._revisions import Revisions
from ._routes import REQUIRED_SCOPE, RouteMatch, match_route
from ._store import Store, TokenInfo
from ._wire import JSON_TYPE, Problem, Request, Response

_Handler = Callable[[Request, RouteMatch], Response]


class Application:
    """Turns a `Request` into a `Response`; every state change happens under `lock`.

    It holds the store and each job on it: `configs`, `oauth` (consent and credential keys, which
    live `key_ttl` seconds), `revisions` and `links`.
    """

    def __init__(self, store: Store, workspace: str, *, key_ttl: float) -> None:
        self.lock = threading.RLock()
        self.store = store
        self.oauth = OAuth(store, key_ttl)
        self.revisions = Revisions(store)
        self.configs = Configs(store, self.oauth, self.revisions)
        self.links = CredentialLinks(store, self.revisions)
        self.workspace = workspace
        self.faults = Faults()
        self.log: list[RequestRecord] = []
        self.base_url = ""  # set once the server is bound
        self._handlers: dict[str, _Handler] = {
            "listIntegrations": self._list_integrations,
            "getIntegration": self._get_integration,
            "listTools": self._list_tools,
            "listConfigs": self._list_configs,
            "getConfig": self._get_config,
            "createConfig": self._create_config,
            "patchConfig": self._patch_config,
            "deleteConfig": self._delete_config,
            "publishConfig": self._publish_config,
            "rollbackConfig": self._rollback_config,
            "listRevisions": self._list_revisions,
            "getRevision": self._get_revision,
            "createCredentialLink": self._create_credential_link,
            "credentialLinkPage": self._credential_link_page,
            "fillCredentialLink": self._fill_credential_link,
            "authorize": self._authorize,
            "consumeOAuthCredentials": self._consume,
            "consent": self._consent,
            "success": self._success,
            "authHealth": self._auth_health,
        }

    def handle(self, request: Request) -> Response:
        """Answer one request and log it before a byte goes out, so a client never wins a race
        against the log."""
        match = match_route(request.method, request.path)
        if match.link_token is not None:
            # The link's token is a secret: keep it out of the log and of problem bodies.
            request = dataclasses.replace(request, path=LINK_PATH + "[redacted]")
        with self.lock:
            response = self._respond(request, match)
            response.delay = self.faults.latency
            self.log.append(
                RequestRecord(
                    method=request.method,
                    path=request.path,
                    query={k: list(v) for k, v in request.query.items()},
                    status=0 if response.drop or response.hang else response.status,
                    route=match.route,
                    user_agent=request.headers.get("user-agent"),
                    fault=response.fault,
                )
            )
        return response

    def _respond(self, request: Request, match: RouteMatch) -> Response:
        if self.faults.take_hang(match.route):
            return Response(0, hang=True, fault="hang")
        retry_after = self.faults.take_rate_limit(match.route)
        if retry_after is not None:
            response = Problem(
                429,
                "Rate limit exceeded; retry after the Retry-After interval.",
                code="rate_limited",
                headers=[("Retry-After", retry_after)],
            ).to_response(request.path)
            response.fault = "rate_limit"
            return response
        failure = self.faults.take_failure(match.route)
        if failure is not None:
            response = Problem(failure, "Injected failure.", code="injected_fault").to_response(
                request.path
            )
            response.fault = "fail"
            return response
        try:
            response = self._dispatch(request, match)
        except Problem as problem:
            return problem.to_response(request.path)
        if (
            response.status == 200
            and response.content_type == JSON_TYPE
            and response.body
            and self.faults.take_malformed(match.route)
        ):
            response.body = response.body[: max(1, len(response.body) // 2)]
            response.fault = "malformed_json"
        if match.route == "consumeOAuthCredentials" and self.faults.take_drop():
            response.drop = True
            response.fault = "drop_after_consume"
        elif response.status < 400 and self.faults.take_drop_after(match.route):
            response.drop = True
            response.fault = "drop_after"
        interval = self.faults.take_trickle(match.route)
        if interval is not None and not response.drop:
            response.trickle = interval
            response.fault = "trickle"
        return response

    def _dispatch(self, request: Request, match: RouteMatch) -> Response:
        handler = self._handlers.get(match.route)
        if handler is None:
            raise Problem(404, f"No route for {request.method} {request.path}.")
        if match.tenant is not None:
            token = self._authenticate(request, match.tenant)
            required = REQUIRED_SCOPE.get(match.route)
            if required is not None and required not in token.scopes:
                raise Problem(
                    403,
                    f"This token lacks the '{required}' scope.",
                    title="Forbidden",
                    extra={
                        "error": "insufficient_scope",
                        "required": required,
                        "granted": list(token.scopes),
                    },
                )
        return handler(request, match)

    def _authenticate(self, request: Request, tenant: str) -> TokenInfo:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        challenge = [("WWW-Authenticate", "Bearer")]
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "A bearer token is required.", headers=challenge)
        info = self.store.tokens.get(token.strip())
        if info is None:
            raise Problem(401, "The bearer token is not valid.", headers=challenge)
        if tenant != self.workspace:
            # Emulator choice: a valid token at another workspace is 403, as the real host
            # answers for a workspace in the same cell (docs/fruxon-http-api.md#auth).
            raise Problem(
                403,
                f"This token does not belong to workspace '{tenant}'.",
                code="workspace_mismatch",
            )
        return info

    # -- integrations and tools -----------------------------------------------------------------

    def _list_integrations(self, request: Request, match: RouteMatch) -> Response:
        query = parse_list_query(request.query)
        mode = self._list_mode(query)
        return Response(200, self.store.list_integrations(query, mode=mode), fault=mode)

    def _get_integration(self, request: Request, match: RouteMatch) -> Response:
        return Response(200, self.store.entry(_required(match.integration)).get_bytes)

    def _list_tools(self, request: Request, match: RouteMatch) -> Response:
        query = parse_list_query(request.query)
        mode = self._list_mode(query)
        body = self.store.list_tools(_required(match.integration), query, mode=mode)
        return Response(200, body, fault=mode)

    def _list_mode(self, query: ListQuery) -> str | None:
        """The list fault that shapes this page, if any: `page_cycle` shapes every page,
        `echo_page_tokens` every page asked for with a token."""
        if self.faults.page_cycle:
            return "page_cycle"
        if self.faults.echo_page_tokens and query.page_token:
            return "echo_page_tokens"
        return None

    # -- configs --------------------------------------------------------------------------------

    def _list_configs(self, request: Request, match: RouteMatch) -> Response:
        return Response.json({"items": self.store.list_configs(_required(match.integration))})

    def _get_config(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        return Response.json(self.store.view(self.store.config(integration, config)))

    def _create_config(self, request: Request, match: RouteMatch) -> Response:
        config = self.configs.create(_required(match.integration), _json_body(request))
        return Response.json(self.store.view(config))

    def _patch_config(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        patched = self.configs.patch(integration, config, _json_body(request))
        return Response.json(self.store.view(patched))

    def _delete_config(self, request: Request, match: RouteMatch) -> Response:
        self.configs.delete(_required(match.integration), _required(match.config))
        return Response(204, content_type=None)

    # -- revisions: publish, rollback and reads -------------------------------------------------

    def _publish_config(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        return Response.json(self.revisions.publish(integration, config, _json_body(request)))

    def _rollback_config(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        return Response.json(self.revisions.rollback(integration, config, _json_body(request)))

    def _list_revisions(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        return Response.json({"items": self.revisions.views(integration, config)})

    def _get_revision(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        revision = self.revisions.revision(integration, config, _required(match.revision))
        return Response.json(self.revisions.view(integration, revision))

    # -- credential links -----------------------------------------------------------------------

    def _create_credential_link(self, request: Request, match: RouteMatch) -> Response:
        integration, config = _required(match.integration), _required(match.config)
        token = self._authenticate(request, _required(match.tenant))
        link, secret = self.links.create(integration, config, _json_body(request), token.scopes)
        return Response.json({**link.wire(), "url": self.base_url + LINK_PATH + secret})

    def _credential_link_page(self, request: Request, match: RouteMatch) -> Response:
        try:
            link, wanted = self.links.open(_required(match.link_token))
        except Problem as problem:
            return _problem_for(request, problem)
        name = str(self.store.entry(link.integration_id).spec.wire["displayName"])
        return _html_response(200, page(link, wanted, name))

    def _fill_credential_link(self, request: Request, match: RouteMatch) -> Response:
        try:
            revision = self.links.fill(_required(match.link_token), _form_body(request))
        except Problem as problem:
            return _problem_for(request, problem)
        if _wants_json(request):
            return Response.json(
                {
                    "configId": revision["configId"],
                    "revisionId": revision["id"],
                    "version": revision["version"],
                }
            )
        return _html_response(200, saved_page(revision))

    # -- OAuth ----------------------------------------------------------------------------------

    def _authorize(self, request: Request, match: RouteMatch) -> Response:
        state = self.oauth.authorize(_required(match.integration), _json_body(request))
        url = f"{self.base_url}/oauth/consent?" + urllib.parse.urlencode({"state": state})
        return Response.json({"authorizationUrl": url})

    def _consume(self, request: Request, match: RouteMatch) -> Response:
        self.oauth.consume(_required(match.integration), _json_body(request))
        # An empty 200, as the docs show ("Empty"); clients must accept any empty 2xx.
        return Response(200, content_type=None)

    def _consent(self, request: Request, match: RouteMatch) -> Response:
        states = request.query.get("state")
        state = states[0] if states else None
        key, return_url = self.oauth.approve_consent(state)
        params = {"credentialKey": key}
        if return_url:
            params["returnUrl"] = return_url
        location = f"{self.base_url}/oauth/success?" + urllib.parse.urlencode(params)
        return Response(302, content_type=None, headers=[("Location", location)])

    def _success(self, request: Request, match: RouteMatch) -> Response:
        key = (request.query.get("credentialKey") or [""])[0]
        return_url = (request.query.get("returnUrl") or [""])[0]
        link = f'<p><a href="{html.escape(return_url)}">Continue</a></p>' if return_url else ""
        page = (
            "<!doctype html><html><head><title>Connected</title></head><body>"
            "<h1>Authorization complete</h1>"
            f'<p>Credential key: <code id="credentialKey">{html.escape(key)}</code></p>'
            f"{link}</body></html>"
        )
        return Response(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _auth_health(self, request: Request, match: RouteMatch) -> Response:
        token = self._authenticate(request, _required(match.tenant))
        return Response.json(
            {
                "scheme": "Bearer",
                "keyName": token.name,
                "grantedScopes": list(token.scopes),
                "expiresAt": None,
            }
        )


def _required(value: str | None) -> str:
    """A path parameter the route guarantees."""
    if value is None:
        raise Problem(404, "Not found.")
    return value


def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; empty is `{}`, anything else not an object is 400."""
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400,
            "The request body is not valid JSON.",
            errors={"$": ["The JSON value could not be parsed."]},
        ) from None
    if not isinstance(body, dict):
        raise Problem(
            400, "The request body must be a JSON object.", errors={"$": ["Expected an object."]}
        )
    return body


def _wants_json(request: Request) -> bool:
    return "json" in request.headers.get("accept", "").lower()


def _html_response(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"), "text/html; charset=utf-8")


def _problem_for(request: Request, problem: Problem) -> Response:
    """A refusal on the link page: problem+json for a program, a page for a browser or curl."""
    if _wants_json(request):
        return problem.to_response(request.path)
    return _html_response(problem.status, problem_page(problem))


def _form_body(request: Request) -> dict[str, list[str]]:
    """The submitted fields: form-encoded as a browser or `curl -d` sends them, or a JSON object
    of strings."""
    if "json" in request.headers.get("content-type", "").lower():
        body = _json_body(request)
        if not all(isinstance(v, str) for v in body.values()):
            raise Problem(400, "Every field must be a string.", errors={"$": ["Expected strings."]})
        return {k: [v] for k, v in body.items()}
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "The form is not valid UTF-8.") from None
    return urllib.parse.parse_qs(text, keep_blank_values=True)
