"""OAuth consent and credential keys: `:authorize`, the consent page, `:consumeOAuthCredentials`.
Not thread-safe: callers hold the application's lock.

`:authorize` checks the body and returns an opaque state for the consent URL; approving the
consent mints a single-use, short-lived credential key; consuming the key binds its OAuth tokens
to a config's draft (a config create or PATCH with `oauthCredentialKey` does the same, through
`usable_key` and `bind_key`). Nothing here publishes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._urls import return_url_problem
from ._catalogue import JSONObject
from ._store import Store, set_auth, touch
from ._wire import Problem, fields, invalid, object_field

_SINGLE_USE = (
    "Credential keys are single-use and short-lived: run the consent flow again "
    "(POST :authorize) for a new key."
)


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


class OAuth:
    """Pending consents by state, and every credential key minted, by key."""

    def __init__(self, store: Store, key_ttl: float) -> None:
        self.store = store
        self.key_ttl = key_ttl  # seconds a key minted by consent lives
        self.consents: dict[str, Consent] = {}
        self.keys: dict[str, CredentialKey] = {}

    def authorize(self, integration_id: str, body: dict[str, Any]) -> str:
        """Validate an `:authorize` body and return the opaque consent state."""
        values = fields(body)
        method_id = values.get("integrationauthmetadataid")
        if not isinstance(method_id, str) or not method_id:
            raise invalid(
                "integrationAuthMetadataId", "The integrationAuthMetadataId field is required."
            )
        entry = self.store.entry(integration_id)
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
        object_field(values, "configparameters")
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
        config = self.store.config(integration_id, values["integrationconfigid"])
        key = self.usable_key(integration_id, values["credentialkey"])
        assert key is not None
        self.bind_key(config, key)

    def usable_key(self, integration_id: str, key: object) -> CredentialKey | None:
        """The key's record if it can be consumed for this integration; None for no key (absent
        or empty); else 400."""
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

    def bind_key(self, config: JSONObject, key: CredentialKey) -> None:
        """Spend the key and bind its OAuth tokens to the config's draft. Nothing is published."""
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
