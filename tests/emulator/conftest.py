from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_fruxon.testing import FruxonEmulator


@pytest.fixture
def http(emulator: FruxonEmulator) -> Iterator[httpx.Client]:
    """A bare client, authorised with the default token, rooted at the workspace."""
    with httpx.Client(
        base_url=f"{emulator.base_url}/v1/tenants/{emulator.workspace}",
        headers={"Authorization": f"Bearer {emulator.token}"},
        trust_env=False,
        timeout=10,
    ) as client:
        yield client
