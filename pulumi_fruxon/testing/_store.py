"""The emulator's state and the operations on it. Not thread-safe: callers hold the lock."""

from __future__ import annotations

import bisect
import copy
import functools
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._urls import return_url_problem
from ._catalogue import IntegrationSpec, JSONObject
from ._paging import ListQuery, list_page
from ._wire import Problem, dump, invalid

# `workspace:write` lets the default token mint credential links that need no sign-in.
ALL_SCOPES = ("integrations:read", "integrations:write", "tools:read", "workspace:write")
SANDBOX_MODES = ("UNSPECIFIED", "NONE", "VENDOR", "SIMULATED", "READ_THROUGH")
CREATED_BY = "emulator-user"
# What GET, list and PATCH responses show in place of a secret parameter's value. Sending it back
# in a PATCH keeps the stored secret, as Fruxon documents for its own mask.
MASKED = "********"

_SINGLE_USE = (
    "Credential keys are single-use and short-lived: run the consent flow again "
    "(POST :authorize) for a new key."
)


def now_ms() -> int:
    """Wall-clock epoch milliseconds, as the wire's timestamps are."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class TokenInfo:
    """A bearer token the emulator accepts; scopes kept in the order they were granted."""

    name: str
    scopes: tuple[str, ...]


@dataclass
class CredentialKey:
    """A key minted by consent, waiting to be consumed once."""

    integration_id: str
    auth_method_id: str
    scopes: list[str]
    expires_at: float  # time.monotonic()
    spent: bool = False


@dataclass
class Consent:
    """A pending `:authorize`: the opaque state in the consent URL points here."""

    integration_id: str
    auth_method_id: str
    scopes: list[str]
    return_url: str | None
    used: bool = False


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


def default_scopes(method: JSONObject) -> list[str]:
    """The scopes a consent grants when none are asked for."""
    settings = method.get("authSettings") or {}
    chosen = settings.get("defaultScopes")
    return list(chosen) if isinstance(chosen, list) else scope_names(method)


def scope_names(method: JSONObject) -> list[str]:
    """`availableScopes` as strings, whether stored as strings or objects."""
    names = []
    for scope in method.get("availableScopes") or []:
        if isinstance(scope, dict):
            scope = scope.get("scope") or scope.get("id") or scope.get("name")
        if isinstance(scope, str):
            names.append(scope)
    return names


def fields(body: dict[str, Any]) -> dict[str, Any]:
    """Body keys lower-cased: the server binds JSON case-insensitively."""
    return {key.lower(): value for key, value in body.items()}


class Store:
    """Integrations, configs, tokens, consents and credential keys."""

    def __init__(self, key_ttl: float, tenant: str = "demo") -> None:
        self.key_ttl = key_ttl
        self.tenant = tenant
        self.integrations: dict[str, Entry] = {}
        self.order: list[str] = []  # ids, sorted: the stable list order
        self.configs: dict[str, JSONObject] = {}
        self.tokens: dict[str, TokenInfo] = {}
        self.consents: dict[str, Consent] = {}
        self.keys: dict[str, CredentialKey] = {}
        # Published revisions per config id, oldest first, credentials unmasked.
        self.revisions: dict[str, list[JSONObject]] = {}
        # Bumped on every change that can alter a list result; invalidates the filter cache.
        self._generation = 0
        self._matches: dict[tuple[object, ...], tuple[int, list[bytes]]] = {}

    # -- catalogue ------------------------------------------------------------------------------

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

    # -- configs --------------------------------------------------------------------------------

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
        secret = self.secret_parameters(str(config["integrationId"]))
        shown = {k: v for k, v in config.items() if not k.startswith("_")}
        shown["parameters"] = {
            name: MASKED if name in secret and value else value
            for name, value in config["parameters"].items()
        }
        return copy.deepcopy(shown)

    def secret_parameters(self, integration_id: str) -> set[str]:
        """Names the integration's `parametersMetadata` marks `secret: true`."""
        entry = self.integrations.get(integration_id)
        if entry is None:
            return set()
        metadata = entry.spec.wire["configMetadata"]["parametersMetadata"]
        return {str(p["name"]) for p in metadata if p.get("secret")}

    # -- publishing -----------------------------------------------------------------------------

    def publish(self, integration_id: str, config_id: str, body: dict[str, Any]) -> JSONObject:
        """Snapshot the draft as the next immutable revision and point the config at it.

        Returns the revision unmasked, credentials included, as Fruxon's `:publish` echoes it.
        The draft itself (and its `modifiedAt`) is left alone.
        """
        config = self.config(integration_id, config_id)
        note = fields(body).get("note")
        if note is not None and not isinstance(note, str):
            raise invalid("note", "The note field must be a string.")
        history = self.revisions.setdefault(config_id, [])
        auth = config["auth"]
        revision: JSONObject = {
            "id": str(uuid.uuid4()),
            "tenantId": self.tenant,
            "configId": config_id,
            "version": len(history) + 1,
            "note": note or None,
            "parameters": copy.deepcopy(config["parameters"]),
            "auth": None
            if auth is None
            else {
                "integrationAuthMetadataId": auth["integrationAuthMetadataId"],
                "level": auth["level"],
                "grantedScopes": list(auth.get("grantedScopes") or []),
                "parameters": copy.deepcopy(config.get("_credentials") or {}),
            },
            "authMap": copy.deepcopy(config["authMapEntries"]),
            "sandboxMode": config["sandboxMode"],
            "createdBy": CREATED_BY,
            "createdAt": now_ms(),
        }
        history.append(revision)
        config["publishedRevisionId"] = revision["id"]
        return copy.deepcopy(revision)

    def rollback(self, integration_id: str, config_id: str, body: dict[str, Any]) -> JSONObject:
        """Point the config at an earlier revision; no new version. Echoes it like publish."""
        config = self.config(integration_id, config_id)
        revision_id = fields(body).get("revisionid")
        if not isinstance(revision_id, str) or not revision_id:
            raise invalid("revisionId", "The revisionId field is required.")
        revision = self.revision(integration_id, config_id, revision_id)
        config["publishedRevisionId"] = revision["id"]
        return copy.deepcopy(revision)

    def revision(self, integration_id: str, config_id: str, revision_id: str) -> JSONObject:
        """One revision of the config (unmasked, the stored object), or 404."""
        self.config(integration_id, config_id)
        for revision in self.revisions.get(config_id, []):
            if revision["id"] == revision_id:
                return revision
        raise Problem(
            404,
            f"Revision '{revision_id}' was not found for config '{config_id}'.",
            code="revision_not_found",
        )

    def revision_view(self, integration_id: str, revision: JSONObject) -> JSONObject:
        """A revision as the revisions endpoints return it: masked like a config."""
        secret = self.secret_parameters(integration_id)
        shown = copy.deepcopy(revision)
        shown["parameters"] = {
            name: MASKED if name in secret and value else value
            for name, value in revision["parameters"].items()
        }
        if shown["auth"] is not None:
            credentials = shown["auth"].get("parameters") or {}
            shown["auth"]["parameters"] = {name: MASKED for name, v in credentials.items() if v}
        return shown

    def list_revisions(self, integration_id: str, config_id: str) -> list[JSONObject]:
        self.config(integration_id, config_id)
        return [self.revision_view(integration_id, r) for r in self.revisions.get(config_id, [])]

    def new_config(
        self,
        integration_id: str,
        display_name: str,
        *,
        parameters: dict[str, Any] | None = None,
        config_id: str | None = None,
    ) -> JSONObject:
        """Store a fresh, unauthorised draft config and return it."""
        stamp = now_ms()
        config: JSONObject = {
            "id": config_id or str(uuid.uuid4()),
            "integrationId": integration_id,
            "displayName": display_name,
            "parameters": dict(parameters or {}),
            "hasAuth": False,
            "hasAuthMap": False,
            "authMethodId": None,
            "auth": None,
            "authMapEntries": [],
            "sandboxMode": "NONE",
            "publishedRevisionId": None,
            "createdBy": CREATED_BY,
            "createdAt": stamp,
            "modifiedAt": stamp,
        }
        self.configs[config["id"]] = config
        self._generation += 1
        return config

    def create_config(self, integration_id: str, body: dict[str, Any]) -> JSONObject:
        entry = self.entry(integration_id)
        values = fields(body)
        display_name = values.get("displayname")
        if not isinstance(display_name, str) or not display_name.strip():
            raise invalid("displayName", "The displayName field is required.")
        parameters = _object_field(values, "parameters")
        raw_auth = values.get("auth")
        auth = self._auth_from_body(entry, raw_auth)
        sandbox = _sandbox_mode(values.get("sandboxmode"))
        key = self._usable_key(integration_id, values.get("oauthcredentialkey"))
        if parameters is not None:
            self._reject_masked(integration_id, parameters, {})
        config = self.new_config(integration_id, display_name, parameters=parameters)
        if auth is not None:
            set_auth(config, auth, _auth_parameters(raw_auth))
        if sandbox is not None:
            config["sandboxMode"] = sandbox
        _set_auth_map(config, values.get("authmap"))
        if key is not None:
            self._bind_key(config, key)
        return config

    def patch_config(self, integration_id: str, config_id: str, body: dict[str, Any]) -> JSONObject:
        entry = self.entry(integration_id)
        config = self.config(integration_id, config_id)
        values = fields(body)
        display_name = values.get("displayname")
        if display_name is not None and (not isinstance(display_name, str) or not display_name):
            raise invalid("displayName", "The displayName must be a non-empty string.")
        parameters = _object_field(values, "parameters")
        sandbox = _sandbox_mode(values.get("sandboxmode"))
        raw_auth = values.get("auth")
        auth = self._auth_from_body(entry, raw_auth)
        key = self._usable_key(integration_id, values.get("oauthcredentialkey"))
        if parameters is not None:
            # The map replaces the stored one whole; a masked secret sent back keeps its value.
            parameters = self._reject_masked(integration_id, parameters, config["parameters"])
        if display_name is not None:
            config["displayName"] = display_name
        if parameters is not None:
            config["parameters"] = parameters
        if sandbox is not None:
            config["sandboxMode"] = sandbox
        if raw_auth is not None:
            # Emulator choice: an `auth` without integrationAuthMetadataId (e.g. {}) clears it.
            set_auth(config, auth, _auth_parameters(raw_auth))
        _set_auth_map(config, values.get("authmap"))
        if key is not None:
            self._bind_key(config, key)
        touch(config)
        return config

    def delete_config(self, integration_id: str, config_id: str) -> None:
        self.config(integration_id, config_id)
        del self.configs[config_id]
        self.revisions.pop(config_id, None)
        self._generation += 1

    def _reject_masked(
        self, integration_id: str, sent: dict[str, Any], stored: dict[str, Any]
    ) -> dict[str, Any]:
        """`sent` with each masked secret replaced by its stored value; 400 if there is none."""
        secret = self.secret_parameters(integration_id)
        kept = dict(sent)
        for name, value in sent.items():
            if value == MASKED and name in secret:
                if not stored.get(name):
                    raise invalid(
                        f"parameters.{name}",
                        "The masked value was sent for a secret that has no stored value.",
                    )
                kept[name] = stored[name]
        return kept

    def _auth_from_body(self, entry: Entry, raw: object) -> JSONObject | None:
        """Validate a body's `auth`; None for absent, null, or one that names no method."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise invalid("auth", "The auth field must be an object.")
        auth = fields(raw)
        method_id = auth.get("integrationauthmetadataid")
        if not method_id:
            return None
        method = entry.auth_method(str(method_id))
        if method is None:
            raise invalid(
                "auth.integrationAuthMetadataId",
                f"Integration '{entry.id}' has no auth method '{method_id}'.",
            )
        level = str(auth.get("level") or "APPLICATION").upper()
        if level not in ("APPLICATION", "USER"):
            raise invalid("auth.level", f"The value '{auth.get('level')}' is not valid.")
        return {"level": level, "integrationAuthMetadataId": method["id"], "grantedScopes": []}

    # -- OAuth ----------------------------------------------------------------------------------

    def authorize(self, integration_id: str, body: dict[str, Any]) -> str:
        """Validate an `:authorize` body and return the opaque consent state."""
        values = fields(body)
        method_id = values.get("integrationauthmetadataid")
        if not isinstance(method_id, str) or not method_id:
            raise invalid(
                "integrationAuthMetadataId", "The integrationAuthMetadataId field is required."
            )
        entry = self.entry(integration_id)
        method = entry.auth_method(method_id)
        if method is None:
            raise Problem(
                400,
                f"Integration '{integration_id}' has no auth method '{method_id}'.",
                code="unknown_auth_method",
            )
        if method.get("type") != "O_AUTH2":
            raise Problem(
                400,
                f"Auth method '{method_id}' is {method.get('type')}, not O_AUTH2.",
                code="not_oauth2",
            )
        scopes = values.get("scopes") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise invalid("scopes", "The scopes field must be a list of strings.")
        unknown = [s for s in scopes if s not in scope_names(method)]
        if unknown:
            raise Problem(
                400,
                f"Scopes not offered by '{method_id}': {', '.join(unknown)}.",
                code="invalid_scopes",
            )
        _object_field(values, "configparameters")
        return_url = values.get("returnurl")
        if return_url is not None:
            problem = (
                return_url_problem(return_url)
                if isinstance(return_url, str)
                else "must be a string"
            )
            if problem:
                raise invalid("returnUrl", f"The returnUrl {problem}.")
        state = secrets.token_urlsafe(24)
        self.consents[state] = Consent(
            integration_id, method_id, list(scopes) or default_scopes(method), return_url
        )
        return state

    def approve_consent(self, state: str | None) -> tuple[str, str | None]:
        """What the consent page does: mint a key for the state, once. Returns key, returnUrl."""
        consent = self.consents.get(state or "")
        if consent is None:
            raise Problem(400, "Unknown consent state.", code="consent_state_unknown")
        if consent.used:
            raise Problem(
                400, "This consent was already approved.", code="consent_state_already_used"
            )
        consent.used = True
        key = self.mint_key(
            consent.integration_id, consent.auth_method_id, consent.scopes, self.key_ttl
        )
        return key, consent.return_url

    def mint_key(
        self, integration_id: str, auth_method_id: str, scopes: Sequence[str], ttl: float
    ) -> str:
        key = "fxck_" + secrets.token_urlsafe(32)
        self.keys[key] = CredentialKey(
            integration_id, auth_method_id, list(scopes), time.monotonic() + ttl
        )
        return key

    def consume(self, integration_id: str, body: dict[str, Any]) -> None:
        """`:consumeOAuthCredentials`: bind the key's auth to the config's draft; no publish."""
        values = fields(body)
        errors = {
            name: [f"The {name} field is required."]
            for name in ("credentialKey", "integrationConfigId")
            if not isinstance(values.get(name.lower()), str) or not values.get(name.lower())
        }
        if errors:
            raise Problem(400, "; ".join(m[0] for m in errors.values()), errors=errors)
        config = self.config(integration_id, values["integrationconfigid"])
        key = self._usable_key(integration_id, values["credentialkey"])
        assert key is not None
        self._bind_key(config, key)

    def _usable_key(self, integration_id: str, key: object) -> CredentialKey | None:
        """The key's record if it can be consumed for this integration; else 400."""
        if key is None or key == "":
            return None
        record = self.keys.get(key) if isinstance(key, str) else None
        if record is None:
            raise Problem(
                400, f"Unknown credential key. {_SINGLE_USE}", code="credential_key_unknown"
            )
        if record.spent:
            raise Problem(
                400,
                f"This credential key was already consumed. {_SINGLE_USE}",
                code="credential_key_spent",
            )
        if time.monotonic() >= record.expires_at:
            raise Problem(
                400,
                f"This credential key has expired. {_SINGLE_USE}",
                code="credential_key_expired",
            )
        if record.integration_id != integration_id:
            raise Problem(
                400,
                f"This credential key was minted for integration '{record.integration_id}'.",
                code="credential_key_integration_mismatch",
            )
        return record

    def _bind_key(self, config: JSONObject, key: CredentialKey) -> None:
        """Bind the key's OAuth tokens to the config's draft. Nothing is published."""
        key.spent = True
        set_auth(
            config,
            {
                "level": "APPLICATION",
                "integrationAuthMetadataId": key.auth_method_id,
                "grantedScopes": list(key.scopes),
            },
            {
                "accessToken": "fxoat_" + secrets.token_urlsafe(24),
                "refreshToken": "fxort_" + secrets.token_urlsafe(24),
            },
        )
        touch(config)


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


def _auth_parameters(raw: object) -> dict[str, Any]:
    """The credential values an `auth` body carries (`auth.parameters`), if any."""
    if not isinstance(raw, dict):
        return {}
    values = fields(raw).get("parameters")
    return dict(values) if isinstance(values, dict) else {}


def _set_auth_map(config: JSONObject, raw: object) -> None:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise invalid("authMap", "The authMap field must be a list.")
    entries = [
        {"parameters": dict(item.get("parameters") or {})} for item in raw if isinstance(item, dict)
    ]
    config["authMapEntries"] = entries
    config["hasAuthMap"] = bool(entries)


def _object_field(values: dict[str, Any], name: str) -> dict[str, Any] | None:
    raw = values.get(name)
    if raw is not None and not isinstance(raw, dict):
        raise invalid(name, f"The {name} field must be an object.")
    return dict(raw) if raw is not None else None


def _sandbox_mode(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or raw.upper() not in SANDBOX_MODES:
        raise invalid("sandboxMode", f"The value '{raw}' is not valid.")
    return raw.upper()


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
