from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator


class SleepRecorder:
    """Stands in for time.sleep: records the delays the client asked for and waits for none.

    `clock` is the matching monotonic clock: real time plus every delay "slept", so a client's
    deadline sees the waits as if they had passed.
    """

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    def clock(self) -> float:
        return time.monotonic() + sum(self.delays)


@pytest.fixture
def fx() -> Iterator[FruxonEmulator]:
    with FruxonEmulator() as emulator:
        yield emulator


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(fx: FruxonEmulator, sleeps: SleepRecorder) -> Iterator[FruxonClient]:
    with FruxonClient(fx.token, fx.workspace, fx.base_url, sleep=sleeps, clock=sleeps.clock) as c:
        yield c
