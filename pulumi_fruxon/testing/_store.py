"""The emulator's shared state: the catalogue and its lists, the configs, the tokens, and the
lookups and masked views every job reads them through. Not thread-safe: callers hold the lock.

Each job that changes the state has its own module, holding the store: config create, PATCH and
delete (`_configs.py`), OAuth consent and credential keys (`_oauth.py`), revisions, publish and
rollback (`_revisions.py`), credential links (`_links.py`). `Application` (`_app.py`) composes
them.
"""

from __future__ import annotations

import bisect
import copy
import functools
import time
from dataclasses import dataclass
from typing import Any

from ._catalogue import IntegrationSpec, JSONObject
from ._paging import ListQuery, list_page
from ._wire import Problem, dump

# `workspace:write` lets the default token mint credential links that need no sign-in.
ALL_SCOPES = ("integrations:read", "integrations:write", "tools:read", "workspace:write")
CREATED_BY = "emulator-user"
# What GET, list and PATCH responses show in place of a secret parameter's value. Sending it back
# in a PATCH keeps the stored secret, as Fruxon documents for its own mask.
MASKED = "********"


def now_ms() -> int:
    """Wall-clock epoch milliseconds, as the wire's timestamps are."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class TokenInfo:
    """A bearer token the emulator accepts; scopes kept in the order they were granted."""

    name: str
    scopes: tuple[str, ...]


class Entry:
    """One integration with its list bytes serialised once, for fast lists.

    The single-object and tool bytes are built on first use: a 10,000-item catalogue starts
    quicker, and nothing is encoded twice.
    """

    def __init__(self, spec: IntegrationSpec) -> None:
        self.spec = spec
        wire = spec.wire
        self.list_bytes = dump({**wire, "toolCount": len(spec.tools)})
        self.search_text = "\n".join(
            (str(wire["id"]), str(wire["displayName"]), str(wire["description"]))
        ).lower()

    @functools.cached_property
    def get_bytes(self) -> bytes:
        return dump(self.spec.wire)

    @functools.cached_property
    def tool_bytes(self) -> list[bytes]:
        return [dump(tool) for tool in self.spec.tools]

    @property
    def id(self) -> str:
        return str(self.spec.wire["id"])

    def auth_method(self, method_id: str) -> JSONObject | None:
        """The `authMetadata[]` item with this id."""
        for method in self.spec.wire["configMetadata"]["authMetadata"]:
            if method.get("id") == method_id:
                return dict(method)
        return None


class Store:
    """Integrations, configs and tokens, and the lookups that answer 404 for what is not there."""

    def __init__(self, tenant: str = "demo") -> None:
        self.tenant = tenant
        self.integrations: dict[str, Entry] = {}
        self.order: list[str] = []  # ids, sorted: the stable list order
        self.configs: dict[str, JSONObject] = {}
        self.tokens: dict[str, TokenInfo] = {}
        # Bumped on every change that can alter a list result; invalidates the filter cache.
        self._generation = 0
        self._matches: dict[tuple[object, ...], tuple[int, list[bytes]]] = {}

    # -- the catalogue --------------------------------------------------------------------------

    def add_integration(self, spec: IntegrationSpec) -> None:
        integration_id = str(spec.wire["id"])
        if integration_id in self.integrations:
            raise ValueError(f"integration {integration_id!r} already exists")
        self.integrations[integration_id] = Entry(spec)
        bisect.insort(self.order, integration_id)
        self._generation += 1

    def entry(self, integration_id: str) -> Entry:
        """The integration, or 404."""
        found = self.integrations.get(integration_id)
        if found is None:
            raise Problem(
                404, f"Integration '{integration_id}' was not found.", code="integration_not_found"
            )
        return found

    def list_integrations(self, query: ListQuery, *, mode: str | None = None) -> bytes:
        key = query.filter_key()
        cached = self._matches.get(key)
        if cached is None or cached[0] != self._generation:
            with_configs = {c["integrationId"] for c in self.configs.values()}
            matches = [
                entry.list_bytes
                for entry in (self.integrations[i] for i in self.order)
                if _matches(entry, query, entry.id in with_configs)
            ]
            cached = (self._generation, matches)
            self._matches[key] = cached
        return list_page(cached[1], query, mode=mode)

    def list_tools(
        self, integration_id: str, query: ListQuery, *, mode: str | None = None
    ) -> bytes:
        entry = self.entry(integration_id)
        matches = [
            data
            for tool, data in zip(entry.spec.tools, entry.tool_bytes, strict=True)
            if _tool_matches(tool, query)
        ]
        return list_page(matches, query, mode=mode)

    def secret_parameters(self, integration_id: str) -> set[str]:
        """Names the integration's `parametersMetadata` marks `secret: true`."""
        entry = self.integrations.get(integration_id)
        if entry is None:
            return set()
        metadata = entry.spec.wire["configMetadata"]["parametersMetadata"]
        return {str(p["name"]) for p in metadata if p.get("secret")}

    # -- configs: the lookups and reads (create, PATCH and delete are in _configs.py) -----------

    def add_config(self, config: JSONObject) -> None:
        """Keep a new config; `Configs.new` builds it."""
        self.configs[config["id"]] = config
        self._generation += 1

    def remove_config(self, config_id: str) -> None:
        del self.configs[config_id]
        self._generation += 1

    def config(self, integration_id: str, config_id: str) -> JSONObject:
        """The config, or 404 when unknown or owned by another integration."""
        self.entry(integration_id)
        config = self.configs.get(config_id)
        if config is None or config["integrationId"] != integration_id:
            raise Problem(
                404,
                f"Config '{config_id}' was not found for integration '{integration_id}'.",
                code="config_not_found",
            )
        return config

    def list_configs(self, integration_id: str) -> list[JSONObject]:
        self.entry(integration_id)
        return [self.view(c) for c in self.configs.values() if c["integrationId"] == integration_id]

    def view(self, config: JSONObject) -> JSONObject:
        """The config as GET returns it: secret parameters masked, credentials left out."""
        shown = {k: v for k, v in config.items() if not k.startswith("_")}
        shown["parameters"] = self.masked(str(config["integrationId"]), config["parameters"])
        return copy.deepcopy(shown)

    def masked(self, integration_id: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """`parameters` with every non-empty secret value shown as `MASKED`."""
        secret = self.secret_parameters(integration_id)
        return {
            name: MASKED if name in secret and value else value
            for name, value in parameters.items()
        }


def touch(config: JSONObject) -> None:
    """Bump `modifiedAt` strictly, even twice in one millisecond."""
    config["modifiedAt"] = max(now_ms(), int(config["modifiedAt"]) + 1)


def set_auth(
    config: JSONObject, auth: JSONObject | None, credentials: dict[str, Any] | None = None
) -> None:
    """Set the draft's auth summary and its credentials, which only `:publish` ever echoes."""
    config["auth"] = copy.deepcopy(auth)
    config["hasAuth"] = auth is not None
    config["authMethodId"] = auth["integrationAuthMetadataId"] if auth else None
    config["_credentials"] = dict(credentials or {}) if auth is not None else {}


def _flag(wanted: bool | None, actual: bool) -> bool:
    return wanted is None or wanted == actual


def _matches(entry: Entry, query: ListQuery, has_configs: bool) -> bool:
    wire = entry.spec.wire
    if query.search and query.search not in entry.search_text:
        return False
    if query.types and str(wire["type"]).upper() not in query.types:
        return False
    if query.tags and not {str(t).lower() for t in wire["tags"]} & set(query.tags):
        return False
    return (
        _flag(query.has_configs, has_configs)
        and _flag(query.has_triggers, entry.spec.has_triggers)
        and _flag(query.has_channels, entry.spec.has_channels)
    )


def _tool_matches(tool: JSONObject, query: ListQuery) -> bool:
    if query.types and str(tool.get("toolType", "")).upper() not in query.types:
        return False
    if query.search:
        text = " ".join(str(tool.get(k, "")) for k in ("id", "displayName", "description"))
        return query.search in text.lower()
    return True
