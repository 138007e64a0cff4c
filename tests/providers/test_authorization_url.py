"""`AuthorizationUrlProvider` methods called directly against the emulator.

Layer 3 of docs/architecture.md#tests."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.output import Unknown

from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.testing import FruxonEmulator


def configured(fx: FruxonEmulator, **overrides: str) -> AuthorizationUrlProvider:
    provider = AuthorizationUrlProvider()
    config = {
        "fruxon:token": fx.token,
        "fruxon:baseUrl": fx.base_url,
        "fruxon:workspace": fx.workspace,
        **overrides,
    }
    provider.configure(ConfigureRequest(Config(config, "proj")))
    return provider


def minted(provider: AuthorizationUrlProvider, **props: Any) -> dict[str, Any]:
    checked = provider.check({}, {"integration": "salesforce", **props})
    assert checked.failures == []
    outs = provider.create(checked.inputs).outs
    assert outs is not None
    return outs


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("integration", ""),
        ("auth_method", "o auth"),
        ("scopes", "api"),
        ("scopes", ["api", 3]),
        ("scopes", [""]),
        ("config_parameters", {"instance": 1}),
        ("config_parameters", ["instance"]),
        ("return_url", "https://evil.example/done"),
        ("return_url", "//evil.example/done"),
        ("return_url", "done"),
        ("return_url", "/\\evil.com"),
        ("return_url", "/\t/evil.com"),
        ("integration", "a" * 5000),
        ("rotation", ["1"]),
        ("rotation", True),
        ("workspace", "a b"),
    ],
)
def test_check_names_the_bad_property(prop: str, value: Any) -> None:
    result = AuthorizationUrlProvider().check({}, {"integration": "salesforce", prop: value})
    assert [f.property for f in result.failures] == [prop]


def test_check_fills_the_default_auth_method_and_accepts_unknowns() -> None:
    result = AuthorizationUrlProvider().check(
        {},
        {
            "integration": "salesforce",
            "scopes": [Unknown()],
            "return_url": Unknown(),
            "rotation": Unknown(),
        },
    )
    assert result.failures == []
    assert result.inputs["auth_method"] == "oauth2"


def test_create_mints_once_with_the_inputs(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    outs = minted(
        provider,
        scopes=["api"],
        config_parameters={"instance": "acme"},
        return_url="/done",
        rotation=1,
    )

    assert outs["url"].startswith(f"{emulator.base_url}/oauth/consent?")
    assert outs["workspace"] == emulator.workspace
    assert outs["rotation"] == 1
    assert emulator.count("authorize") == 1
    key = emulator.approve(outs["url"])
    assert key


def test_diff_no_change_and_no_requests(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    outs = minted(provider, scopes=["api"])
    emulator.clear_requests()

    same = {"integration": "salesforce", "auth_method": "oauth2", "scopes": ["api"]}
    assert provider.diff("id", outs, same).changes is False
    assert (
        provider.diff("id", outs, {**same, "scopes": ["api"], "return_url": None}).changes is False
    )
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"integration": "slack"}, "integration"),
        ({"auth_method": "other"}, "auth_method"),
        ({"scopes": ["api", "refresh_token"]}, "scopes"),
        ({"scopes": None}, "scopes"),
        ({"config_parameters": {"instance": "x"}}, "config_parameters"),
        ({"return_url": "/elsewhere"}, "return_url"),
        ({"rotation": "2"}, "rotation"),
        ({"workspace": "other"}, "workspace"),
        ({"scopes": [Unknown()]}, "scopes"),
        ({"rotation": Unknown()}, "rotation"),
    ],
)
def test_diff_any_input_change_replaces(
    emulator: FruxonEmulator, change: dict[str, Any], replaced: str
) -> None:
    provider = configured(emulator)
    outs = minted(provider, scopes=["api"])
    news = {"integration": "salesforce", "auth_method": "oauth2", "scopes": ["api"], **change}
    result = provider.diff("id", outs, news)
    assert result.changes is True
    assert result.replaces == [replaced]


def test_read_echoes_the_state_and_hands_back_the_program_inputs(
    emulator: FruxonEmulator,
) -> None:
    provider = configured(emulator)
    outs = minted(provider, scopes=["api"], rotation="3")
    emulator.clear_requests()

    result = provider.read("id", {**outs, "__provider": "pickle"})

    assert result.outs == outs
    # The configured workspace was not a program input, so it is not handed back as one.
    assert result.inputs == {
        "integration": "salesforce",
        "auth_method": "oauth2",
        "scopes": ["api"],
        "rotation": "3",
    }
    assert emulator.requests == []


def test_update_keeps_every_output(emulator: FruxonEmulator) -> None:
    provider = configured(emulator)
    outs = minted(provider)
    assert provider.update("id", outs, {"integration": "salesforce"}).outs == outs
