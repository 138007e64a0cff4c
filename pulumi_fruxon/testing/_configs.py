"""Config writes: create, PATCH and delete a draft config, checking each body as Fruxon does.
Not thread-safe: callers hold the application's lock.

The configs themselves, their lookups and the masked view GET returns are the store's
(`_store.py`). A body's `oauthCredentialKey` binds through `_oauth.py`, as a consume would;
publishing the draft is `_revisions.py`'s job, and deleting a config drops its revisions too.
"""

from __future__ import annotations

import uuid
from typing import Any

from ._catalogue import JSONObject
from ._oauth import OAuth
from ._revisions import Revisions
from ._store import CREATED_BY, MASKED, Entry, Store, now_ms, set_auth, touch
from ._wire import fields, invalid, object_field

SANDBOX_MODES = ("UNSPECIFIED", "NONE", "VENDOR", "SIMULATED", "READ_THROUGH")


class Configs:
    """Create, PATCH and delete configs in the store."""

    def __init__(self, store: Store, oauth: OAuth, revisions: Revisions) -> None:
        self.store = store
        self.oauth = oauth
        self.revisions = revisions

    def new(
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
        self.store.add_config(config)
        return config

    def create(self, integration_id: str, body: dict[str, Any]) -> JSONObject:
        entry = self.store.entry(integration_id)
        values = fields(body)
        display_name = values.get("displayname")
        if not isinstance(display_name, str) or not display_name.strip():
            raise invalid("displayName", "The displayName field is required.")
        parameters = object_field(values, "parameters")
        raw_auth = values.get("auth")
        auth = _auth_from_body(entry, raw_auth)
        sandbox = _sandbox_mode(values.get("sandboxmode"))
        key = self.oauth.usable_key(integration_id, values.get("oauthcredentialkey"))
        if parameters is not None:
            self._reject_masked(integration_id, parameters, {})
        config = self.new(integration_id, display_name, parameters=parameters)
        if auth is not None:
            set_auth(config, auth, _auth_parameters(raw_auth))
        if sandbox is not None:
            config["sandboxMode"] = sandbox
        _set_auth_map(config, values.get("authmap"))
        if key is not None:
            self.oauth.bind_key(config, key)
        return config

    def patch(self, integration_id: str, config_id: str, body: dict[str, Any]) -> JSONObject:
        entry = self.store.entry(integration_id)
        config = self.store.config(integration_id, config_id)
        values = fields(body)
        display_name = values.get("displayname")
        if display_name is not None and (not isinstance(display_name, str) or not display_name):
            raise invalid("displayName", "The displayName must be a non-empty string.")
        parameters = object_field(values, "parameters")
        sandbox = _sandbox_mode(values.get("sandboxmode"))
        raw_auth = values.get("auth")
        auth = _auth_from_body(entry, raw_auth)
        key = self.oauth.usable_key(integration_id, values.get("oauthcredentialkey"))
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
            self.oauth.bind_key(config, key)
        touch(config)
        return config

    def delete(self, integration_id: str, config_id: str) -> None:
        self.store.config(integration_id, config_id)
        self.store.remove_config(config_id)
        self.revisions.forget(config_id)

    def _reject_masked(
        self, integration_id: str, sent: dict[str, Any], stored: dict[str, Any]
    ) -> dict[str, Any]:
        """`sent` with each masked secret replaced by its stored value; 400 if there is none."""
        secret = self.store.secret_parameters(integration_id)
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


def _auth_from_body(entry: Entry, raw: object) -> JSONObject | None:
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


def _sandbox_mode(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or raw.upper() not in SANDBOX_MODES:
        raise invalid("sandboxMode", f"The value '{raw}' is not valid.")
    return raw.upper()
