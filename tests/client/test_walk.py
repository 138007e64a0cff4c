"""List walks: whole or an error, bounded, and alike for every list method."""

from __future__ import annotations

import itertools
import logging

import httpx
import pytest

from pulumi_fruxon import _constants
from pulumi_fruxon._pagination import WalkGuard, follow
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import InvalidResponseError, NotFoundError, PaginationError
from pulumi_fruxon.models import Integration, Page
from pulumi_fruxon.testing import FruxonEmulator

# -- a walk that never ends --------------------------------------------------------------------


def test_a_cycling_list_raises_on_its_second_page(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.set_page_cycle(True)
    emulator.clear_requests()

    with pytest.raises(PaginationError, match="held only items already listed") as raised:
        list(client.list_integrations(page_size=5))

    assert emulator.count("listIntegrations") == 2
    assert raised.value.path == f"/v1/tenants/{emulator.workspace}/integrations"
    assert raised.value.pages == 2


def test_a_cycling_tool_list_raises_too(emulator: FruxonEmulator, client: FruxonClient) -> None:
    emulator.add_integration("cyclic", tools=30)
    emulator.set_page_cycle(True)
    emulator.clear_requests()
    with pytest.raises(PaginationError, match="/integrations/cyclic/tools"):
        list(client.list_integration_tools("cyclic", page_size=10))
    assert emulator.count("listTools") == 2


def test_best_effort_stops_a_cycling_walk_with_a_warning(
    emulator: FruxonEmulator, client: FruxonClient, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.set_page_cycle(True)
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


def test_the_page_limit_bounds_a_walk_that_never_repeats() -> None:
    fetched: list[str | None] = []

    def fetch(token: str | None) -> Page[Integration]:
        fetched.append(token)
        n = len(fetched)
        return Page[Integration](items=[Integration(id=f"i{n}")], next_page_token=f"t{n}")

    guard: WalkGuard[Integration] = WalkGuard("/endless", max_pages=25)
    walked = follow(guard, fetch(None), fetch, best_effort=False)
    with pytest.raises(PaginationError, match="did not end within 25 pages") as raised:
        list(walked)
    assert raised.value.pages == 25
    assert len(fetched) == 25


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
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.clear_requests()
    integrations = client.list_integrations()
    tools = client.list_integration_tools("slack")
    configs = client.list_integration_configs("slack")
    assert [r.route for r in emulator.requests] == ["listIntegrations", "listTools", "listConfigs"]
    assert next(integrations).id
    assert next(tools).id
    assert [c.id for c in configs] == [c["id"] for c in emulator.list_configs("slack")]


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


def _answering(content: bytes) -> FruxonClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    return FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport)


def _listed(client: FruxonClient, which: str) -> list[str]:
    if which == "configs":
        return [c.id for c in client.list_integration_configs("x")]
    return [r.id for r in client.list_config_revisions("x", "c")]


@pytest.mark.parametrize("which", ["configs", "revisions"])
@pytest.mark.parametrize(
    "content",
    [
        b' \r\n\t[{"id": "a"}, {"id": "b"}]',
        b'{"items": [{"id": "a"}, {"id": "b"}], "%s": [{"id": "other"}]}',
        b'{"%s": [{"id": "a"}, {"id": "b"}], "totalCount": 2}',
    ],
    ids=["bare-array-after-whitespace", "items-first", "named"],
)
def test_both_spellings_of_a_config_or_revision_list_are_read(content: bytes, which: str) -> None:
    body = content.replace(b"%s", which.encode()) if b"%s" in content else content
    with _answering(body) as mocked:
        assert _listed(mocked, which) == ["a", "b"]


@pytest.mark.parametrize("which", ["configs", "revisions"])
@pytest.mark.parametrize("content", [b'{"items": [{"id": "a"}', b"", b"\xff[]", b"<html>"])
def test_a_config_or_revision_list_that_is_not_json_says_so(content: bytes, which: str) -> None:
    with _answering(content) as mocked, pytest.raises(InvalidResponseError) as raised:
        _listed(mocked, which)
    path = "/v1/tenants/w/integrations/x/configs" + ("/c/revisions" if which == "revisions" else "")
    assert str(raised.value) == f"Fruxon sent a body that is not JSON for GET {path} (HTTP 200)"


@pytest.mark.parametrize("which", ["configs", "revisions"])
@pytest.mark.parametrize(
    ("content", "kinds"),
    [
        (b'[{"id": "a"}, {"name": "no id"}]', "missing"),
        (b'{"%s": "not a list"}', "list_type"),
        (b'"a string"', "model_type"),
    ],
)
def test_a_config_or_revision_list_of_the_wrong_shape_says_which(
    content: bytes, kinds: str, which: str
) -> None:
    with (
        _answering(content.replace(b"%s", which.encode())) as mocked,
        pytest.raises(InvalidResponseError, match=rf"^Fruxon sent unexpected shape \({kinds}\)"),
    ):
        _listed(mocked, which)


def test_a_named_config_list_is_walked_and_guarded_like_any_other() -> None:
    pages = iter(
        [
            b'{"configs": [{"id": "a"}], "nextPageToken": "t1"}',
            b'{"configs": [{"id": "b"}], "nextPageToken": "t1"}',
        ]
    )
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=next(pages)))
    seen: list[str] = []
    with (
        FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport) as mocked,
        pytest.raises(PaginationError, match="page 2 sent back the page token it was asked for"),
    ):
        seen.extend(c.id for c in mocked.list_integration_configs("x"))
    assert seen == ["a", "b"]


# -- filter arguments -------------------------------------------------------------------------


def test_a_single_string_filter_is_one_value(
    emulator: FruxonEmulator, client: FruxonClient
) -> None:
    emulator.clear_requests()
    as_string = [i.id for i in client.list_integrations(tags="crm", types="SYSTEM")]
    as_list = [i.id for i in client.list_integrations(tags=["crm"], types=["SYSTEM"])]
    list(client.list_integration_tools("slack", types="API"))

    assert as_string == as_list
    first, _, tools = emulator.requests
    assert first.query["tags"] == ["crm"]
    assert first.query["types"] == ["SYSTEM"]
    assert tools.query["types"] == ["API"]


@pytest.mark.parametrize("flag", ["has_configs", "has_triggers", "has_channels"])
def test_a_false_has_filter_is_refused_before_sending(
    emulator: FruxonEmulator, client: FruxonClient, flag: str
) -> None:
    emulator.clear_requests()
    with pytest.raises(ValueError, match=f"{flag}=False is not supported"):
        client.list_integrations(**{flag: False})
    assert emulator.requests == []
