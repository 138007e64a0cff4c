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

    @property
    def ids(self) -> list[str]:
        return [integration.id for integration in self.integrations]


@dataclass(frozen=True)
class GetIntegrationResult:
    """One integration, with its auth methods under `integration.auth_methods`."""

    integration: Integration


@dataclass(frozen=True)
class GetIntegrationToolsResult:
    """Every tool of one integration, in server order."""

    integration: str
    tools: list[Tool]


@dataclass(frozen=True)
class GetIntegrationConfigsResult:
    """Every config of one integration, in server order."""

    integration: str
    configs: list[ConfigRecord]


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
    """
    with _client(workspace) as client:
        found = client.list_integrations(
            query=query,
            types=types,
            tags=tags,
            has_configs=has_configs,
            has_triggers=has_triggers,
            has_channels=has_channels,
        )
        return GetIntegrationsResult(integrations=list(found))


def get_integration(integration: str, workspace: str | None = None) -> GetIntegrationResult:
    """Read one integration by id (404 raises `NotFoundError`)."""
    with _client(workspace) as client:
        return GetIntegrationResult(integration=client.get_integration(integration))


def get_integration_tools(
    integration: str,
    search: str | None = None,
    types: str | Sequence[str] | None = None,
    workspace: str | None = None,
) -> GetIntegrationToolsResult:
    """List the tools of an integration, walking every page. `types` matches any of the given
    values; a single string is one value."""
    with _client(workspace) as client:
        tools = list(client.list_integration_tools(integration, search=search, types=types))
        return GetIntegrationToolsResult(integration=integration, tools=tools)


def get_integration_configs(
    integration: str, workspace: str | None = None
) -> GetIntegrationConfigsResult:
    """List the configs (tenant-level credentials) of an integration."""
    with _client(workspace) as client:
        configs = list(client.list_integration_configs(integration))
        return GetIntegrationConfigsResult(integration=integration, configs=configs)


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
