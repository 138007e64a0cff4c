"""An `IntegrationConfig`'s declared settings: as outputs, compared with the stored ones, and what
an update that PATCHed nothing still publishes, and what an update sends of the parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_fruxon._checks import comparable, contains_unknown
from pulumi_fruxon._config_parameters import fingerprints, secrets_changed, unread, warn_masked
from pulumi_fruxon.errors import FruxonError

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord


def config_outputs(
    client: FruxonClient, integration: str, config: ConfigRecord, props: Mapping[str, Any]
) -> dict[str, Any]:
    """The outputs of a config as created or PATCHed from `props`, before any publish."""
    warn_masked(config, integration, props)
    return {
        "integration": integration,
        "workspace": client.workspace,
        **settings(props),
        "config_id": config.id,
        "has_auth": config.is_authorized,
        "secret_parameter_fingerprints": fingerprints(props.get("secret_parameters")),
        "published_revision_id": config.published_revision_id,
        "published_version": None,
        "live": False,
    }


def settings(props: Mapping[str, Any]) -> dict[str, Any]:
    """The declared settings as outputs; text stripped, `publish` defaulting to true."""
    return {
        "display_name": comparable(props.get("display_name")),
        "parameters": dict(props.get("parameters") or {}),
        "auth_method": comparable(props.get("auth_method")),
        "publish": props.get("publish") is not False,
        "publish_note": comparable(props.get("publish_note")),
    }


def setting_changed(key: str, new: Any, old: Any) -> bool:
    if contains_unknown(new):
        return True
    if key == "publish":
        return (new is not False) != (old is not False)
    if key == "auth_method" and new is None:
        # Leaving auth_method out never unbinds anything, so it is not a change.
        return False
    return bool(comparable(new) != comparable(old))


def republish(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an update that PATCHed nothing still publishes: the state is not live, or the
    publish settings changed. Declaring the auth method the server already holds does not."""
    return olds.get("live") is not True or any(
        setting_changed(key, news.get(key), olds.get(key)) for key in ("publish", "publish_note")
    )


def parameters_change(
    config_id: str, news: Mapping[str, Any], olds: Mapping[str, Any]
) -> dict[str, Any]:
    """What an update sends of the parameters: both maps when either changed (`parameters`
    replaces the stored map whole), else nothing. A change that would erase secret parameters
    set outside the stack (`UNREAD`) is refused before anything is sent."""
    secrets = news.get("secret_parameters") or {}
    stored = olds.get("secret_parameter_fingerprints")
    plain = news.get("parameters")
    if not (
        setting_changed("parameters", plain, olds.get("parameters"))
        or secrets_changed(secrets, stored)
    ):
        return {}
    kept = unread(secrets, stored)
    if kept:
        raise FruxonError(
            f"IntegrationConfig {config_id} has secret parameters that were set outside "
            f"the stack ({', '.join(sorted(kept))}, found by `pulumi import`), whose "
            "values Fruxon never returns. Changing the parameters sends the whole map, "
            "which would erase them, so nothing was sent. Declare them under "
            "`secret_parameters` with their values, then run `pulumi up` again."
        )
    return {"parameters": dict(plain or {}), "secret_parameters": dict(secrets)}
