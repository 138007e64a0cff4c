"""Credential links: a page where a human types a config's own credentials, which are then
published as the config's next revision. Not thread-safe: callers hold the application's lock.

The link's URL carries a random token; like Fruxon, the emulator keeps only its SHA-256, so the
URL exists only in the response that minted it.
"""

from __future__ import annotations

import hashlib
import html
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from ._catalogue import JSONObject
from ._revisions import Revisions
from ._store import Entry, Store, now_ms, set_auth, touch
from ._wire import Problem, fields, invalid

LINK_PATH = "/credential-links/"
DEFAULT_TTL_HOURS = 168
MAX_TTL_HOURS = 720
# The credential shapes a link page can take, as the official CLI lists them.
LINKABLE_TYPES = frozenset({"API_KEY", "BEARER_TOKEN", "BASIC_AUTH"})
_HOUR_MS = 3_600_000

# The fields a method without its own `parametersMetadata` asks for, by credential type.
_DEFAULT_FIELDS = {
    "API_KEY": [("api_key", "API key", True)],
    "BEARER_TOKEN": [("token", "Bearer token", True)],
    "BASIC_AUTH": [("username", "Username", False), ("password", "Password", True)],
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def credential_type(method: JSONObject) -> str:
    """The shape the method's credential is entered in; a custom method names a standard one."""
    return str(method.get("userCredentialAuthType") or method.get("type") or "").upper()


@dataclass(frozen=True)
class LinkField:
    """One input of the link page."""

    name: str
    label: str
    secret: bool
    required: bool = True


@dataclass
class CredentialLink:
    """A minted link. `status` is OPEN, FILLED or WITHDRAWN (a newer link replaced it, or the
    config was deleted); an open link past `expires_at` reads as EXPIRED."""

    id: str
    integration_id: str
    config_id: str
    token_hash: str
    mode: str
    created_at: int
    expires_at: int
    intended_for_email: str | None
    note: str | None
    status: str = "OPEN"
    closed_at: int | None = None
    revision_id: str | None = None

    def current_status(self) -> str:
        if self.status == "OPEN" and now_ms() >= self.expires_at:
            return "EXPIRED"
        return self.status

    def wire(self) -> JSONObject:
        """The link as the create response shows it, without the URL."""
        return {
            "id": self.id,
            "mode": self.mode,
            "expiresAt": self.expires_at,
            "createdAt": self.created_at,
            "intendedForEmail": self.intended_for_email,
            "note": self.note,
        }

    def record(self) -> JSONObject:
        """What the emulator's helpers show: the wire fields plus where the link stands."""
        return {
            **self.wire(),
            "configId": self.config_id,
            "integrationId": self.integration_id,
            "status": self.current_status(),
            "closedAt": self.closed_at,
            "revisionId": self.revision_id,
        }


class CredentialLinks:
    """Every link minted, by token hash, and the operations on them."""

    def __init__(self, store: Store, revisions: Revisions) -> None:
        self.store = store
        self.revisions = revisions
        self.by_hash: dict[str, CredentialLink] = {}

    def create(
        self, integration_id: str, config_id: str, body: dict[str, Any], scopes: tuple[str, ...]
    ) -> tuple[CredentialLink, str]:
        """Mint a link for the config; returns it and its token (the URL's secret part)."""
        entry = self.store.entry(integration_id)
        config = self.store.config(integration_id, config_id)
        require_sign_in, email, note, ttl_hours = _link_body(body)
        if not require_sign_in and "workspace:write" not in scopes:
            raise Problem(
                403,
                "A link without sign-in also needs the 'workspace:write' scope.",
                title="Forbidden",
                extra={
                    "error": "insufficient_scope",
                    "required": "workspace:write",
                    "granted": list(scopes),
                },
            )
        refusal = _not_linkable(entry, config)
        if refusal is not None:
            raise Problem(
                409,
                f"Config '{config_id}' cannot be filled through a link: {refusal}.",
                title="Conflict",
                code="not_linkable",
            )
        stamp = now_ms()
        for link in self.by_hash.values():
            # A new link for the same config replaces the open one.
            if link.config_id == config_id and link.current_status() == "OPEN":
                link.status, link.closed_at = "WITHDRAWN", stamp
        token = secrets.token_urlsafe(32)
        link = CredentialLink(
            id=str(uuid.uuid4()),
            integration_id=integration_id,
            config_id=config_id,
            token_hash=token_hash(token),
            mode="SIGN_IN" if require_sign_in else "CAPABILITY",
            created_at=stamp,
            expires_at=stamp + ttl_hours * _HOUR_MS,
            intended_for_email=email,
            note=note,
        )
        self.by_hash[link.token_hash] = link
        return link, token

    def open(self, token: str) -> tuple[CredentialLink, list[LinkField]]:
        """The open link behind a token and the fields its page asks for; 404 or 410 if none."""
        link = self.by_hash.get(token_hash(token))
        if link is None:
            raise Problem(404, "This credential link is not known.", code="credential_link_unknown")
        status = link.current_status()
        if status != "OPEN":
            raise Problem(410, _CLOSED[status], code=f"credential_link_{status.lower()}")
        config = self.store.configs.get(link.config_id)
        entry = self.store.integrations.get(link.integration_id)
        method = None
        if entry is not None and config is not None and _not_linkable(entry, config) is None:
            method = _method(entry, config)
        if method is None:
            # The config was deleted or changed under the link: it can no longer be filled.
            link.status, link.closed_at = "WITHDRAWN", now_ms()
            raise Problem(410, _CLOSED["WITHDRAWN"], code="credential_link_withdrawn")
        return link, link_fields(method)

    def fill(self, token: str, values: dict[str, list[str]]) -> JSONObject:
        """What submitting the page does: set the config's auth and publish it. Returns the
        revision (unmasked, for the emulator's own use only)."""
        link, wanted = self.open(token)
        names = {f.name for f in wanted}
        for name in values:
            if name not in names:
                raise invalid(name, f"This link has no field '{name}'.")
        credentials: dict[str, str] = {}
        for item in wanted:
            given = values.get(item.name) or []
            if len(given) > 1:
                raise invalid(item.name, "Give the value once.")
            value = given[0] if given else ""
            if item.required and not value.strip():
                raise invalid(item.name, f"{item.label} is required.")
            if value:
                credentials[item.name] = value
        config = self.store.configs[link.config_id]
        auth = config["auth"]
        set_auth(
            config,
            {
                "level": "APPLICATION",
                "integrationAuthMetadataId": auth["integrationAuthMetadataId"],
                "grantedScopes": list(auth.get("grantedScopes") or []),
            },
            credentials,
        )
        touch(config)
        note = link.note or "Filled through a credential link"
        revision = self.revisions.publish(link.integration_id, link.config_id, {"note": note})
        link.status, link.closed_at, link.revision_id = "FILLED", now_ms(), str(revision["id"])
        return revision


_CLOSED = {
    "FILLED": "This credential link was already used; links are single-use. Ask for a new one.",
    "EXPIRED": "This credential link has expired. Ask for a new one.",
    "WITHDRAWN": (
        "This credential link was replaced by a newer link for the same config, or the config "
        "changed or was deleted. Ask for a new one."
    ),
}


def _link_body(body: dict[str, Any]) -> tuple[bool, str | None, str | None, int]:
    """requireSignIn, intendedForEmail, note and ttlHours, validated; 400 otherwise."""
    values = fields(body)
    require_sign_in = values.get("requiresignin")
    if require_sign_in is None:
        require_sign_in = True
    if not isinstance(require_sign_in, bool):
        raise invalid("requireSignIn", "The requireSignIn field must be true or false.")
    email = values.get("intendedforemail")
    if email is not None and (
        not isinstance(email, str) or "@" not in email or any(c.isspace() for c in email)
    ):
        raise invalid("intendedForEmail", "The intendedForEmail field must be an email address.")
    note = values.get("note")
    if note is not None and not isinstance(note, str):
        raise invalid("note", "The note field must be a string.")
    ttl_hours = values.get("ttlhours")
    if ttl_hours is None:
        ttl_hours = DEFAULT_TTL_HOURS
    if (
        not isinstance(ttl_hours, int)
        or isinstance(ttl_hours, bool)
        or not 1 <= ttl_hours <= MAX_TTL_HOURS
    ):
        raise invalid("ttlHours", f"The ttlHours field must be between 1 and {MAX_TTL_HOURS}.")
    return require_sign_in, email or None, note or None, ttl_hours


def _method(entry: Entry, config: JSONObject) -> JSONObject | None:
    auth = config.get("auth")
    if not auth:
        return None
    return entry.auth_method(str(auth["integrationAuthMetadataId"]))


def _not_linkable(entry: Entry, config: JSONObject) -> str | None:
    """Why a link cannot fill this config, or None when it can."""
    if config.get("hasAuthMap") or config.get("authMapEntries"):
        return "it picks its credentials by request parameters (authMap)"
    auth = config.get("auth")
    if not auth:
        # Emulator choice: with no method chosen, the page would not know what to ask for.
        return (
            "it has no auth method chosen; set auth.integrationAuthMetadataId to an API key, "
            "bearer token or basic auth method first"
        )
    if auth.get("level") == "USER":
        return "each person connects it with their own credentials (auth level USER)"
    method = _method(entry, config)
    if method is None:
        return f"its auth method '{auth['integrationAuthMetadataId']}' no longer exists"
    kind = credential_type(method)
    if kind == "O_AUTH2":
        return f"auth method '{method['id']}' is OAuth 2.0; mint a consent URL with :authorize"
    if kind not in LINKABLE_TYPES:
        return f"auth method '{method['id']}' is {kind}, not an API key, bearer token or password"
    if "APPLICATION" not in [str(level).upper() for level in method.get("supportedLevels") or []]:
        return f"auth method '{method['id']}' is per-user only"
    if (method.get("authMap") or {}).get("useMap"):
        return f"auth method '{method['id']}' picks its credentials by request parameters"
    return None


def link_fields(method: JSONObject) -> list[LinkField]:
    """The inputs of the link page: the method's own parameters, else its type's defaults."""
    declared = [
        LinkField(
            str(p["name"]),
            str(p.get("displayName") or p["name"]),
            bool(p.get("secret")),
            bool(p.get("required", True)),
        )
        for p in method.get("parametersMetadata") or []
        if isinstance(p, dict) and p.get("name")
    ]
    if declared:
        return declared
    return [LinkField(*spec) for spec in _DEFAULT_FIELDS.get(credential_type(method), [])]


# -- the page -------------------------------------------------------------------------------------


def page(link: CredentialLink, wanted: list[LinkField], integration_name: str) -> str:
    """The HTML form a human fills. It posts back to the same URL, form-encoded."""
    inputs = "".join(
        f'<p><label for="{html.escape(f.name)}">{html.escape(f.label)}</label> '
        f'<input id="{html.escape(f.name)}" name="{html.escape(f.name)}" '
        f'type="{"password" if f.secret else "text"}"'
        f'{" required" if f.required else ""} autocomplete="off"></p>'
        for f in wanted
    )
    for_whom = (
        f"<p>For {html.escape(link.intended_for_email)}.</p>" if link.intended_for_email else ""
    )
    note = f"<p>{html.escape(link.note)}</p>" if link.note else ""
    body = (
        f"<h1>Connect {html.escape(integration_name)}</h1>{for_whom}{note}"
        "<p>What you type here goes to Fruxon only, and is published as the config's "
        "credentials. Whoever sent this link never sees it.</p>"
        f'<form method="post">{inputs}<p><button type="submit">Save</button></p></form>'
    )
    return _html("Connect " + integration_name, body)


def saved_page(revision: JSONObject) -> str:
    return _html(
        "Saved",
        "<h1>Saved</h1><p>The credentials were published as revision "
        f'<span id="version">{int(revision["version"])}</span> of the config. '
        "You can close this page.</p>",
    )


def problem_page(problem: Problem) -> str:
    return _html(problem.title, f"<h1>{html.escape(problem.title)}</h1>" + _paragraph(problem))


def _paragraph(problem: Problem) -> str:
    details = [problem.detail, *(m for ms in (problem.errors or {}).values() for m in ms)]
    unique = list(dict.fromkeys(details))
    return "".join(f"<p>{html.escape(text)}</p>" for text in unique)


def _html(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body>{body}</body></html>"
    )
