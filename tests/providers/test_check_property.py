"""Property test: `check` takes any inputs without raising, and names real properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime import rpc

from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.authorization_url import INPUTS as URL_INPUTS
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.credential_link import INPUTS as LINK_INPUTS
from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider

AUTH_INPUTS = (
    "integration",
    "integration_config_id",
    "credential_key",
    "workspace",
    "publish",
    "publish_note",
)
UNKNOWN = Unknown()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=24),
    st.just(UNKNOWN),
    st.just(rpc.UNKNOWN),
    st.sampled_from(["salesforce", "0b6f6c2e-1d0a-4c3e-9f7b-2a5d8e9c1f00", "/done", " x "]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
credential_keys = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16).map(
    lambda h: f"fxck_{h}"
)


def news_for(properties: tuple[str, ...]) -> st.SearchStrategy[dict[Any, Any]]:
    keys = st.one_of(st.sampled_from(properties), st.text(max_size=10), st.integers())
    return st.dictionaries(keys, values, max_size=len(properties) + 2)


def assert_well_behaved(
    provider: FruxonProvider, news: dict[Any, Any], properties: tuple[str, ...]
) -> None:
    result = provider.check({}, news)
    assert isinstance(result.inputs, dict)
    for failure in result.failures:
        assert failure.property in properties
        assert isinstance(failure.reason, str) and failure.property in failure.reason
    # The host checks twice on a replace: a second check of the result changes nothing.
    again = provider.check({}, result.inputs)
    assert again.inputs == result.inputs
    assert [f.property for f in again.failures] == [f.property for f in result.failures]


@settings(max_examples=300, deadline=None)
@given(news=news_for(AUTH_INPUTS))
def test_integration_auth_check_never_raises(news: dict[Any, Any]) -> None:
    assert_well_behaved(IntegrationAuthProvider(), news, AUTH_INPUTS)


@settings(max_examples=300, deadline=None)
@given(news=news_for(URL_INPUTS))
def test_authorization_url_check_never_raises(news: dict[Any, Any]) -> None:
    assert_well_behaved(AuthorizationUrlProvider(), news, URL_INPUTS)


@settings(max_examples=100, deadline=None)
@given(news=news_for(AUTH_INPUTS), key=credential_keys)
def test_integration_auth_check_never_echoes_the_key(news: dict[Any, Any], key: str) -> None:
    news = {**news, "credential_key": key}
    result = IntegrationAuthProvider().check({}, news)
    assert all(key not in failure.reason for failure in result.failures)


@settings(max_examples=300, deadline=None)
@given(news=news_for(LINK_INPUTS))
def test_credential_link_check_never_raises(news: dict[Any, Any]) -> None:
    assert_well_behaved(CredentialLinkProvider(), news, LINK_INPUTS)
