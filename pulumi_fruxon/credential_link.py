"""`CredentialLink`: a Fruxon page where a human types a config's API key, bearer token or
password, so that the secret never passes through Pulumi.

Its provider class path, type token, id and output names (`OUTPUTS`) are stored in users'
stacks: docs/state-format.md lists them.
No output ever holds what the human typed: Fruxon publishes it as the config's next revision,
and the stack only sees that it did.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from pulumi_fruxon._checks import Checker, comparable, whole_number
from pulumi_fruxon._ids import ConfigRef
from pulumi_fruxon._provider import Changes, FruxonProvider, refuse_import
from pulumi_fruxon.errors import (
    ConfigNotLinkableError,
    ConflictError,
    FruxonError,
    IntegrationConfigNotFoundError,
    NotFoundError,
)

if TYPE_CHECKING:  # annotations only: the host imports this module on every run (see _provider)
    from pulumi_fruxon.models import Revision

__all__ = ["ConfigNotLinkableError", "CredentialLink", "CredentialLinkProvider"]

DEFAULT_TTL_HOURS = 168
MAX_TTL_HOURS = 720
INPUTS = (
    "integration",
    "integration_config_id",
    "require_sign_in",
    "intended_for_email",
    "note",
    "ttl_hours",
    "rotation",
    "workspace",
)
MINTED = ("url", "link_id", "mode", "created_at", "expires_at")
OUTPUTS = (*INPUTS, *MINTED, "expired", "filled")

_NOT_LINKABLE_STEPS = (
    "A credential link takes an API key, a bearer token or a username and password that the "
    "whole workspace shares. For an OAuth integration, mint a consent URL with AuthorizationUrl "
    "and bind the key it yields with IntegrationAuth instead. A config that each person connects "
    "with their own credentials, or that picks credentials by request parameters, is connected "
    "in the Fruxon dashboard. A config with no auth method yet needs one first: set "
    "`auth_method` on its IntegrationConfig to an API key, bearer token or basic auth method."
)


def _iso(unix_ms: int | None) -> str | None:
    """Unix ms as ISO 8601 in UTC, to the millisecond (e.g. `2026-12-06T09:30:00.000Z`)."""
    if unix_ms is None:
        return None
    moment = datetime.fromtimestamp(unix_ms / 1000, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _unix_ms(value: Any) -> int | None:
    """The inverse of `_iso`; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round(moment.timestamp() * 1000)


# Inputs that only say how the link was minted: changing them re-mints an open link, and does
# nothing to a filled one.
_HOW_IT_WAS_MINTED = ("require_sign_in", "intended_for_email", "note", "ttl_hours")


def _stored(key: str, value: Any) -> Any:
    """An input as `create` stores it in the outputs."""
    if key == "require_sign_in":
        return value is not False
    if key == "ttl_hours":
        return whole_number(value)
    return value or None


def _comparable(key: str, value: Any) -> Any:
    """As `diff` compares an input: an unset flag or TTL is its default."""
    if key == "require_sign_in":
        return value is not False
    if key == "ttl_hours":
        return DEFAULT_TTL_HOURS if value is None else whole_number(value)
    return comparable(value)


def _filled(revisions: list[Revision], created_at: int | None, expires_at: int | None) -> bool:
    """Whether a revision published while the link was open carries credentials that the config
    did not have when the link was minted.

    Fruxon documents no read of a link's state for integration configs, so this is inferred from
    the config's revisions, which are immutable: a fill publishes one with the typed credentials.
    A publish that only carries the auth method (an `IntegrationConfig` change before anyone
    filled the link) or the credentials already there at the mint is not a fill. Revision reads
    mask credential values, so a fill that replaces credentials under the same names cannot be
    told from a republish of the old ones: such a link reads as unfilled. A revision from the
    millisecond of the mint is not counted: it is the publish that came just before it. A server
    that leaves `auth.parameters` out of revision reads is judged by auth alone.
    """
    if created_at is None:
        return False
    end = expires_at if expires_at is not None else float("inf")
    before = [r for r in revisions if r.created_at is not None and r.created_at <= created_at]
    at_mint = _credentials(max(before, key=lambda r: r.created_at or 0)) if before else set()
    return any(
        r.created_at is not None
        and created_at < r.created_at <= end
        and bool(_credentials(r) - at_mint)
        for r in revisions
    )


def _credentials(revision: Revision) -> set[str]:
    """What a revision's auth carries, as far as a read shows it."""
    if revision.credential_names is None:
        return {f"auth:{revision.auth_method_id}"} if revision.has_auth else set()
    return {f"{revision.auth_method_id}:{name}" for name in revision.credential_names}


