"""The consume protocol: spend a single-use credential key on a config, exactly once.

`consume` is the one place that sends `:consumeOAuthCredentials`. Each outcome is one branch:

==============================================  ==========================================
What happened                                   What `consume` does
==============================================  ==========================================
Fruxon bound the key                            returns the config read back (or None)
Fruxon says the key is spent, and the journal   adopts that binding (`recover`)
shows this machine spent it on this config
... and `FRUXON_ADOPT_BINDING` names the config adopts it, after checking that a key could
and the key                                     have made it and saying what it adopts
... otherwise                                   `CredentialKeyRejectedError`: get a new key
Fruxon refuses the key (expired, unknown)       `CredentialKeyRejectedError`
The config does not exist                       `IntegrationConfigNotFoundError`
Nothing reached Fruxon                          `ConsumeNotSentError`: the key is unspent
No answer, or a 5xx, after the request left     reads the config (`reconcile`): a new binding
                                                is adopted, else `ConsumeOutcomeUnknownError`
==============================================  ==========================================

The journal record (`pulumi_fruxon._journal.CONSUMES`) is written before the request leaves.
It is dropped when Fruxon refused the key (nothing was bound), and otherwise kept until the
binding is seen in the stack's state (`settle`), since the engine may never receive the answer.

The provider plugin also keeps the record in the stack's state: an outcome it cannot tell
becomes a partial create, and the next `pulumi up`, from any machine, passes the record back as
`earlier`. `consume` then reads the config before sending the key again, and adopts a binding
made since the first send without spending anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pulumi

from pulumi_fruxon import _constants, _journal
from pulumi_fruxon.errors import (
    APIConnectionError,
    BadRequestError,
    ConsumeNotSentError,
    ConsumeOutcomeUnknownError,
    CredentialKeyRejectedError,
    FruxonError,
    IntegrationConfigNotFoundError,
    NotFoundError,
    ServerError,
)

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord

# Problem-details codes of a key that can never be consumed (again).
_DEAD_KEY_CODES = frozenset(
    {
        "credential_key_spent",
        "credential_key_expired",
        "credential_key_unknown",
        "credential_key_integration_mismatch",
    }
)

NEW_KEY_STEPS = (
    "Credential keys are single-use and short-lived, so this one cannot be used again. "
    "To get a new key: run `pulumi up` and open the URL of your AuthorizationUrl output "
    "(`pulumi stack output --show-secrets`); if that URL was already used, change the "
    "AuthorizationUrl's `rotation` input and run `pulumi up` to mint a fresh one. Consent, copy "
    "the key from the success page, pass it as this IntegrationAuth's `credential_key` input "
    "(for example from a secret stack config value), and run `pulumi up` again."
)


def consume(
    client: FruxonClient,
    integration: str,
    config_id: str,
    credential_key: str,
    key_fingerprint: str,
    earlier: _journal.SentConsume | None = None,
) -> ConfigRecord | None:
    """Bind the key's credentials to the config: the config as read back after the bind, or
    None when that read failed (the bind happened; a refresh fills the outputs in).

    `earlier` is the record of a send of this key whose outcome never reached the stack, kept
    in the stack's state (the plugin's partial create).
    """
    workspace = client.workspace
    # Read first: it proves the config exists before a single-use key is spent, and its
    # modifiedAt is what tells an ambiguous failure apart from a bind.
    before = _get_config(client, integration, config_id)
    if earlier is not None and _bound_after(before, earlier.modified_at_before):
        pulumi.log.warn(
            f"An earlier `pulumi up` sent this credential key to config {config_id} of "
            f"'{integration}' and never learned the outcome (the stack's state recorded it); "
            f"the config was bound since, so adopting that binding ({describe(before)}) "
            "without sending the key again."
        )
        return before
    sent = earlier or _journal.SentConsume(workspace, integration, config_id, before.modified_at)
    _journal.CONSUMES.record(key_fingerprint, sent)
    try:
        client.consume_oauth_credentials(integration, config_id, credential_key)
    except BadRequestError as exc:
        if exc.code == "credential_key_spent":
            return recover(client, integration, config_id, key_fingerprint, exc, earlier)
        _journal.CONSUMES.forget(key_fingerprint)
        if exc.code in _DEAD_KEY_CODES:
            raise CredentialKeyRejectedError(
                f"Fruxon refused the credential key for config {config_id} of integration "
                f"'{integration}' in workspace '{workspace}': {exc}\n{NEW_KEY_STEPS}"
            ) from None
        raise
    except NotFoundError as exc:
        _journal.CONSUMES.forget(key_fingerprint)
        raise not_found(workspace, integration, config_id, exc) from None
    except (ServerError, APIConnectionError) as exc:
        if isinstance(exc, APIConnectionError) and not exc.request_sent:
            _journal.CONSUMES.forget(key_fingerprint)
            raise ConsumeNotSentError(
                f"Could not reach Fruxon to consume the credential key for config "
                f"{config_id} of '{integration}': {exc}\nNothing was sent, so the key was "
                "not spent. Check connectivity and run `pulumi up` again."
            ) from None
        after = reconcile(client, integration, config_id, sent.modified_at_before, exc)
        pulumi.log.warn(
            f"Fruxon did not confirm the consume for config {config_id} of '{integration}' "
            f"({exc}), but the config now has auth bound since the call; adopting it."
        )
        return after
    # From here on the key is spent: never raise, since raising would orphan the binding.
    try:
        return client.get_integration_config(integration, config_id)
    except FruxonError as exc:
        pulumi.log.warn(
            f"Bound the credentials to config {config_id} of '{integration}', but could not "
            f"read it back ({exc}); run `pulumi refresh` to fill in the auth outputs."
        )
        return None


# In a partial create's state only (the provider plugin's): the key was sent and the outcome is
# unknown. It holds `modified_at_before`, the config's modifiedAt read before the send; with the
# ids and `credential_fingerprint` beside it, that is the journal's record (`SentConsume`).
PENDING_CONSUME = "pending_consume"


def consume_keeping_state(
    client: FruxonClient,
    resource_id: str,
    outs: Mapping[str, Any],
    credential_key: str,
    pending: Mapping[str, Any] | None = None,
) -> ConfigRecord | None:
    """`consume` for a resource whose outputs so far are `outs`. `pending` is the record of an
    earlier send kept in the stack's state; an unknown outcome raises with the partial state to
    keep (`FruxonError.partial`): `outs` and that record."""
    integration, config_id = outs["integration"], outs["integration_config_id"]
    earlier = None
    if pending is not None:
        before = pending.get("modified_at_before")
        earlier = _journal.SentConsume(
            client.workspace, integration, config_id, int(before) if before else None
        )
    fingerprint = outs["credential_fingerprint"]
    try:
        return consume(client, integration, config_id, credential_key, fingerprint, earlier)
    except ConsumeOutcomeUnknownError as exc:
        record = {"modified_at_before": exc.modified_at_before}
        exc.partial = (resource_id, {**outs, PENDING_CONSUME: record})
        raise


def settle(key_fingerprint: object) -> None:
    """The binding made with this key is in the stack's state: its record is no longer needed."""
    if isinstance(key_fingerprint, str) and key_fingerprint:
        _journal.CONSUMES.forget(key_fingerprint)


