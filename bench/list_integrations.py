"""Benchmark: list 10,000 integrations three ways, side by side, against one emulator.

- ours: `FruxonClient.list_integrations` (pages of 100, keep-alive, typed models);
- the official `fruxon` SDK's `list_integrations` (urllib, server default pages of 10);
- a bare `httpx` loop (pages of 100, keep-alive, `json` only): the floor for any typed client.

Each runs with the emulator answering at once, then with 20 ms before every answer (`--latency`),
a realistic round trip to a distant API, where the request count dominates. The timed rounds run
against an emulator in its own process (`python -m pulumi_fruxon.testing`), as a real API would
be: in-process, the emulator's 10,000-integration heap would inflate this process's garbage
collections and its server thread would compete for the GIL, and both would be charged to
whichever client happens to run. The request counts come from one extra pass against an
in-process emulator, whose request log can be read.

Prints each one's request count and median wall time per latency, and the ratios. Timing lives
here, never in a pass/fail test. `--profile` prints instead where the time of a loopback listing
goes, ours beside the bare loop: the garbage collector's passes and what they took, and
cProfile's busiest functions.
Run: `.venv/bin/python bench/list_integrations.py [--rounds N] [--latency-ms 0 20] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import fruxon
import httpx

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator

COUNT = 10_000


@dataclass(frozen=True)
class Endpoint:
    """Where an emulator listens: what every contender needs, whichever process serves it."""

    base_url: str
    token: str
    workspace: str


@contextmanager
def emulator_process(count: int, latency: float) -> Iterator[Endpoint]:
    """`python -m pulumi_fruxon.testing` serving `count` generated integrations, each answer
    `latency` seconds late."""
    command = [sys.executable, "-m", "pulumi_fruxon.testing", "--integrations", str(count)]
    command += ["--latency", str(latency)]
    with subprocess.Popen([*command, "--json"], stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            yield Endpoint(**json.loads(process.stdout.readline()))
        finally:
            process.terminate()
            process.wait(timeout=10)


def ours(fx: Endpoint) -> int:
    with FruxonClient(fx.token, fx.workspace, fx.base_url) as client:
        return sum(1 for _ in client.list_integrations())


def official_sdk(fx: Endpoint) -> int:
    client = fruxon.FruxonClient(token=fx.token, workspace=fx.workspace, base_url=fx.base_url)
    return len(client.list_integrations())


def bare_httpx(fx: Endpoint) -> int:
    url = f"/v1/tenants/{fx.workspace}/integrations"
    headers = {"Authorization": f"Bearer {fx.token}", "Accept": "application/json"}
    total = 0
    with httpx.Client(base_url=fx.base_url, headers=headers) as http:
        token = ""
        while True:
            params = {"pageSize": "100", **({"pageToken": token} if token else {})}
            page = http.get(url, params=params).json()
            total += len(page["items"])
            token = page.get("nextPageToken") or ""
            if not token or not page["items"]:
                return total


CONTENDERS: dict[str, Callable[[Endpoint], int]] = {
    "ours": ours,
    "official SDK": official_sdk,
    "bare httpx": bare_httpx,
}


def count_requests() -> dict[str, int]:
    """One untimed pass each against an in-process emulator, whose request log we can read."""
    requests: dict[str, int] = {}
    with FruxonEmulator(integrations=COUNT) as fx:
        endpoint = Endpoint(fx.base_url, fx.token, fx.workspace)
        for name, run in CONTENDERS.items():
            fx.clear_requests()
            listed = run(endpoint)
            if listed != COUNT:
                raise SystemExit(f"{name} listed {listed} integrations, expected {COUNT}")
            requests[name] = fx.count("listIntegrations")
    return requests


def timed_rounds(latency: float, rounds: int) -> dict[str, float]:
    """The median seconds of each contender against one emulator process."""
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    with emulator_process(COUNT, latency) as endpoint:
        for run in CONTENDERS.values():  # warm every path once
            run(endpoint)
        # Interleave the rounds so that machine noise hits every contender alike.
        for _ in range(rounds):
            for name, run in CONTENDERS.items():
                start = time.perf_counter()
                listed = run(endpoint)
                times[name].append(time.perf_counter() - start)
                if listed != COUNT:
                    raise SystemExit(f"{name} listed {listed} integrations, expected {COUNT}")
    return {name: statistics.median(samples) for name, samples in times.items()}


class Collections:
    """Counts the garbage collector's passes per generation, and the time they take."""

    def __init__(self) -> None:
        self.passes = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.passes[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._start


def profile(rounds: int) -> None:
    """Where a loopback listing's time goes: collections, then cProfile, ours and the bare loop."""
    with emulator_process(COUNT, 0.0) as endpoint:
        contenders = {"ours": ours, "bare httpx": bare_httpx}
        for run in contenders.values():
            run(endpoint)
        print(f"garbage collections per listing, mean of {rounds} listings")
        for name, run in contenders.items():
            collections = Collections()
            gc.callbacks.append(collections)
            try:
                start = time.perf_counter()
                for _ in range(rounds):
                    run(endpoint)
                wall = (time.perf_counter() - start) / rounds
            finally:
                gc.callbacks.remove(collections)
            cells = "  ".join(
                f"gen {g}: {n / rounds:5.1f} passes {s / rounds * 1000:6.1f} ms"
                for g, (n, s) in enumerate(
                    zip(collections.passes, collections.seconds, strict=True)
                )
            )
            print(f"  {name:<11}{wall * 1000:7.1f} ms   {cells}")
        for name, run in contenders.items():
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(rounds):
                run(endpoint)
            profiler.disable()
            print(f"\ncProfile, {name}, {rounds} listings, by own time")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 20.0])
    parser.add_argument(
        "--profile", action="store_true", help="where a loopback listing's time goes"
    )
    args = parser.parse_args()
    if args.profile:
        profile(args.rounds)
        return
    medians = {ms: timed_rounds(ms / 1000, args.rounds) for ms in args.latency_ms}
    requests = count_requests()  # after the timing: the in-process emulator's heap stays out of it
    print(f"listing {COUNT:,} integrations from the emulator, median of {args.rounds} rounds")
    print(f"  {'':<13}{'requests':>9}" + "".join(f"{f'{ms:g} ms latency':>18}" for ms in medians))
    for name in CONTENDERS:
        cells = "".join(f"{median[name] * 1000:>15.1f} ms" for median in medians.values())
        print(f"  {name:<13}{requests[name]:>9}{cells}")
    ratios = {
        "official SDK / ours": ("official SDK", "ours", "(target >= 5)"),
        "ours / bare httpx": ("ours", "bare httpx", "(target <= 1.25)"),
    }
    for label, (top, bottom, target) in ratios.items():
        cells = "".join(f"{median[top] / median[bottom]:>17.2f}x" for median in medians.values())
        print(f"  {label:<22}{cells}  {target}")


if __name__ == "__main__":
    main()
