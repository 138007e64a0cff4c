"""Revisions: `:publish` snapshots a config's draft as its next immutable revision, `:rollback`
points the config back at an earlier one, and the revisions endpoints read them masked.
Not thread-safe: callers hold the application's lock.

A stored revision keeps its credentials unmasked, as tool calls would use them; `:publish` and
`:rollback` echo it so, and the reads mask it as a config GET does.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ._catalogue import JSONObject
from ._store import CREATED_BY, MASKED, Store, now_ms
from ._wire import Problem, fields, invalid


class Revisions:
    """The published revisions of every config, oldest first, by config id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_config: dict[str, list[JSONObject]] = {}

    def publish(self, integration_id: str, config_id: str, body: dict[str, Any]) -> JSONObject:
        """Snapshot the draft as the next immutable revision and point the config at it.

        Returns the revision unmasked, credentials included, as Fruxon's `:publish` echoes it.
        The draft itself (and its `modifiedAt`) is left alone.
        """
        config = self.store.config(integration_id, config_id)
        note = fields(body).get("note")
        if note is not None and not isinstance(note, str):
            raise invalid("note", "The note field must be a string.")
        history = self.by_config.setdefault(config_id, [])
        auth = config["auth"]
        revision: JSONObject = {
            "id": str(uuid.uuid4()),
            "tenantId": self.store.tenant,
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
        config = self.store.config(integration_id, config_id)
        revision_id = fields(body).get("revisionid")
        if not isinstance(revision_id, str) or not revision_id:
            raise invalid("revisionId", "The revisionId field is required.")
        revision = self.revision(integration_id, config_id, revision_id)
        config["publishedRevisionId"] = revision["id"]
        return copy.deepcopy(revision)

    def revision(self, integration_id: str, config_id: str, revision_id: str) -> JSONObject:
        """One revision of the config (unmasked, the stored object), or 404."""
        self.store.config(integration_id, config_id)
        for revision in self.by_config.get(config_id, []):
            if revision["id"] == revision_id:
                return revision
        raise Problem(
            404,
            f"Revision '{revision_id}' was not found for config '{config_id}'.",
            code="revision_not_found",
        )

    def view(self, integration_id: str, revision: JSONObject) -> JSONObject:
        """A revision as the revisions endpoints return it: masked like a config."""
        shown = copy.deepcopy(revision)
        shown["parameters"] = self.store.masked(integration_id, shown["parameters"])
        if shown["auth"] is not None:
            credentials = shown["auth"].get("parameters") or {}
            shown["auth"]["parameters"] = {name: MASKED for name, v in credentials.items() if v}
        return shown

    def views(self, integration_id: str, config_id: str) -> list[JSONObject]:
        """Every revision of the config, oldest first, as `GET …/revisions` lists them."""
        self.store.config(integration_id, config_id)
        return [self.view(integration_id, r) for r in self.by_config.get(config_id, [])]

    def history(self, config_id: str) -> list[JSONObject]:
        """Every revision of the config, oldest first, unmasked (copies). KeyError when the
        config is unknown."""
        if config_id not in self.store.configs:
            raise KeyError(config_id)
        return copy.deepcopy(self.by_config.get(config_id, []))

    def published(self, config_id: str) -> JSONObject | None:
        """The revision the config points at now (unmasked, a copy), or None before the first
        publish. KeyError when the config is unknown."""
        wanted = self.store.configs[config_id]["publishedRevisionId"]
        for revision in self.by_config.get(config_id, []):
            if revision["id"] == wanted:
                return copy.deepcopy(revision)
        return None

    def forget(self, config_id: str) -> None:
        """Drop a deleted config's revisions."""
        self.by_config.pop(config_id, None)