def recover(
    client: FruxonClient,
    integration: str,
    config_id: str,
    key_fingerprint: str,
    spent: FruxonError,
    earlier: _journal.SentConsume | None = None,
) -> ConfigRecord:
    """Fruxon says the key is spent: the config, if this key evidently bound it; else raise.

    Evident means this machine recorded sending this key to this config (or the stack's state
    did: `earlier`), and the config has auth bound and was modified since (the record keeps the
    `modifiedAt` read just before).
    `FRUXON_ADOPT_BINDING=<config id>:<key fingerprint prefix>` adopts a binding the record
    cannot attribute, when it is one a key could have made: the one step the error names.
    Anything else is a spent key, and the error says how to get one.
    """
    where = f"config {config_id} of '{integration}' in workspace '{client.workspace}' ({spent})"
    try:
        config = client.get_integration_config(integration, config_id)
    except FruxonError as exc:
        raise CredentialKeyRejectedError(
            f"Fruxon says the credential key for {where} is already spent, and reading the "
            f"config to see whether this key bound it failed ({exc}). Run `pulumi up` again "
            f"to retry that read.\n{NEW_KEY_STEPS}"
        ) from None
    if not config.is_authorized:
        _journal.CONSUMES.forget(key_fingerprint)
        raise CredentialKeyRejectedError(
            f"Fruxon says the credential key for {where} is already spent, and the config "
            "has no auth bound: the key was spent before, on another config or by a binding "
            "that is gone (for example, this IntegrationAuth's config or integration changed "
            f"since its key bound the old one).\n{NEW_KEY_STEPS}"
        )
    sent = _journal.CONSUMES.recall(key_fingerprint) or earlier
    if sent is not None and sent.concerns(client.workspace, integration, config_id):
        moved = sent.modified_at_before is None or (config.modified_at or 0) > (
            sent.modified_at_before
        )
        if moved:
            pulumi.log.warn(
                f"The credential key for {where} was spent by an earlier `pulumi up` that did "
                "not finish (it recorded sending it, and the config was bound since); "
                f"adopting that binding ({describe(config)})."
            )
            return config
    claim = adoption_claim(config_id, key_fingerprint)
    if os.environ.get(_constants.ENV_ADOPT_BINDING, "").strip().lower() == claim:
        _check_adoptable(client, integration, config, where)
        pulumi.log.warn(
            f"Adopting the binding of {where} as this key's, as "
            f"{_constants.ENV_ADOPT_BINDING} asks: {describe(config)}. It names this key, so "
            "left set it adopts nothing else; unset it all the same."
        )
        return config
    raise CredentialKeyRejectedError(
        f"Fruxon says the credential key for {where} is already spent. The config has auth "
        f"bound ({describe(config)}), but nothing on this machine shows that this key made "
        "that binding. If it did (a `pulumi up` that died after Fruxon processed the "
        "consume, on another machine), adopt it with one run: "
        f"`{_constants.ENV_ADOPT_BINDING}={claim} pulumi up` (the config id and the start of "
        f"this key's fingerprint). Otherwise the key was used elsewhere.\n{NEW_KEY_STEPS}"
    )


