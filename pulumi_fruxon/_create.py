"""Creating a config exactly once, even when Fruxon's answer to the create is lost.

`POST …/configs` is not idempotent: after a timeout, a dropped connection or a 5xx, the config
may exist, and creating again would leave one outside the stack, with its secret parameters,
that `pulumi destroy` never removes. So `create_config` reconciles before anything is sent
again, the way the consume does (`pulumi_fruxon._consume`):

==============================================  ==========================================
What happened                                   What `create_config` does
==============================================  ==========================================
Fruxon answered                                 returns the config
Nothing reached Fruxon                          raises; nothing was created
No answer, a 5xx or an unreadable answer,       lists the integration's configs: a config
after the request left                          of the declared name that was not there
                                                before is adopted; none means nothing was
                                                created, and the create is sent again (three
                                                times in all); several, or a failed list, raise
                                                `ConfigCreateOutcomeUnknownError`, naming
                                                what may exist and what to do
A record of an earlier create whose outcome     the same reconciliation runs first, and a
never reached the stack (a killed `up`)         config it finds is adopted, then PATCHed to
                                                the declared settings
==============================================  ==========================================

The record (`pulumi_fruxon._journal.CREATES`) holds the workspace, integration, display name
and the ids of the configs of that name that existed before the create; never a parameter. Like
a consume's, it is kept until the config is seen in the stack's state (`settle`), since the
engine may never receive the answer (a `pulumi` killed while the host finished the create). A
config this process created or adopted is never adopted again, so two resources of one name in
one program never share a config.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pulumi

from pulumi_fruxon import _journal
from pulumi_fruxon.errors import (
    APIConnectionError,
    ConfigCreateOutcomeUnknownError,
    FruxonError,
    InvalidResponseError,
    ServerError,
)

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord

# Creates sent in one `up` while reconciling shows that none of them created anything.
_ATTEMPTS = 3


def create_config(
    client: FruxonClient,
    integration: str,
    display_name: str,
    *,
    parameters: Mapping[str, Any] | None,
    secret_parameters: Mapping[str, str] | None,
    auth_method: str | None,
) -> ConfigRecord:
    """Create the config, or adopt the one an interrupted create made.

    A config adopted from an earlier run may have been created from other inputs: it is
    PATCHed to the declared parameters and auth method before it is returned.
    """
    workspace = client.workspace
    key = _journal.SentCreate.key(workspace, integration, display_name)
    earlier = _journal.CREATES.recall(key)
    if earlier is not None:
        found = _new_configs(client, integration, display_name, earlier, cause=None)
        if found:
            config = _one(found, workspace, integration, display_name, cause=None)
            pulumi.log.warn(
                f"An earlier `pulumi up` on this machine created config {config.id} "
                f"('{display_name}' of '{integration}' in workspace '{workspace}', "
                f"{_when(config)}) but did not finish; adopting it instead of creating another."
            )
            _CLAIMED.add(config.id)
            change: dict[str, Any] = {
                "parameters": dict(parameters or {}),
                "secret_parameters": dict(secret_parameters or {}),
            }
            if auth_method and config.auth_method_id != auth_method:
                change["auth_method"] = auth_method
            return client.update_integration_config(integration, config.id, **change)
        _journal.CREATES.forget(key)

    existing = [c.id for c in _same_named(client, integration, display_name)]
    sent = _journal.SentCreate(workspace, integration, display_name, tuple(existing))
    _journal.CREATES.record(key, sent)
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            config = client.create_integration_config(
                integration,
                display_name,
                parameters=parameters,
                secret_parameters=secret_parameters,
                auth_method=auth_method,
            )
        except (ServerError, APIConnectionError, InvalidResponseError) as exc:
            if isinstance(exc, APIConnectionError) and not exc.request_sent:
                _journal.CREATES.forget(key)
                raise
            found = _new_configs(client, integration, display_name, sent, cause=exc)
            if found:
                config = _one(found, workspace, integration, display_name, cause=exc)
                pulumi.log.warn(
                    f"Fruxon did not confirm the create of config '{display_name}' of "
                    f"'{integration}' ({exc}), but config {config.id} of that name appeared "
                    "since; adopting it."
                )
                break
            if attempt == _ATTEMPTS:
                _journal.CREATES.forget(key)
                raise ConfigCreateOutcomeUnknownError(
                    f"Creating config '{display_name}' of integration '{integration}' in "
                    f"workspace '{workspace}' failed {attempt} times (last: {exc}), and no such "
                    "config appeared since: Fruxon did not create it. Run `pulumi up` again."
                ) from None
            # Nothing was created, so sending the create again is not a blind retry.
            continue
        except FruxonError:
            _journal.CREATES.forget(key)
            raise
        break
    _CLAIMED.add(config.id)
    return config


def settle(workspace: object, integration: object, display_name: object) -> None:
    """The config is in the stack's state: the record of its create is no longer needed."""
    if all(isinstance(part, str) and part for part in (workspace, integration, display_name)):
        key = _journal.SentCreate.key(str(workspace), str(integration), str(display_name))
        _journal.CREATES.forget(key)


# Configs this process created or adopted: never adopted again by another resource.
_CLAIMED: set[str] = set()


def _same_named(client: FruxonClient, integration: str, display_name: str) -> list[ConfigRecord]:
    return [
        c
        for c in client.list_integration_configs(integration)
        if (c.display_name or "").strip() == display_name
    ]


def _new_configs(
    client: FruxonClient,
    integration: str,
    display_name: str,
    sent: _journal.SentCreate,
    *,
    cause: FruxonError | None,
) -> list[ConfigRecord]:
    """The configs of the declared name that did not exist before the create was sent."""
    try:
        configs = _same_named(client, integration, display_name)
    except FruxonError as exc:
        failed = f"failed ({cause}), and listing" if cause else "did not finish, and listing"
        raise ConfigCreateOutcomeUnknownError(
            f"Creating config '{display_name}' of integration '{integration}' in workspace "
            f"'{sent.workspace}' {failed} the integration's configs to see whether it was "
            f"created failed too ({exc}). A config named '{display_name}' may exist outside "
            "the stack. Run `pulumi up` again from this machine: it looks again and adopts "
            "such a config instead of creating a second one. From another machine, first look "
            f"with `fruxon.get_integration_configs('{integration}')` (or in the Fruxon "
            "dashboard) and delete a config of that name that no stack manages."
        ) from None
    before = set(sent.existing_ids) | _CLAIMED
    return [c for c in configs if c.id not in before]


def _one(
    found: list[ConfigRecord],
    workspace: str,
    integration: str,
    display_name: str,
    *,
    cause: FruxonError | None,
) -> ConfigRecord:
    if len(found) == 1:
        return found[0]
    listed = ", ".join(f"{c.id} ({_when(c)})" for c in found)
    why = f"failed ({cause})" if cause else "did not finish"
    raise ConfigCreateOutcomeUnknownError(
        f"Creating config '{display_name}' of integration '{integration}' in workspace "
        f"'{workspace}' {why}, and {len(found)} configs of that name appeared since: {listed}. "
        "Which one this stack created cannot be told. Delete the ones no stack manages in "
        "Fruxon, or give this IntegrationConfig another `display_name`, and run `pulumi up` "
        "again."
    )


def _when(config: ConfigRecord) -> str:
    if not config.created_at:
        return "created at an unknown time"
    moment = datetime.fromtimestamp(config.created_at / 1000, tz=timezone.utc)
    return f"created {moment.isoformat(timespec='seconds')}"
