"""Benchmark: IntegrationAuth create, read and diff through the real host, against direct calls.

For each of N resources (default 50), against one emulator with N configs and N minted keys:
- through the host (`python -m pulumi.dynamic` over gRPC, as the engine drives it): Create, then
  Read, then Diff;
- directly: the same HTTP calls with one `FruxonClient` (create: GET config, consume, GET config;
  read: GET config), and `diff` called in-process (it makes no request).

Prints the median per operation for both and their ratio, and the size of `__provider`. Timing
lives here, never in a pass/fail test. Run: `.venv/bin/python bench/provider_ops.py [-n N]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The host harness lives with the tests; the benchmark runs from the repository root or bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    program_inputs,
    running_host,
    stack_config,
)


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def bindings(fx: FruxonEmulator, count: int) -> list[tuple[str, str]]:
    return [
        (
            fx.add_config("salesforce", display_name=f"bench {n}"),
            fx.mint_credential_key("salesforce"),
        )
        for n in range(count)
    ]


def through_host(fx: FruxonEmulator, count: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"create": [], "read": [], "diff": []}
    with running_host() as host:
        host.configure(stack_config(fx), secret_keys=["fruxon:token"])
        provider = IntegrationAuthProvider()
        for config_id, key in bindings(fx, count):
            inputs = program_inputs(
                provider,
                integration="salesforce",
                integration_config_id=config_id,
                credential_key=key,
            )
            checked = host.check(INTEGRATION_AUTH, inputs).inputs
            seconds, (id_, outs) = timed(host.create, INTEGRATION_AUTH, checked)
            samples["create"].append(seconds)
            seconds, read = timed(host.read, INTEGRATION_AUTH, id_, outs, checked)
            samples["read"].append(seconds)
            seconds, diffed = timed(host.diff, INTEGRATION_AUTH, id_, read.outputs, checked)
            assert diffed.changes == "none"
            samples["diff"].append(seconds)
    return samples


def direct(fx: FruxonEmulator, count: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"create": [], "read": [], "diff": []}
    provider = IntegrationAuthProvider()
    with FruxonClient(fx.token, fx.workspace, fx.base_url) as client:

        def create(config_id: str, key: str) -> None:
            client.get_integration_config("salesforce", config_id)
            client.consume_oauth_credentials("salesforce", config_id, key)
            client.get_integration_config("salesforce", config_id)

        for config_id, key in bindings(fx, count):
            seconds, _ = timed(create, config_id, key)
            samples["create"].append(seconds)
            seconds, _ = timed(client.get_integration_config, "salesforce", config_id)
            samples["read"].append(seconds)
            news = {
                "integration": "salesforce",
                "integration_config_id": config_id,
                "credential_key": key,
            }
            outs = {
                "integration": "salesforce",
                "integration_config_id": config_id,
                "workspace": fx.workspace,
                "credential_fingerprint": fingerprint(key),
            }
            seconds, diffed = timed(provider.diff, "id", outs, news)
            assert diffed.changes is False
            samples["diff"].append(seconds)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--resources", type=int, default=50)
    args = parser.parse_args()

    with FruxonEmulator() as fx:
        host = through_host(fx, args.resources)
        plain = direct(fx, args.resources)

    print(f"IntegrationAuth, {args.resources} resources; median per operation")
    print(f"{'op':<8}{'host (ms)':>12}{'direct (ms)':>14}{'ratio':>9}")
    for op in ("create", "read", "diff"):
        host_ms = statistics.median(host[op]) * 1000
        direct_ms = statistics.median(plain[op]) * 1000
        print(f"{op:<8}{host_ms:>12.2f}{direct_ms:>14.3f}{host_ms / direct_ms:>8.1f}x")
    print("(direct diff is the in-process call: diff makes no request)")
    size = len(serialize_provider(IntegrationAuthProvider()))
    print(f"__provider: {size} base64 characters (stored twice per resource)")


if __name__ == "__main__":
    main()
