"""`FruxonEmulator`: a local Fruxon over real HTTP, with helpers and fault injection for tests.

This module holds its life cycle, what a client needs, and the helpers that set up and inspect
the state; the changes made from outside the program under test are in `_emulator_outside.py`,
the methods that arm faults in `_emulator_faults.py`.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

from ._app import Application
from ._catalogue import (
    IntegrationSpec,
    JSONObject,
    complete_tool,
    generated_catalogue,
    generated_tools,
    integration_wire,
    oauth2_method,
)
from ._demo import DEMO_CONFIGS, demo_catalogue, demo_config_id
from ._emulator_faults import FaultInjection
from ._emulator_outside import OutsideChanges
from ._log import RequestRecord
from ._oauth import default_scopes
from ._routes import check_route
from ._server import EmulatorServer
from ._store import ALL_SCOPES, Store, TokenInfo, set_auth


class FruxonEmulator(OutsideChanges, FaultInjection):
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
        self._store = Store(workspace)
        self._store.tokens[self._token] = TokenInfo("emulator-default", ALL_SCOPES)
        self._app = Application(self._store, workspace, key_ttl=key_ttl)
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
                config_id = demo_config_id(integration_id, n)
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

    # -- catalogue, configs and revisions -------------------------------------------------------

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
            config = self._app.configs.new(integration, display_name, config_id=config_id)
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
            return self._app.revisions.history(config_id)

    def published(self, config_id: str) -> dict[str, Any] | None:
        """The revision tool calls resolve now (unmasked), or None before the first publish."""
        with self._app.lock:
            return self._app.revisions.published(config_id)

    # publish, rollback, patch_config, remove_auth and delete_config, the changes a dashboard
    # user makes, are `OutsideChanges`'s (_emulator_outside.py).

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
            lifetime = self._app.oauth.key_ttl if ttl is None else ttl
            return self._app.oauth.mint_key(integration, auth_method, scopes, lifetime)

    # -- credential links -----------------------------------------------------------------------
    # (filling one and its expiry are `OutsideChanges`'s.)

    def credential_links(self, config_id: str | None = None) -> list[dict[str, Any]]:
        """Every link minted (for one config, when given), oldest first, without URLs:
        `id`, `status` (OPEN, FILLED, EXPIRED or WITHDRAWN), `revisionId` once filled, ..."""
        with self._app.lock:
            return [
                link.record()
                for link in self._app.links.by_hash.values()
                if config_id is None or link.config_id == config_id
            ]

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
