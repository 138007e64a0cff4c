"""`return_url`: one rule, and only paths a browser keeps on the page's own origin pass it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_fruxon._urls import return_url_problem
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator

PAGE = "https://app.fruxon.example/oauth/success?credentialKey=k"

# Each of these is another host once a browser has parsed it (or is not a path at all).
OPEN_REDIRECTS = [
    "/\\evil.com",
    "/\\\\evil.com",
    "\\/evil.com",
    "\\\\evil.com",
    "//evil.com",
    "///evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    "/\x00/evil.com",
    "https://evil.com/",
    "javascript:alert(1)",
    "evil.com",
    "",
]
SAME_ORIGIN = ["/", "/integrations", "/a/b?c=d#e", "/%2F%2Fevil.com", "/%5Cevil.com", "/@evil.com"]


def browser_join(base: str, link: str) -> str:
    """How a browser resolves `link` on `base`, for http(s) pages (WHATWG URL standard): strip
    leading and trailing C0 controls and spaces, drop every tab and line break, read `\\` as
    `/`; then resolve as RFC 3986 does."""
    link = link.strip("".join(map(chr, range(0x21))))
    link = re.sub("[\t\n\r]", "", link).replace("\\", "/")
    return urljoin(base, link)


def same_origin(link: str) -> bool:
    page, target = urlsplit(PAGE), urlsplit(browser_join(PAGE, link))
    return (target.scheme, target.netloc) == (page.scheme, page.netloc)


@pytest.mark.parametrize("value", OPEN_REDIRECTS)
def test_the_rule_refuses_every_known_open_redirect(value: str) -> None:
    assert return_url_problem(value) is not None


@pytest.mark.parametrize("value", SAME_ORIGIN)
def test_the_rule_accepts_same_origin_paths(value: str) -> None:
    assert return_url_problem(value) is None
    assert same_origin(value)


def test_the_browser_model_sees_the_attack() -> None:
    # The reason the rule exists: Python's urljoin keeps the host, a browser does not.
    assert urlsplit(urljoin(PAGE, "/\\evil.com")).netloc == "app.fruxon.example"
    assert urlsplit(browser_join(PAGE, "/\\evil.com")).netloc == "evil.com"


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="/\\\t\n\r :@.%?#abc\x00\x0b\x7f\u3002\uff0f", max_size=12),
        st.text(alphabet="/\\\t :.abc", max_size=8).map(lambda s: "/" + s),
    )
)
def test_whatever_the_rule_accepts_stays_on_the_origin(value: str) -> None:
    if return_url_problem(value) is None:
        assert same_origin(value), value


# -- one rule, used by the provider's check, the client and the emulator -----------------------


def _check_failures(value: str) -> list[Any]:
    checked = AuthorizationUrlProvider().check({}, {"integration": "slack", "return_url": value})
    return [f.property for f in checked.failures]


def _emulator_status(fx: FruxonEmulator, value: str) -> int:
    with httpx.Client(trust_env=False) as http:
        response = http.post(
            f"{fx.base_url}/v1/tenants/{fx.workspace}/integrations/slack:authorize",
            headers={"Authorization": f"Bearer {fx.token}"},
            json={"integrationAuthMetadataId": "oauth2", "returnUrl": value},
        )
    return response.status_code


@pytest.mark.parametrize("value", ["/\\evil.com", "/\t/evil.com", "//evil.com"])
def test_check_client_and_emulator_all_refuse(fx: FruxonEmulator, value: str) -> None:
    assert _check_failures(value) == ["return_url"]
    fx.clear_requests()
    with (
        FruxonClient(fx.token, fx.workspace, fx.base_url) as client,
        pytest.raises(ValueError, match="return_url"),
    ):
        client.authorize("slack", return_url=value)
    assert fx.requests == []
    assert _emulator_status(fx, value) == 400


def test_check_client_and_emulator_all_accept_a_path(fx: FruxonEmulator) -> None:
    assert _check_failures("/integrations") == []
    with FruxonClient(fx.token, fx.workspace, fx.base_url) as client:
        assert client.authorize("slack", return_url="/integrations")
    assert _emulator_status(fx, "/integrations") == 200