def adoption_claim(config_id: str, key_fingerprint: str) -> str:
    """What `FRUXON_ADOPT_BINDING` must say to adopt a binding for this key: the config and the
    key, so that a value left exported never adopts another key's binding."""
    return f"{config_id.lower()}:{key_fingerprint.removeprefix('sha256:')[:12]}"


def _check_adoptable(
    client: FruxonClient, integration: str, config: ConfigRecord, where: str
) -> None:
    """Refuse a binding that no credential key makes: one at USER level, or of a method that is
    not the integration's OAuth (an API key a credential link set, for example)."""
    auth = config.auth
    method = (auth.integration_auth_metadata_id if auth else None) or config.auth_method_id
    try:
        methods = client.get_integration(integration).auth_methods
    except FruxonError as exc:
        raise CredentialKeyRejectedError(
            f"Could not read integration '{integration}' to check the binding of {where} "
            f"before adopting it ({exc}). Run `pulumi up` again."
        ) from None
    oauth = {m.id for m in methods if m.is_oauth2}
    level = auth.level if auth else None
    if method not in oauth or (level is not None and level.upper() != "APPLICATION"):
        raise CredentialKeyRejectedError(
            f"Not adopting the binding of {where}: {describe(config)}. A credential key makes "
            f"an application-level binding of one of the integration's OAuth methods "
            f"({', '.join(sorted(oauth)) or 'none'}), so this one was made some other way, and "
            f"this key was used elsewhere. Unset {_constants.ENV_ADOPT_BINDING}.\n{NEW_KEY_STEPS}"
        )


def reconcile(
    client: FruxonClient,
    integration: str,
    config_id: str,
    modified_at_before: int | None,
    cause: FruxonError,
) -> ConfigRecord:
    """After an ambiguous consume: the config if the bind evidently happened, else raise."""
    what_to_do = (
        f"Run `pulumi up` again: if config {config_id} has no auth, the key may still be valid "
        "and is sent again; if it has auth bound since, that `pulumi up` adopts it (from this "
        "machine; through the provider plugin, which keeps the record in the stack's state, "
        "from any machine). If `pulumi up` then says the key is spent, get a new one. "
        + NEW_KEY_STEPS
    )
    try:
        after = client.get_integration_config(integration, config_id)
    except FruxonError as exc:
        raise ConsumeOutcomeUnknownError(
            f"The consume call for config {config_id} of '{integration}' failed ({cause}) "
            f"and re-reading the config failed too ({exc}). The outcome is unknown: the key "
            f"may be spent.\n{what_to_do}",
            modified_at_before=modified_at_before,
        ) from None
    # A concurrent edit that also bound auth would look the same; the window is one call.
    if _bound_after(after, modified_at_before):
        return after
    raise ConsumeOutcomeUnknownError(
        f"The consume call for config {config_id} of '{integration}' failed ({cause}), and "
        "the config shows no new binding since. The outcome is unknown: the key may or may "
        f"not be spent.\n{what_to_do}",
        modified_at_before=modified_at_before,
    )


def _bound_after(config: ConfigRecord, modified_at_before: int | None) -> bool:
    """The config has auth bound, and was provably modified after `modified_at_before`."""
    return (
        config.is_authorized
        and modified_at_before is not None
        and config.modified_at is not None
        and config.modified_at > modified_at_before
    )


def describe(config: ConfigRecord) -> str:
    """What a binding is, in a user's terms: method, level, scopes and when it was made."""
    auth = config.auth
    method = (auth.integration_auth_metadata_id if auth else None) or config.auth_method_id
    scopes = ", ".join(auth.granted_scopes) if auth and auth.granted_scopes else "none"
    when = (
        datetime.fromtimestamp(config.modified_at / 1000, tz=timezone.utc).isoformat(
            timespec="seconds"
        )
        if config.modified_at
        else "unknown"
    )
    level = auth.level if auth and auth.level else "unknown"
    return f"method {method!r}, level {level}, scopes {scopes}, config last modified {when}"


def _get_config(client: FruxonClient, integration: str, config_id: str) -> ConfigRecord:
    try:
        return client.get_integration_config(integration, config_id)
    except NotFoundError as exc:
        raise not_found(client.workspace, integration, config_id, exc) from None


def not_found(
    workspace: str, integration: str, config_id: str, exc: FruxonError
) -> IntegrationConfigNotFoundError:
    return IntegrationConfigNotFoundError(
        f"Integration config {config_id} of integration '{integration}' does not exist in "
        f"workspace '{workspace}' ({exc}). Check `integration`, `integration_config_id` and "
        "`workspace` (`fruxon.get_integration_configs(integration)` lists the configs). Nothing "
        "was consumed; the credential key is still usable until it expires."
    )
