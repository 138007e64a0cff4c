"""Publishing a config's draft, and telling whether what a resource wrote is live.

Fruxon resolves tool calls against a config's published revision, never its draft
(docs/fruxon-http-api.md#drafts). A resource that writes the draft publishes it, and its
outputs say what it published:

- `published_revision_id`, `published_version`: the revision this stack last published, or a
  newer one that refresh found still carrying the resource's values;
- `live`: whether the revision tool calls resolve now carries them.

A failed publish never fails the operation that wrote the draft (the host cannot report a partial
failure, and the write is done): the resource records `live: false`, and its `diff` asks for an
update, which publishes again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pulumi

from pulumi_fruxon._checks import number
from pulumi_fruxon._ids import ConfigRef
from pulumi_fruxon.errors import FruxonError, NotFoundError

if TYPE_CHECKING:  # annotations only: the providers import this module before any client exists
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord, Revision

PUBLISH_OUTPUTS = ("published_revision_id", "published_version", "live")


def publish_if_wanted(
    client: FruxonClient,
    integration: str,
    config_id: str,
    settings: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    what: str,
    gone_is_error: bool = False,
) -> dict[str, Any]:
    """Publish the draft unless `settings` say `publish: false`.

    Returns the publish outputs to store: the new revision's, or after a failed publish (which
    warns) the `current` ones with `live: false`; nothing when publishing is off. With
    `gone_is_error` (an update, which wrote nothing that could be orphaned), a config that no
    longer exists raises instead: publishing again would fail on every `up`.
    """
    if settings.get("publish") is False:
        return {}
    published = publish(
        client,
        integration,
        config_id,
        settings.get("publish_note"),
        what=what,
        gone_is_error=gone_is_error,
    )
    return published if published is not None else not_published(current)


def publish(
    client: FruxonClient,
    integration: str,
    config_id: str,
    note: Any,
    *,
    what: str,
    gone_is_error: bool = False,
) -> dict[str, Any] | None:
    """Publish the draft; the publish outputs, or None (after a warning) when it failed."""
    try:
        revision = client.publish_integration_config(
            integration, config_id, note=note if isinstance(note, str) and note else None
        )
    except NotFoundError as exc:
        if not gone_is_error:
            _failed(what, integration, config_id, exc)
            return None
        raise ConfigRef(client.workspace, integration, config_id).gone(exc, doing=what) from None
    except FruxonError as exc:
        _failed(what, integration, config_id, exc)
        return None
    return {
        "published_revision_id": revision.id,
        "published_version": revision.version,
        "live": True,
    }


def _failed(what: str, integration: str, config_id: str, exc: FruxonError) -> None:
    pulumi.log.warn(
        f"{what}: the change is in the draft of config {config_id} of '{integration}', but "
        f"publishing it failed ({exc}). Tool calls do not see it yet, so `live` is false; "
        "the next `pulumi up` publishes again."
    )


def not_published(olds: Mapping[str, Any]) -> dict[str, Any]:
    """The publish outputs when nothing (new) was published: the last ones, not live."""
    return {
        "published_revision_id": olds.get("published_revision_id"),
        "published_version": olds.get("published_version"),
        "live": False,
    }


def wants_publish(news: Mapping[str, Any], olds: Mapping[str, Any]) -> bool:
    """Whether `diff` must ask for an update to publish: publishing is on and the stored state
    says it is not live (a failed publish, or a rollback found by refresh).

    A state written before `live` existed has no such key and asks for nothing: an upgrade alone
    changes nothing (docs/state-format.md#compatibility). Its next `pulumi refresh` fills `live`
    in, and the `up` after that publishes if it is false.
    """
    return news.get("publish") is not False and olds.get("live") is False


def refresh_live(
    client: FruxonClient,
    integration: str,
    config: ConfigRecord,
    olds: Mapping[str, Any],
    carries: Callable[[Revision], bool],
) -> dict[str, Any]:
    """The publish outputs as the server has them now. Reads one revision at most.

    Live means: the published revision is the one this stack last recorded (and it was live
    then), or it is at least as new and `carries` the resource's values. An older revision (a
    rollback) is never live, even if it looks alike: secrets cannot be compared.
    """
    current = config.published_revision_id
    stored_id = olds.get("published_revision_id")
    stored_version = olds.get("published_version")
    if current is None:
        return not_published(olds)
    if current == stored_id:
        return {**not_published(olds), "live": olds.get("live") is not False}
    try:
        revision = client.get_config_revision(integration, config.id, current)
    except NotFoundError:
        return not_published(olds)
    floor = number(stored_version) or 0
    if revision.version is not None and revision.version >= floor and carries(revision):
        return {
            "published_revision_id": revision.id,
            "published_version": revision.version,
            "live": True,
        }
    return not_published(olds)
