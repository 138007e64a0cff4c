"""List walks: whole or an error, bounded, and alike for every list method."""

from __future__ import annotations

import itertools
import logging

import httpx
import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import NotFoundError, PaginationError
from pulumi_fruxon.testing import FruxonEmulator

# -- a walk that never ends --------------------------------------------------------------------


def test_a_cycling_list_raises_on_its_second_page(fx: FruxonEmulator, client: FruxonClient) -> None:
    fx.set_page_cycle(True)
    fx.clear_requests()

    with pytest.raises(PaginationError, match="held only items already listed") as raised:
        list(client.list_integrations(page_size=5))

    assert fx.count("listIntegrations") == 2
    assert raised.value.path == f"/v1/tenants/{fx.workspace}/integrations"
    assert raised.value.pages == 2


def test_a_cycling_tool_list_raises_too(fx: FruxonEmulator, client: FruxonClient) -> None:
    fx.add_integration("cyclic", tools=30)
    fx.set_page_cycle(True)
    fx.clear_requests()
    with pytest.raises(PaginationError, match="/integrations/cyclic/tools"):
        list(client.list_integration_tools("cyclic", page_size=10))
    assert fx.count("listTools") == 2


def test_best_effort_stops_a_cycling_walk_with_a_warning(
    fx: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    fx.set_page_cycle(True)
    with caplog.at_level(logging.WARNING, logger="pulumi_fruxon"):
        found = list(client.list_integrations(page_size=5, best_effort=True))
    assert len(found) == 5
    assert "do not add up" in caplog.text


def _endless() -> httpx.MockTransport:
    """A server whose every page brings new items and a new token: no guard but the page limit
    can stop it."""
    counter = itertools.count()

    def handler(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        return httpx.Response(200, json={"items": [{"id": f"i{n}"}], "nextPageToken": f"t{n}"})

    return httpx.MockTransport(handler)


def test_the_page_limit_bounds_a_walk_that_never_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_constants, "MAX_PAGES", 25)
    with (
        FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=_endless()) as mocked,
        pytest.raises(PaginationError, match="did not end within 25 pages") as raised,
    ):
        list(mocked.list_integrations())
    assert raised.value.pages == 25


def test_the_default_page_limit_is_in_force() -> None:
    with (
        FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=_endless()) as mocked,
        pytest.raises(PaginationError) as raised,
    ):
        list(mocked.list_integrations())
    assert raised.value.pages == _constants.MAX_PAGES


# -- totalCount -------------------------------------------------------------------------------


def _scripted(pages: list[dict[str, object]]) -> FruxonClient:
    calls = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(calls))

    transport = httpx.MockTransport(handler)
    return FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport)


def test_a_list_ending_short_of_its_total_count_raises() -> None:
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "t1", "totalCount": 5},
        {"items": [{"id": "c"}], "nextPageToken": "", "totalCount": 5},
    ]
    with (
        _scripted(pages) as mocked,
        pytest.raises(PaginationError, match="ends the list at 3 items, but totalCount says 5"),
    ):
        list(mocked.list_integrations())


def test_a_list_reaching_its_total_count_is_whole() -> None:
    pages: list[dict[str, object]] = [
        {"items": [{"id": "a"}, {"id": "b"}], "nextPageToken": "t1", "totalCount": 3},
        {"items": [{"id": "c"}], "nextPageToken": "", "totalCount": 3},
    ]
    with _scripted(pages) as mocked:
        assert [i.id for i in mocked.list_integrations()] == ["a", "b", "c"]


# -- every list method alike ------------------------------------------------------------------


def test_every_list_method_sends_its_first_request_when_called(
    fx: FruxonEmulator, client: FruxonClient
) -> None:
    fx.clear_requests()
    integrations = client.list_integrations()
    tools = client.list_integration_tools("slack")
    configs = client.list_integration_configs("slack")
    assert [r.route for r in fx.requests] == ["listIntegrations", "listTools", "listConfigs"]
    assert next(integrations).id
    assert next(tools).id
    assert [c.id for c in configs] == [c["id"] for c in fx.list_configs("slack")]


@pytest.mark.parametrize("method", ["list_integration_tools", "list_integration_configs"])
def test_a_failing_list_raises_at_the_call_site(client: FruxonClient, method: str) -> None:
    with pytest.raises(NotFoundError):
        getattr(client, method)("no-such-integration")


@pytest.mark.parametrize(
    "body",
    [
        [{"id": "c1"}, {"id": "c2"}],
        {"configs": [{"id": "c1"}, {"id": "c2"}]},
        {"items": [{"id": "c1"}, {"id": "c2"}]},
    ],
    ids=["bare-array", "configs", "items"],
)
def test_configs_are_read_in_every_shape_the_sdk_accepts(body: object) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport) as mocked:
        assert [c.id for c in mocked.list_integration_configs("x")] == ["c1", "c2"]


# -- filter arguments -------------------------------------------------------------------------


def test_a_single_string_filter_is_one_value(fx: FruxonEmulator, client: FruxonClient) -> None:
    fx.clear_requests()
    as_string = [i.id for i in client.list_integrations(tags="crm", types="SYSTEM")]
    as_list = [i.id for i in client.list_integrations(tags=["crm"], types=["SYSTEM"])]
    list(client.list_integration_tools("slack", types="API"))

    assert as_string == as_list
    first, _, tools = fx.requests
    assert first.query["tags"] == ["crm"]
    assert first.query["types"] == ["SYSTEM"]
    assert tools.query["types"] == ["API"]


@pytest.mark.parametrize("flag", ["has_configs", "has_triggers", "has_channels"])
def test_a_false_has_filter_is_refused_before_sending(
    fx: FruxonEmulator, client: FruxonClient, flag: str
) -> None:
    fx.clear_requests()
    with pytest.raises(ValueError, match=f"{flag}=False is not supported"):
        client.list_integrations(**{flag: False})
    assert fx.requests == []
