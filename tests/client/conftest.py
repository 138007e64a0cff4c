from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator


class SleepRecorder:
    """Stands in for time.sleep: records the delays the client asked for, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def fx() -> Iterator[FruxonEmulator]:
    with FruxonEmulator() as emulator:
        yield emulator


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(fx: FruxonEmulator, sleeps: SleepRecorder) -> Iterator[FruxonClient]:
    with FruxonClient(fx.token, fx.workspace, fx.base_url, sleep=sleeps) as c:
        yield c
