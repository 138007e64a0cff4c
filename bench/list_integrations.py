"""Benchmark: list 10,000 integrations three ways, side by side, against one emulator.

- ours: `FruxonClient.list_integrations` (pages of 100, keep-alive, typed models);
- the official `fruxon` SDK's `list_integrations` (urllib, server default pages of 10);
- a bare `httpx` loop (pages of 100, keep-alive, `json` only): the floor for any typed client.

Prints each one's request count and median wall time, and the ratios. Timing lives here, never
in a pass/fail test. Run: `.venv/bin/python bench/list_integrations.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import fruxon
import httpx

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator

COUNT = 10_000


def ours(fx: FruxonEmulator) -> int:
    with FruxonClient(fx.token, fx.workspace, fx.base_url) as client:
        return sum(1 for _ in client.list_integrations())


def official_sdk(fx: FruxonEmulator) -> int:
    client = fruxon.FruxonClient(token=fx.token, workspace=fx.workspace, base_url=fx.base_url)
    return len(client.list_integrations())


def bare_httpx(fx: FruxonEmulator) -> int:
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


CONTENDERS: dict[str, Callable[[FruxonEmulator], int]] = {
    "ours": ours,
    "official SDK": official_sdk,
    "bare httpx": bare_httpx,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    requests: dict[str, int] = {}
    with FruxonEmulator(integrations=COUNT) as fx:
        for run in CONTENDERS.values():  # warm every path once
            run(fx)
        # Interleave the rounds so that machine noise hits every contender alike.
        for _ in range(args.rounds):
            for name, run in CONTENDERS.items():
                fx.clear_requests()
                start = time.perf_counter()
                listed = run(fx)
                times[name].append(time.perf_counter() - start)
                requests[name] = fx.count("listIntegrations")
                if listed != COUNT:
                    raise SystemExit(f"{name} listed {listed} integrations, expected {COUNT}")
    median = {name: statistics.median(samples) for name, samples in times.items()}
    print(f"listing {COUNT:,} integrations from the emulator, median of {args.rounds} rounds")
    for name in CONTENDERS:
        print(f"  {name:<13} {requests[name]:>5} requests   {median[name] * 1000:8.1f} ms")
    print(f"  official SDK / ours: {median['official SDK'] / median['ours']:5.2f}x  (target >= 5)")
    print(f"  ours / bare httpx:   {median['ours'] / median['bare httpx']:5.2f}x  (target <= 1.25)")


if __name__ == "__main__":
    main()