class CredentialLinkProvider(FruxonProvider):
    """Mints a credential link on create only; any input change (`rotation` too) replaces it,
    and so does a link that a refresh found expired and never filled. A filled link records a
    new note, addressee, sign-in or TTL in place (`update`), minting nothing."""

    outputs = OUTPUTS

    def validate(self, checker: Checker) -> None:
        checker.slug("integration")
        checker.uuid("integration_config_id")
        checker.boolean("require_sign_in", default=True)
        checker.email("intended_for_email")
        checker.text("note", required=False)
        checker.whole_number(
            "ttl_hours",
            low=1,
            high=MAX_TTL_HOURS,
            unset=f"Fruxon's default when unset: {DEFAULT_TTL_HOURS}",
        )
        checker.scalar("rotation")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare new inputs with the old OUTPUTS, offline: any change replaces.

        A link that the last refresh found expired and never filled is replaced too, so the next
        `up` mints a usable one. The clock is not read here: without a refresh nothing changes,
        and a fresh link is quiet until a refresh finds it expired in turn
        (docs/decisions.md#credential-link).
        """
        replaces = list(self.replace_on_change(INPUTS, olds, news, _comparable).replaces or [])
        if olds.get("expired") is True and olds.get("filled") is not True:
            replaces.append("expires_at")
        if replaces and olds.get("filled") is True and set(replaces) <= set(_HOW_IT_WAS_MINTED):
            # The link did its job: minting another for a new note would only open the
            # config's credentials to whoever gets it. The new values are just recorded.
            return Changes(replaces)
        if replaces:
            return Changes(replaces=replaces)
        return DiffResult(changes=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Mint the link (`POST …/credentialRequests`). Runs on `pulumi up` only."""
        client = self.client(props.get("workspace"))
        integration = str(props["integration"]).strip()
        config_id = str(props["integration_config_id"]).strip().lower()
        require_sign_in = props.get("require_sign_in") is not False
        email = props.get("intended_for_email") or None
        note = props.get("note") or None
        ttl_hours = whole_number(props.get("ttl_hours"))
        where = (
            f"config {config_id} of integration '{integration}' in workspace '{client.workspace}'"
        )
        try:
            link = client.create_credential_link(
                integration,
                config_id,
                require_sign_in=require_sign_in,
                intended_for_email=email,
                note=note,
                ttl_hours=ttl_hours,
            )
        except ConflictError as exc:
            if exc.code != "not_linkable":
                raise
            raise ConfigNotLinkableError(
                f"Fruxon will not mint a credential link for {where}: {exc}\n{_NOT_LINKABLE_STEPS}"
            ) from None
        except NotFoundError as exc:
            raise IntegrationConfigNotFoundError(
                f"Cannot mint a credential link: {where} does not exist ({exc}). Check "
                "`integration`, `integration_config_id` and `workspace`; "
                "`fruxon.get_integration_configs(integration)` lists the configs."
            ) from None
        outs = {
            "integration": integration,
            "integration_config_id": config_id,
            "require_sign_in": require_sign_in,
            "intended_for_email": email,
            "note": note,
            "ttl_hours": ttl_hours,
            "rotation": props.get("rotation"),
            "workspace": client.workspace,
            "url": link.url,
            "link_id": link.id,
            "mode": link.mode,
            "created_at": _iso(link.created_at),
            "expires_at": _iso(link.expires_at),
            "expired": False,
            "filled": False,
        }
        resource_id = ConfigRef(client.workspace, integration, config_id).format(link.id)
        return CreateResult(resource_id, {k: v for k, v in outs.items() if v is not None})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh: `filled` and `expired` from the config's revisions; the URL is kept as it is.

        A deleted config takes its link with it: the resource leaves the state.
        """
        outs = {k: v for k, v in props.items() if k in OUTPUTS}
        integration, config_id = outs.get("integration"), outs.get("integration_config_id")
        if not isinstance(integration, str) or not isinstance(config_id, str):
            raise FruxonError(
                f"CredentialLink {id_!r} cannot be read from its id alone: a link's URL is shown "
                "once, when it is minted, so a link cannot be imported or adopted. Declare a "
                "CredentialLink to mint one."
            )
        client = self.client(outs.get("workspace"))
        try:
            revisions = list(client.list_config_revisions(integration, config_id))
        except NotFoundError:
            return ReadResult(None, {})
        created_at = _unix_ms(outs.get("created_at"))
        expires_at = _unix_ms(outs.get("expires_at"))
        filled = _filled(revisions, created_at, expires_at)
        now = time.time() * 1000
        outs["filled"] = filled
        outs["expired"] = not filled and expires_at is not None and now >= expires_at
        # No `inputs=`: the engine keeps the stored ones, and `diff` compares them with these
        # outputs, so only an expired, unfilled link makes the refresh (and the next up) differ.
        return ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """A filled link whose note, addressee, sign-in or TTL changed: record the new values,
        send nothing (the link is used up; see `diff`)."""
        outs = {k: v for k, v in olds.items() if k in OUTPUTS}
        for key in _HOW_IT_WAS_MINTED:
            outs[key] = _stored(key, news.get(key))
        return UpdateResult({k: v for k, v in outs.items() if v is not None})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Nothing to call: Fruxon has no API to withdraw a link. Warn when an open link that
        anyone holding it can fill leaves the stack."""
        expires_at = _unix_ms(props.get("expires_at"))
        still_open = (
            props.get("filled") is not True
            and expires_at is not None
            and time.time() * 1000 < expires_at
        )
        if props.get("mode") == "CAPABILITY" and still_open:
            pulumi.log.warn(
                f"CredentialLink {props.get('link_id')} for config "
                f"{props.get('integration_config_id')} of '{props.get('integration')}' left the "
                "stack unfilled. Unless a newer link for that config replaced it (a replace of "
                "this resource does), whoever holds its URL can still fill it until "
                f"{props.get('expires_at')}: Fruxon has no API to withdraw a link. To close it "
                "now, mint a new link for the config or delete the config."
            )


class CredentialLink(Resource, module="fruxon", name="CredentialLink"):
    """A link to a Fruxon page where a human types a config's API key, bearer token or
    username and password. Fruxon publishes what they type as the config's next revision; no
    one who runs Pulumi ever sees it, and it never reaches the state.

    The link is minted once, on `pulumi up` (never in preview), and `url` (a secret) stays the
    same in state. `rotation`, or a change to any other input, mints a new link (a replace),
    which also closes the previous one: Fruxon keeps one open link per config.

    `pulumi refresh` reads `filled` (a revision published while the link was open carries
    credentials the config lacked at the mint) and `expired` (the link ran out before anyone
    filled it). An expired, unfilled link is replaced by the next `pulumi up`, so the stack
    offers a usable link again; a link is never re-minted without a refresh having seen it
    expire, so runs in between stay quiet, and a filled link is never re-minted: a new note,
    addressee, sign-in or TTL on it is only recorded.

    OAuth integrations cannot use a link: use `AuthorizationUrl` and `IntegrationAuth`.
    """

    integration: pulumi.Output[str]
    """The integration id, as declared."""
    integration_config_id: pulumi.Output[str]
    """The id (a UUID) of the config whose credentials the link sets."""
    require_sign_in: pulumi.Output[bool]
    """Whether only a signed-in workspace member may fill the link."""
    intended_for_email: pulumi.Output[str | None]
    """Who the link is meant for, as shown on the page."""
    note: pulumi.Output[str | None]
    """The note shown on the page and given to the revision a fill publishes."""
    ttl_hours: pulumi.Output[int | None]
    """How long the link lasts, in hours; none means Fruxon's default (168)."""
    rotation: pulumi.Output[str | float | None]
    """Any value; changing it mints a new link."""
    workspace: pulumi.Output[str]
    """The workspace (tenant id) of the config."""
    url: pulumi.Output[str]
    """The link to send to the person who types the credential (a secret)."""
    link_id: pulumi.Output[str]
    """Fruxon's id of the link."""
    mode: pulumi.Output[str]
    """`SIGN_IN` (a member must sign in) or `CAPABILITY` (whoever holds the link)."""
    created_at: pulumi.Output[str]
    """When the link was minted (ISO 8601, UTC)."""
    expires_at: pulumi.Output[str]
    """When the link expires (ISO 8601, UTC)."""
    expired: pulumi.Output[bool]
    """Whether the last refresh found the link expired and unfilled."""
    filled: pulumi.Output[bool]
    """Whether the last refresh found the link filled."""

    def __init__(
        self,
        resource_name: str,
        *,
        integration: pulumi.Input[str],
        integration_config_id: pulumi.Input[str],
        require_sign_in: pulumi.Input[bool] = True,
        intended_for_email: pulumi.Input[str] | None = None,
        note: pulumi.Input[str] | None = None,
        ttl_hours: pulumi.Input[int] | None = None,
        rotation: pulumi.Input[str | int] | None = None,
        workspace: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Mint a credential link for a config on `pulumi up`.

        :param resource_name: The unique name of the resource in the stack.
        :param integration: The integration id (e.g. `stripe`).
        :param integration_config_id: The id (a UUID) of the config whose credentials the
            link sets. The config needs an API key, bearer token or basic auth method.
        :param require_sign_in: Only a signed-in workspace member may fill the link (default
            true). Without it, anyone holding the link can, and minting needs
            `workspace:write`.
        :param intended_for_email: The e-mail address of the person the link is for.
        :param note: A note shown on the page, and given to the revision a fill publishes.
        :param ttl_hours: How long the link lasts: 1 to 720 hours (Fruxon's default: 168).
        :param rotation: Any string or number; change it to mint a new link.
        :param workspace: The workspace (tenant id); defaults to `fruxon:workspace` or
            `FRUXON_WORKSPACE`.
        :param opts: Pulumi resource options. `import_` is refused: a link is shown once.
        """
        refuse_import(opts, "CredentialLink")
        props: dict[str, Any] = {
            "integration": integration,
            "integration_config_id": integration_config_id,
            "require_sign_in": require_sign_in,
            "intended_for_email": intended_for_email,
            "note": note,
            "ttl_hours": ttl_hours,
            "rotation": rotation,
            "workspace": workspace,
            **dict.fromkeys((*MINTED, "expired", "filled")),
        }
        super().__init__(
            CredentialLinkProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["url"])
            ),
        )
