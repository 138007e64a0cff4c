from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_fruxon.testing import FruxonEmulator


@pytest.fixture
def fx() -> Iterator[FruxonEmulator]:
    with FruxonEmulator() as emulator:
        yield emulator


@pytest.fixture
def http(fx: FruxonEmulator) -> Iterator[httpx.Client]:
    """A bare client, authorised with the default token, rooted at the workspace."""
    with httpx.Client(
        base_url=f"{fx.base_url}/v1/tenants/{fx.workspace}",
        headers={"Authorization": f"Bearer {fx.token}"},
        trust_env=False,
        timeout=10,
    ) as client:
        yield client
