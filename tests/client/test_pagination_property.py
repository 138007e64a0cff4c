"""Property: whatever the page size and catalogue size, listing yields each integration once."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page_size=st.integers(min_value=1, max_value=150), count=st.integers(0, 500))
def test_listing_yields_every_integration_exactly_once(page_size: int, count: int) -> None:
    with (
        FruxonEmulator(integrations=count) as emulator,
        FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client,
    ):
        ids = [i.id for i in client.list_integrations(page_size=page_size)]
        expected_pages = max(1, -(-count // min(page_size, 100)))
        assert emulator.count("listIntegrations") == expected_pages
    assert len(ids) == count
    assert len(set(ids)) == count
