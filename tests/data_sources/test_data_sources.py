"""Data sources in a Pulumi program under mocks, with HTTP going to the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

import pulumi_fruxon as fruxon
from pulumi_fruxon.errors import PaginationError
from pulumi_fruxon.testing import FruxonEmulator


class NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture
def fx(monkeypatch: pytest.MonkeyPatch) -> Iterator[FruxonEmulator]:
    for variable in ("FRUXON_TOKEN", "FRUXON_WORKSPACE", "FRUXON_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    with FruxonEmulator() as emulator:
        monkeypatch.setenv(
            "PULUMI_CONFIG",
            json.dumps(
                {
                    "fruxon:token": emulator.token,
                    "fruxon:workspace": emulator.workspace,
                    "fruxon:baseUrl": emulator.base_url,
                }
            ),
        )
        yield emulator


@pytest.fixture(params=[False, True], ids=["up", "preview"])
def mocks(request: pytest.FixtureRequest, fx: FruxonEmulator) -> bool:
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=request.param)
    return bool(request.param)


def unknown_output() -> pulumi.Output[str]:
    """An Output whose value is not known, as an input computed by the engine is in preview."""
    loop = asyncio.get_event_loop()
    value: asyncio.Future[str] = loop.create_future()
    known: asyncio.Future[bool] = loop.create_future()
    secret: asyncio.Future[bool] = loop.create_future()
    value.set_result("")
    known.set_result(False)
    secret.set_result(False)
    return pulumi.Output(set(), value, known, secret)


def test_plain_functions_read_stack_config_and_return_typed_results(
    fx: FruxonEmulator, mocks: bool
) -> None:
    result = fruxon.get_integrations(tags=["crm"])
    assert result.ids and all("crm" in i.tags for i in result.integrations)
    assert fruxon.get_integration("slack").integration.id == "slack"
    tools = fruxon.get_integration_tools("slack")
    assert tools.tools and all(t.integration_id in (None, "slack") for t in tools.tools)
    assert isinstance(fruxon.get_integration_configs("slack").configs, list)
    assert fx.count("listIntegrations") == 1


@pulumi.runtime.test
def test_output_functions_run_in_preview_when_inputs_are_known(
    fx: FruxonEmulator, mocks: bool
) -> pulumi.Output[None]:
    ids = fruxon.get_integrations_output(query=pulumi.Output.from_input("sales"))
    one = fruxon.get_integration_output(pulumi.Output.from_input("github"))
    tools = fruxon.get_integration_tools_output("github")
    configs = fruxon.get_integration_configs_output("github")

    def check(args: list[Any]) -> None:
        listed, github, github_tools, github_configs = args
        assert "salesforce" in listed.ids
        assert github.integration.id == "github"
        assert github_tools.tools
        assert github_configs.integration == "github"
        assert fx.count("listIntegrations") == 1
        assert fx.count("getIntegration") == 1

    return pulumi.Output.all(ids, one, tools, configs).apply(check)


@pulumi.runtime.test
def test_unknown_input_gives_unknown_result_and_no_request(fx: FruxonEmulator) -> Any:
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=True)
    result = fruxon.get_integration_tools_output(unknown_output())
    ran: list[object] = []
    result.apply(ran.append)

    async def check() -> None:
        assert await result.is_known() is False
        assert ran == []
        assert fx.requests == []

    return asyncio.ensure_future(check())


def test_results_are_not_secret_though_the_token_is(fx: FruxonEmulator, mocks: bool) -> None:
    @pulumi.runtime.test
    def body() -> Any:
        result = fruxon.get_integration_output("slack")

        async def check() -> None:
            assert await result.is_secret() is False
            assert await result.is_known() is True

        return asyncio.ensure_future(check())

    body()


# -- a list is whole or an error ---------------------------------------------------------------


@pytest.fixture
def long_catalogue(fx: FruxonEmulator) -> FruxonEmulator:
    """More integrations than one page of 100 holds."""
    for n in range(250):
        fx.add_integration(f"zz-bulk-{n:03d}", tags=["bulk"])
    return fx


def test_an_echoing_server_makes_get_integrations_raise_not_return_page_one(
    long_catalogue: FruxonEmulator, mocks: bool
) -> None:
    long_catalogue.set_echo_page_tokens(True)
    with pytest.raises(PaginationError, match="/integrations") as raised:
        fruxon.get_integrations(tags=["bulk"])
    assert raised.value.items == 200
    assert raised.value.total_count == 250


def test_a_cycling_server_makes_get_integrations_raise(fx: FruxonEmulator, mocks: bool) -> None:
    fx.set_page_cycle(True)
    with pytest.raises(PaginationError, match="already listed"):
        fruxon.get_integrations()
    assert fx.count("listIntegrations") == 2


def test_a_cycling_server_makes_get_integration_tools_raise(
    fx: FruxonEmulator, mocks: bool
) -> None:
    fx.add_integration("many-tools", tools=150)
    fx.set_page_cycle(True)
    with pytest.raises(PaginationError, match="/integrations/many-tools/tools"):
        fruxon.get_integration_tools("many-tools")


def test_the_output_form_fails_the_program_too(long_catalogue: FruxonEmulator) -> None:
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=True)
    long_catalogue.set_echo_page_tokens(True)

    @pulumi.runtime.test
    def program() -> Any:
        return fruxon.get_integrations_output(tags=["bulk"]).apply(lambda result: result.ids)

    with pytest.raises(PaginationError, match="sent back the page token"):
        program()


# -- arguments --------------------------------------------------------------------------------


def test_a_single_tag_string_is_one_tag(fx: FruxonEmulator, mocks: bool) -> None:
    fx.add_integration("m-only", tags=["m"])  # would match the character 'm' of "crm"
    as_string = fruxon.get_integrations(tags="crm")
    as_list = fruxon.get_integrations(tags=["crm"])
    assert as_string.ids == as_list.ids
    assert "m-only" not in as_string.ids
    assert all(r.query.get("tags") == ["crm"] for r in fx.requests)


def test_a_single_type_string_is_one_type(fx: FruxonEmulator, mocks: bool) -> None:
    assert (
        fruxon.get_integrations(types="SYSTEM").ids == fruxon.get_integrations(types=["SYSTEM"]).ids
    )
    tools = fruxon.get_integration_tools("slack", types="API")
    assert all(r.query.get("types") == ["API"] for r in fx.requests if r.route == "listTools")
    assert tools.tools


@pytest.mark.parametrize("flag", ["has_configs", "has_triggers", "has_channels"])
def test_a_false_has_filter_is_refused(fx: FruxonEmulator, mocks: bool, flag: str) -> None:
    with pytest.raises(ValueError, match=f"{flag}=False"):
        fruxon.get_integrations(**{flag: False})
    assert fx.requests == []


def test_configs_are_a_list(fx: FruxonEmulator, mocks: bool) -> None:
    config_id = fx.add_config("github", display_name="Listed")
    configs = fruxon.get_integration_configs("github").configs
    assert isinstance(configs, list)
    assert [c.id for c in configs] == [config_id]
