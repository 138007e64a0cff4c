"""Data sources: read-only lookups that run in the Pulumi program.

Dynamic providers have no invoke (docs/dynamic-providers.md#no-invoke), so these are plain functions
in the program process. Each comes as a pair, like generated Pulumi SDKs:

- `get_x(...)` takes plain values, makes the requests now and returns a typed result;
- `get_x_output(...)` takes `pulumi.Input` values and returns `pulumi.Output[result]`. It runs
  during preview as soon as its inputs are known; with an unknown input it makes no request
  and its result is unknown.

Settings come from `fruxon:*` stack config, then the environment. The token is read outside
the Output chain, so results are not marked secret.

A list is whole or an error: when Fruxon's pages do not add up (a repeated page token, a page of
items already listed, a `totalCount` the walk cannot reach), the function raises
`PaginationError` instead of returning part of the list, which a program would read as "the
rest is gone" and plan deletions for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi

from pulumi_fruxon.errors import FruxonError, with_next_step
from pulumi_fruxon.settings import FruxonSettings, pulumi_config_getter

if TYPE_CHECKING:  # `import pulumi_fruxon` imports this module; httpx and pydantic wait for a call
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord, Integration, Tool

__all__ = [
    "GetIntegrationConfigsResult",
    "GetIntegrationResult",
    "GetIntegrationToolsResult",
    "GetIntegrationsResult",
    "get_integration",
    "get_integration_configs",
    "get_integration_configs_output",
    "get_integration_output",
    "get_integration_tools",
    "get_integration_tools_output",
    "get_integrations",
    "get_integrations_output",
]

R = TypeVar("R")


@dataclass(frozen=True)
class GetIntegrationsResult:
    """Every integration that matched, in server order."""

    integrations: list[Integration]
    """The integrations that matched, in server order."""

    @property
    def ids(self) -> list[str]:
        """The ids of `integrations`, in the same order."""
        return [integration.id for integration in self.integrations]


@dataclass(frozen=True)
class GetIntegrationResult:
    """One integration, with its auth methods under `integration.auth_methods`."""

    integration: Integration
    """The integration, with its auth methods and parameters under its config metadata."""


@dataclass(frozen=True)
class GetIntegrationToolsResult:
    """Every tool of one integration, in server order."""

    integration: str
    """The integration id the tools belong to."""
    tools: list[Tool]
    """The integration's tools, in server order."""


@dataclass(frozen=True)
class GetIntegrationConfigsResult:
    """Every config of one integration, in server order."""

    integration: str
    """The integration id the configs belong to."""
    configs: list[ConfigRecord]
    """The integration's configs (tenant-level credentials and settings), in server order;
    secret values are masked by Fruxon."""


@contextlib.contextmanager
def _client(workspace: str | None) -> Iterator[FruxonClient]:
    """A client for one data source call; an API error it raises says what to do next."""
    from pulumi_fruxon.client import FruxonClient

    settings = FruxonSettings.resolve(config=pulumi_config_getter(), workspace=workspace)
    try:
        with FruxonClient(settings=settings) as client:
            yield client
    except FruxonError as error:
        raise with_next_step(error) from None


def get_integrations(
    query: str | None = None,
    types: str | Sequence[str] | None = None,
    tags: str | Sequence[str] | None = None,
    has_configs: bool | None = None,
    has_triggers: bool | None = None,
    has_channels: bool | None = None,
    workspace: str | None = None,
) -> GetIntegrationsResult:
    """List integrations, walking every page. Filters are applied server-side.

    `query` matches id, display name and description. `types` and `tags` match any of the given
    values; a single string is one value (`tags="crm"` is the tag `crm`). `has_configs=True`,
    `has_triggers=True` and `has_channels=True` keep only integrations with configs, triggers or
    channels; None (the default) keeps both kinds, and False raises `ValueError`, because Fruxon
    cannot filter for the absence of any of them.

    :param query: Text that an integration's id, display name or description contains.
    :param types: Keep integrations of any of these types; one string is one type.
    :param tags: Keep integrations with any of these tags; one string is one tag.
    :param has_configs: True keeps only integrations that have configs; leave it unset for all.
    :param has_triggers: True keeps only integrations that have triggers; leave it unset for all.
    :param has_channels: True keeps only integrations that have channels; leave it unset for all.
    :param workspace: The Fruxon workspace to read; defaults to the configured one.
    """
    with _client(workspace) as client:
        return fetch_integrations(
            client,
            query=query,
            types=types,
            tags=tags,
            has_configs=has_configs,
            has_triggers=has_triggers,
            has_channels=has_channels,
        )


def get_integration(integration: str, workspace: str | None = None) -> GetIntegrationResult:
    """Read one integration by id (404 raises `NotFoundError`).

    :param integration: The integration id, e.g. `salesforce`.
    :param workspace: The Fruxon workspace to read; defaults to the configured one.
    """
    with _client(workspace) as client:
        return fetch_integration(client, integration)


