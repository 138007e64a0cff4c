"""`FruxonEmulator`: a local Fruxon over real HTTP, with helpers and fault injection for tests."""

from __future__ import annotations

import copy
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

from ._app import Application
from ._catalogue import (
    DEMO_CONFIGS,
    IntegrationSpec,
    JSONObject,
    complete_tool,
    demo_catalogue,
    generated_catalogue,
    generated_tools,
    integration_wire,
    oauth2_method,
)
from ._log import RequestRecord
from ._routes import check_route
from ._server import EmulatorServer
from ._store import ALL_SCOPES, Store, TokenInfo, default_scopes, now_ms, set_auth, touch

_DEMO_NAMESPACE = uuid.UUID("6f1d2c58-7d0e-4c55-9d7b-0c2f7b8e9a11")


class FruxonEmulator:
    """A local Fruxon API on 127.0.0.1, standard library only.

    `FruxonEmulator()` serves the demo catalogue; `FruxonEmulator(integrations=N)` serves N
    generated integrations instead. Use it as a context manager, or `start()` / `stop()`.
    Every helper is thread-safe.

    Faults: the counted ones are armed alike, `<fault>_next(n, route=...)` (`fail_next`,
    `rate_limit_next`, `malformed_json_next`, `hang_next`, `trickle_next`, `drop_after_next`);
    besides them are `drop_after_consume(n)`, `set_latency(seconds)` and the list modes
    `set_echo_page_tokens(on)` and `set_page_cycle(on)`. `clear_faults()` disarms them all.
    The request log names the fault that hit each request (`RequestRecord.fault`).
    """

    def __init__(
        self,
        integrations: int | None = None,
        *,
        workspace: str = "demo",
        token: str | None = None,
        key_ttl: float = 600.0,
        port: int = 0,
    ) -> None:
        self._workspace = workspace
        self._token = token or "fx_pat_" + secrets.token_urlsafe(24)
        self._port = port
        self._store = Store(key_ttl, workspace)
        self._store.tokens[self._token] = TokenInfo("emulator-default", ALL_SCOPES)
        self._app = Application(self._store, workspace)
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        if integrations is None:
            self._load_demo()
        else:
            for spec in generated_catalogue(integrations):
                self._store.add_integration(spec)

    def _load_demo(self) -> None:
        for spec in demo_catalogue():
            self._store.add_integration(spec)
        for integration_id, configs in DEMO_CONFIGS.items():
            for n, demo in enumerate(configs):
                config_id = str(uuid.uuid5(_DEMO_NAMESPACE, f"{integration_id}/{n}"))
                self._add_config(
                    integration_id, demo.display_name, demo.auth_method_id, None, config_id
                )

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> FruxonEmulator:
        """Bind 127.0.0.1 (a free port unless one was given) and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = EmulatorServer(("127.0.0.1", self._port), self._app)
        self._server = server
        self._app.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fruxon-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FruxonEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what a client needs --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, no trailing slash. Only known once started."""
        if not self._app.base_url:
            raise RuntimeError("the emulator is not started; use start() or `with`")
        return self._app.base_url

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def token(self) -> str:
        """The default bearer token; it has every scope."""
        return self._token

    @property
    def workspace(self) -> str:
        """The workspace (wire: tenant) the tokens belong to."""
        return self._workspace

    # -- catalogue and configs ------------------------------------------------------------------

    def add_integration(
        self,
        integration_id: str,
        *,
        display_name: str | None = None,
        description: str = "",
        tags: Iterable[str] = (),
        type: str = "CUSTOM",
        auth_methods: Sequence[JSONObject] | None = None,
        tools: int | Sequence[JSONObject] = 0,
        has_triggers: bool = False,
        has_channels: bool = False,
    ) -> None:
        """Add an integration. By default it has one OAuth2 method, `oauth2`, with scopes
        `read` and `write` (default `read`). `tools` is a count to generate, or tool dicts."""
        if auth_methods is None:
            auth_methods = [oauth2_method(["read", "write"], default_scopes=["read"])]
        if isinstance(tools, int):
            tool_list = generated_tools(integration_id, tools)
        else:
            tool_list = [complete_tool(integration_id, dict(tool)) for tool in tools]
        wire = integration_wire(
            integration_id,
            display_name=display_name or integration_id,
            description=description,
            type=type,
            tags=list(tags),
            auth_methods=[copy.deepcopy(dict(m)) for m in auth_methods],
        )
        spec = IntegrationSpec(wire, tool_list, has_triggers, has_channels)
        with self._app.lock:
            self._store.add_integration(spec)

    def add_config(
        self,
        integration: str,
        *,
        display_name: str | None = None,
        auth_method_id: str | None = None,
        scopes: list[str] | None = None,
    ) -> str:
        """Create a draft config and return its id. With `auth_method_id`, auth starts bound
        (granted `scopes`, or the method's defaults)."""
        return self._add_config(
            integration, display_name or f"{integration} config", auth_method_id, scopes, None
        )

    def _add_config(
        self,
        integration: str,
        display_name: str,
        auth_method_id: str | None,
        scopes: list[str] | None,
        config_id: str | None,
    ) -> str:
        with self._app.lock:
            entry = self._store.integrations.get(integration)
            if entry is None:
                raise ValueError(f"unknown integration {integration!r}")
            method = entry.auth_method(auth_method_id) if auth_method_id else None
            if auth_method_id and method is None:
                raise ValueError(f"{integration!r} has no auth method {auth_method_id!r}")
            config = self._store.new_config(integration, display_name, config_id=config_id)
            if method is not None:
                auth = {
                    "level": "APPLICATION",
                    "integrationAuthMetadataId": method["id"],
                    "grantedScopes": list(scopes if scopes is not None else default_scopes(method)),
                }
                set_auth(config, auth, {"secret": "emulator-" + secrets.token_urlsafe(12)})
            return str(config["id"])

    def get_config(self, config_id: str) -> dict[str, Any]:
        """The config as GET returns it (secrets masked), `publishedRevisionId` included.
        KeyError when unknown."""
        with self._app.lock:
            return self._store.view(self._store.configs[config_id])

    def list_configs(self, integration: str | None = None) -> list[dict[str, Any]]:
        """Every config, or one integration's, as GET returns them."""
        with self._app.lock:
            return [
                self._store.view(c)
                for c in self._store.configs.values()
                if integration is None or c["integrationId"] == integration
            ]

    def revisions(self, config_id: str) -> list[dict[str, Any]]:
        """Every published revision of the config, oldest first, unmasked (what tool calls
        would use). KeyError when the config is unknown."""
        with self._app.lock:
            if config_id not in self._store.configs:
                raise KeyError(config_id)
            return copy.deepcopy(self._store.revisions.get(config_id, []))

    def published(self, config_id: str) -> dict[str, Any] | None:
        """The revision tool calls resolve now (unmasked), or None before the first publish."""
        with self._app.lock:
            config = self._store.configs[config_id]
            wanted = config["publishedRevisionId"]
            for revision in self._store.revisions.get(config_id, []):
                if revision["id"] == wanted:
                    return copy.deepcopy(revision)
            return None

    def publish(self, config_id: str, note: str | None = None) -> dict[str, Any]:
        """Change from outside: publish the draft, as a dashboard user would. Returns the
        revision, unmasked."""
        with self._app.lock:
            config = self._store.configs[config_id]
            body = {} if note is None else {"note": note}
            return self._store.publish(config["integrationId"], config_id, body)

    def rollback(self, config_id: str, revision_id: str) -> None:
        """Change from outside: point the config at an earlier revision (no new version)."""
        with self._app.lock:
            config = self._store.configs[config_id]
            self._store.rollback(config["integrationId"], config_id, {"revisionId": revision_id})

    def patch_config(self, config_id: str, **body: Any) -> dict[str, Any]:
        """Drift from outside: PATCH the draft with wire fields (`displayName=...`,
        `parameters=...`), as a dashboard user would. Returns the config as GET shows it."""
        with self._app.lock:
            config = self._store.configs[config_id]
            patched = self._store.patch_config(config["integrationId"], config_id, body)
            return self._store.view(patched)

    def remove_auth(self, config_id: str) -> None:
        """Drift from outside: unbind the config's auth, as a dashboard user would."""
        with self._app.lock:
            config = self._store.configs[config_id]
            set_auth(config, None)
            touch(config)

    def delete_config(self, config_id: str) -> None:
        """Drift from outside: delete the config. KeyError when unknown."""
        with self._app.lock:
            config = self._store.configs[config_id]
            self._store.delete_config(config["integrationId"], config_id)

    # -- tokens and OAuth -----------------------------------------------------------------------

    def add_token(self, scopes: Iterable[str], *, prefix: str = "fx_sat_") -> str:
        """A further valid token for this workspace with exactly these scopes."""
        token = prefix + secrets.token_urlsafe(24)
        with self._app.lock:
            name = f"emulator-token-{len(self._store.tokens) + 1}"
            self._store.tokens[token] = TokenInfo(name, tuple(scopes))
        return token

    def mint_credential_key(
        self,
        integration: str,
        *,
        auth_method: str = "oauth2",
        scopes: list[str] | None = None,
        ttl: float | None = None,
    ) -> str:
        """What consent does, from code: a single-use key. `ttl=0` makes it already expired."""
        with self._app.lock:
            entry = self._store.integrations.get(integration)
            if entry is None:
                raise ValueError(f"unknown integration {integration!r}")
            method = entry.auth_method(auth_method)
            if scopes is None:
                scopes = default_scopes(method) if method else []
            lifetime = self._store.key_ttl if ttl is None else ttl
            return self._store.mint_key(integration, auth_method, scopes, lifetime)

    @staticmethod
    def approve(authorization_url: str) -> str:
        """What the admin's browser does: open the consent URL over HTTP, follow the redirect
        to the success page, and return the `credentialKey` it carries.

        It needs no emulator object (`python -m pulumi_fruxon.testing approve URL` calls it on
        the class): the URL names the emulator that serves it."""
        # No proxies: the emulator is on loopback whatever the environment says.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(authorization_url, timeout=30) as response:
                final_url: str = response.geturl()
                response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"consent failed: {error.code} {_detail(error)}") from None
        keys: list[str] | None = urllib.parse.parse_qs(urllib.parse.urlsplit(final_url).query).get(
            "credentialKey"
        )
        if not keys:
            raise RuntimeError("the consent flow ended without a credentialKey")
        return keys[0]

    # -- credential links -----------------------------------------------------------------------

    def fill_credential_link(self, url: str, values: dict[str, str]) -> dict[str, Any]:
        """What the human on the link page does: submit `values` (field name to value, e.g.
        `{"api_key": "..."}`) to the link's URL over HTTP, form-encoded. Fruxon sets the
        config's auth and publishes it. Returns `configId`, `revisionId` and `version` of the
        published revision. RuntimeError when the link refuses (used, expired, replaced)."""
        data = urllib.parse.urlencode(values).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                result: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RuntimeError(
                f"the credential link refused: {error.code} {_detail(error)}"
            ) from None
        return result

    def credential_links(self, config_id: str | None = None) -> list[dict[str, Any]]:
        """Every link minted (for one config, when given), oldest first, without URLs:
        `id`, `status` (OPEN, FILLED, EXPIRED or WITHDRAWN), `revisionId` once filled, ..."""
        with self._app.lock:
            return [
                link.record()
                for link in self._app.links.by_hash.values()
                if config_id is None or link.config_id == config_id
            ]

    def expire_credential_link(self, link_id: str) -> None:
        """What time does: the link's expiry moves to now. KeyError when unknown."""
        with self._app.lock:
            for link in self._app.links.by_hash.values():
                if link.id == link_id:
                    link.expires_at = min(link.expires_at, now_ms())
                    return
        raise KeyError(link_id)

    # -- the request log ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._app.lock:
            return list(self._app.log)

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._app.lock:
            self._app.log.clear()

    def count(self, route: str, method: str | None = None) -> int:
        """How many logged requests hit `route` (and `method`, when given)."""
        check_route(route)
        with self._app.lock:
            return sum(
                1
                for r in self._app.log
                if r.route == route and (method is None or r.method == method.upper())
            )

    # -- faults ---------------------------------------------------------------------------------

    def fail_next(self, n: int, *, status: int = 503, route: str | None = None) -> None:
        """The next `n` matching requests get a problem+json `status`, unprocessed."""
        check_route(route)
        with self._app.lock:
            self._app.faults.fail(n, status, route)

    def rate_limit_next(
        self, n: int = 1, *, retry_after: str = "1", route: str | None = None
    ) -> None:
        """The next `n` matching requests get 429 with `Retry-After: <retry_after>` verbatim."""
        check_route(route)
        with self._app.lock:
            self._app.faults.rate_limit(n, retry_after, route)

    def set_latency(self, seconds: float) -> None:
        """Sleep this long before every response (0 turns it off)."""
        with self._app.lock:
            self._app.faults.latency = max(0.0, seconds)

    def drop_after_consume(self, n: int = 1, *, outage: int = 0) -> None:
        """The next `n` successful consumes are processed (key spent, auth bound), then the
        connection closes without a response byte. With `outage`, the next `outage` requests
        after each drop fail with 503, so a client's re-read fails too."""
        with self._app.lock:
            self._app.faults.drops_after_consume += max(0, n)
            self._app.faults.outage_after_drop = max(0, outage)

    def drop_after_next(self, n: int = 1, *, route: str | None = None, outage: int = 0) -> None:
        """The next `n` matching requests that succeed are processed (a config created, a
        draft published), then the connection closes without a response byte: the client
        cannot tell whether they happened. With `outage`, the next `outage` requests after each
        drop fail with 503."""
        check_route(route)
        with self._app.lock:
            self._app.faults.drop_after(n, route, max(0, outage))

    def set_echo_page_tokens(self, on: bool) -> None:
        """The server bug: a request's page token comes back as its `nextPageToken`."""
        with self._app.lock:
            self._app.faults.echo_page_tokens = on

    def malformed_json_next(self, n: int = 1, *, route: str | None = None) -> None:
        """The next `n` matching 200 JSON responses are cut in half."""
        check_route(route)
        with self._app.lock:
            self._app.faults.malform(n, route)

    def hang_next(self, n: int = 1, *, route: str | None = None) -> None:
        """The next `n` matching requests are read and never answered, nor processed: the
        connection stays open and silent until the client gives up or the emulator stops."""
        check_route(route)
        with self._app.lock:
            self._app.faults.hang(n, route)

    def trickle_next(self, n: int = 1, *, route: str | None = None, interval: float = 0.05) -> None:
        """The next `n` matching requests are processed as usual, and their response body is
        sent one byte every `interval` seconds (the head at once)."""
        check_route(route)
        if interval <= 0:
            raise ValueError("interval must be positive")
        with self._app.lock:
            self._app.faults.trickle(n, interval, route)

    def set_page_cycle(self, on: bool) -> None:
        """A broken server: every list page holds the first page's items again, with a new
        `nextPageToken` each time, so a walk never ends by itself."""
        with self._app.lock:
            self._app.faults.page_cycle = on

    def clear_faults(self) -> None:
        """Disarm every fault, latency and the list modes included."""
        with self._app.lock:
            self._app.faults.clear()


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read())
    except ValueError:
        return str(error.reason)
    return str(body.get("detail", "")) if isinstance(body, dict) else str(error.reason)
