"""What an `IntegrationAuth`'s outputs hold besides the consume: the auth read back from the
config, the publish settings, and what a published revision must carry to be live."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pulumi_fruxon._checks import is_unknown, number
from pulumi_fruxon._publishing import publish_if_wanted

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord, Revision

# Output keys read back from the config after binding.
READ_BACK = ("auth_method_id", "level", "granted_scopes", "config_modified_at")
# Inputs that update in place: they only say how to publish.
PUBLISH_SETTINGS = ("publish", "publish_note")


def read_back(config: ConfigRecord) -> dict[str, Any]:
    auth = config.auth
    return {
        "auth_method_id": (auth.integration_auth_metadata_id if auth else None)
        or config.auth_method_id,
        "level": auth.level if auth else None,
        "granted_scopes": list(auth.granted_scopes) if auth else [],
        "config_modified_at": config.modified_at,
    }


def publish_binding(
    client: FruxonClient, outs: Mapping[str, Any], doing: str, *, gone_is_error: bool = False
) -> dict[str, Any]:
    config_id = str(outs["integration_config_id"])
    what = f"{doing} config {config_id}"
    return publish_if_wanted(
        client,
        str(outs["integration"]),
        config_id,
        outs,
        outs,
        what=what,
        gone_is_error=gone_is_error,
    )


def publish_settings(props: Mapping[str, Any]) -> dict[str, Any]:
    note = props.get("publish_note")
    return {
        "publish": props.get("publish") is not False,
        "publish_note": note.strip() or None if isinstance(note, str) else None,
    }


def changed_publish_settings(news: Mapping[str, Any], olds: Mapping[str, Any]) -> list[str]:
    new, old = publish_settings(news), publish_settings(olds)
    return [k for k in PUBLISH_SETTINGS if is_unknown(news.get(k)) or new.get(k) != old.get(k)]


def carries(outs: Mapping[str, Any]) -> Callable[[Revision], bool]:
    """A published revision carries this binding when it has auth and was made after it."""
    bound_at = number(outs.get("bound_at"))

    def carries(revision: Revision) -> bool:
        if not revision.has_auth:
            return False
        return bound_at is None or (revision.created_at or 0) >= bound_at

    return carries
