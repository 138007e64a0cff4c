"""An `IntegrationConfig`'s declared auth method against the one the config holds.

`auth` in a PATCH replaces the config's auth whole, credentials included
(docs/fruxon-http-api.md). So a PATCH sends it only when the declared method differs from what
the server holds, and never over a binding that the stack did not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_fruxon._checks import comparable
from pulumi_fruxon._ids import ConfigRef
from pulumi_fruxon.errors import (
    BoundAuthConflictError,
    NotFoundError,
)

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient


def auth_to_send(
    client: FruxonClient,
    integration: str,
    config_id: str,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
) -> str | None:
    """The auth method an update must PATCH, or None to leave the config's auth alone (one GET).

    Declaring the method the config holds sends nothing; declaring another over a method the
    stack never declared raises `BoundAuthConflictError`.
    """
    declared = news.get("auth_method")
    held = _held_auth_method(client, integration, config_id)
    if not declared or held == declared:
        return None
    _refuse_to_erase(client.workspace, integration, config_id, held, olds, news)
    return str(declared)


def _held_auth_method(client: FruxonClient, integration: str, config_id: str) -> str | None:
    """The auth method the config's draft holds now, as the server says (one GET)."""
    try:
        config = client.get_integration_config(integration, config_id)
    except NotFoundError as exc:
        raise ConfigRef(client.workspace, integration, config_id).gone(exc) from None
    if config.auth is not None and config.auth.integration_auth_metadata_id:
        return config.auth.integration_auth_metadata_id
    return config.auth_method_id


def _refuse_to_erase(
    workspace: str,
    integration: str,
    config_id: str,
    held: str | None,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
) -> None:
    """Refuse a PATCH of `auth` that would replace a method this stack never declared.

    `auth` replaces the config's auth whole, credentials included (docs/fruxon-http-api.md). A
    method the stack itself declared may be changed: that is the user's own choice. A method
    that something else bound (an `IntegrationAuth` on a config declared without
    `auth_method`, a credential link, someone outside the stack) is not erased silently.
    """
    if held is None or held == comparable(olds.get("auth_method")):
        return
    raise BoundAuthConflictError(
        f"Config {config_id} of integration '{integration}' in workspace '{workspace}' has "
        f"auth method '{held}' bound, which this stack did not declare (an IntegrationAuth, a "
        f"credential link or someone outside the stack bound it). Setting `auth_method` to "
        f"'{news.get('auth_method')}' would replace it and erase its credentials, so nothing "
        f"was sent. To keep the binding, set `auth_method` to '{held}' or leave it out. To "
        "start over with the new method, replace the config: `pulumi up --replace <urn of the "
        "IntegrationConfig>` (the bound credentials go with the old config)."
    )