def get_integration_tools(
    integration: str,
    search: str | None = None,
    types: str | Sequence[str] | None = None,
    workspace: str | None = None,
) -> GetIntegrationToolsResult:
    """List the tools of an integration, walking every page. `types` matches any of the given
    values; a single string is one value.

    :param integration: The integration id, e.g. `salesforce`.
    :param search: Text that a tool's id, display name or description contains.
    :param types: Keep tools of any of these types; one string is one type.
    :param workspace: The Fruxon workspace to read; defaults to the configured one.
    """
    with _client(workspace) as client:
        return fetch_integration_tools(client, integration, search=search, types=types)


def get_integration_configs(
    integration: str, workspace: str | None = None
) -> GetIntegrationConfigsResult:
    """List the configs (tenant-level credentials) of an integration.

    :param integration: The integration id, e.g. `salesforce`.
    :param workspace: The Fruxon workspace to read; defaults to the configured one.
    """
    with _client(workspace) as client:
        return fetch_integration_configs(client, integration)


# The requests behind each function, on a client the caller made: the program's (above) or the
# provider plugin's (`pulumi_fruxon.provider`, whose functions are these same calls).


def fetch_integrations(
    client: FruxonClient,
    query: str | None = None,
    types: str | Sequence[str] | None = None,
    tags: str | Sequence[str] | None = None,
    has_configs: bool | None = None,
    has_triggers: bool | None = None,
    has_channels: bool | None = None,
) -> GetIntegrationsResult:
    found = client.list_integrations(
        query=query,
        types=types,
        tags=tags,
        has_configs=has_configs,
        has_triggers=has_triggers,
        has_channels=has_channels,
    )
    return GetIntegrationsResult(integrations=list(found))


def fetch_integration(client: FruxonClient, integration: str) -> GetIntegrationResult:
    return GetIntegrationResult(integration=client.get_integration(integration))


def fetch_integration_tools(
    client: FruxonClient,
    integration: str,
    search: str | None = None,
    types: str | Sequence[str] | None = None,
) -> GetIntegrationToolsResult:
    tools = list(client.list_integration_tools(integration, search=search, types=types))
    return GetIntegrationToolsResult(integration=integration, tools=tools)


def fetch_integration_configs(
    client: FruxonClient, integration: str
) -> GetIntegrationConfigsResult:
    configs = list(client.list_integration_configs(integration))
    return GetIntegrationConfigsResult(integration=integration, configs=configs)


FETCHERS: dict[str, Callable[..., Any]] = {
    "get_integrations": fetch_integrations,
    "get_integration": fetch_integration,
    "get_integration_tools": fetch_integration_tools,
    "get_integration_configs": fetch_integration_configs,
}
"""Each data source by name, as the call it makes on a given client."""


def _lift(fetch: Callable[..., R], **inputs: Any) -> pulumi.Output[R]:
    """Run `fetch` once every input is known, in a worker thread so the event loop stays free."""

    async def run(resolved: dict[str, Any]) -> R:
        return await asyncio.to_thread(fetch, **resolved)

    return pulumi.Output.from_input(inputs).apply(run)


def get_integrations_output(
    query: pulumi.Input[str | None] = None,
    types: pulumi.Input[str | Sequence[pulumi.Input[str]] | None] = None,
    tags: pulumi.Input[str | Sequence[pulumi.Input[str]] | None] = None,
    has_configs: pulumi.Input[bool | None] = None,
    has_triggers: pulumi.Input[bool | None] = None,
    has_channels: pulumi.Input[bool | None] = None,
    workspace: pulumi.Input[str | None] = None,
) -> pulumi.Output[GetIntegrationsResult]:
    """`get_integrations` with Input arguments."""
    return _lift(
        get_integrations,
        query=query,
        types=types,
        tags=tags,
        has_configs=has_configs,
        has_triggers=has_triggers,
        has_channels=has_channels,
        workspace=workspace,
    )


def get_integration_output(
    integration: pulumi.Input[str], workspace: pulumi.Input[str | None] = None
) -> pulumi.Output[GetIntegrationResult]:
    """`get_integration` with Input arguments."""
    return _lift(get_integration, integration=integration, workspace=workspace)


def get_integration_tools_output(
    integration: pulumi.Input[str],
    search: pulumi.Input[str | None] = None,
    types: pulumi.Input[str | Sequence[pulumi.Input[str]] | None] = None,
    workspace: pulumi.Input[str | None] = None,
) -> pulumi.Output[GetIntegrationToolsResult]:
    """`get_integration_tools` with Input arguments."""
    return _lift(
        get_integration_tools,
        integration=integration,
        search=search,
        types=types,
        workspace=workspace,
    )


def get_integration_configs_output(
    integration: pulumi.Input[str], workspace: pulumi.Input[str | None] = None
) -> pulumi.Output[GetIntegrationConfigsResult]:
    """`get_integration_configs` with Input arguments."""
    return _lift(get_integration_configs, integration=integration, workspace=workspace)
