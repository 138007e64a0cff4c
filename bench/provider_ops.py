"""Benchmark: per-operation latency through the two doors, side by side, against direct calls.

The doors are the dynamic host (`python -m pulumi.dynamic`, what a Python program's resources
go through) and the provider plugin (`python -m pulumi_fruxon.provider`, what a program in
another language goes through, with `fruxon:index:*` tokens and camelCase names); both are driven
over gRPC as the engine drives them, with the same helpers (tests/support/host.py and
tests/support/plugin.py; the clock includes the harness's marshalling on this side, which differs
a little per door). Both run at once against one emulator, and each resource's operations go
through one door, then the other, so that machine noise hits both alike.

For each of N resources (default 50):
- IntegrationConfig: Check, Create (a list of the integration's configs, a create and a
  publish: it grows with the number of configs), Read, Diff (no change), Update (a new display
  name: a patch and a publish);
- IntegrationAuth, against N configs and N minted keys: Check, Create, Read, Diff; and directly,
  the same HTTP calls with one `FruxonClient` (create: GET config, consume, GET config; read: GET
  config), and `diff` called in-process (it makes no request).

Prints the median per operation and door, the ratio plugin/dynamic, for IntegrationAuth the
ratio dynamic/direct, and the size of `__provider` (which only the dynamic door sends). Timing
lives here, never in a pass/fail test.
Run: `.venv/bin/python bench/provider_ops.py [-n N] [--door dynamic|plugin|both]
[--resource config|auth|both]`.

Measured 2026-12-01 on a shared 2-core VM with other jobs running (Python 3.11.7), the
defaults (`-n 50`):

    IntegrationConfig, 50 resources; median per operation
    op        dynamic (ms)   plugin (ms)  plugin/dynamic
    check             1.62          1.65           1.02x
    create            5.99          6.09           1.02x
    read              2.64          2.76           1.05x
    diff              1.19          1.24           1.05x
    update            3.44          3.83           1.11x

    IntegrationAuth, 50 resources; median per operation
    op        dynamic (ms)   plugin (ms)  plugin/dynamic  direct (ms) dynamic/direct  plugin/direct
    check             1.34          1.42           1.06x            -              -              -
    create            4.90          4.90           1.00x        1.343           3.6x           3.6x
    read              2.15          2.26           1.05x        0.418           5.1x           5.4x
    diff              0.95          1.00           1.05x        0.052          18.1x          19.1x

    (direct diff is the in-process call: diff makes no request)
    __provider: 104 base64 characters (stored twice per resource, dynamic door)

The plugin costs what the dynamic host does, within about a tenth of a millisecond per call
(up to 0.4 ms on Update, in a noisy run): both call the same provider objects, and the requests
to Fruxon dominate Create, Read and Update. In a quieter run with `-n 200`, IntegrationConfig's
Create took 7.2 ms through either door against 4.4 ms with `-n 50` (the list grows).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The host harness lives with the tests; the benchmark runs from the repository root or bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    ProviderHost,
    clean_env,
    program_inputs,
    stack_config,
)
from tests.support.plugin import PluginHost

DOORS: dict[str, type[ProviderHost]] = {"dynamic": ProviderHost, "plugin": PluginHost}
OPS = {
    "config": ("check", "create", "read", "diff", "update"),
    "auth": ("check", "create", "read", "diff"),
}
TITLES = {"config": "IntegrationConfig", "auth": "IntegrationAuth"}
# Per operation, one sample per resource.
Samples = dict[str, list[float]]


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


def config_inputs(n: int, name: str) -> dict[str, Any]:
    return program_inputs(
        IntegrationConfigProvider(),
        integration="internal_crm",
        display_name=name,
        parameters={"base_url": "https://crm.example"},
        secret_parameters={"webhook_secret": f"whsec-bench-{n:04d}-0123456789"},
    )


def config_ops(host: ProviderHost, n: int, samples: Samples) -> None:
    """Check, Create, Read, Diff, then Update one IntegrationConfig through `host`."""
    seconds, checked = timed(host.check, INTEGRATION_CONFIG, config_inputs(n, f"bench {n}"))
    assert not checked.failures, checked.failures
    samples["check"].append(seconds)
    seconds, (id_, outs) = timed(host.create, INTEGRATION_CONFIG, checked.inputs)
    samples["create"].append(seconds)
    seconds, read = timed(host.read, INTEGRATION_CONFIG, id_, outs, checked.inputs)
    samples["read"].append(seconds)
    seconds, diffed = timed(host.diff, INTEGRATION_CONFIG, id_, read.outputs, checked.inputs)
    assert diffed.changes == "none", diffed
    samples["diff"].append(seconds)
    news = host.check(INTEGRATION_CONFIG, config_inputs(n, f"bench {n} renamed"), checked.inputs)
    args = (INTEGRATION_CONFIG, id_, read.outputs, news.inputs, checked.inputs)
    seconds, updated = timed(host.update, *args)
    assert updated["display_name"] == f"bench {n} renamed", updated
    samples["update"].append(seconds)


def auth_ops(host: ProviderHost, binding: tuple[str, str], samples: Samples) -> None:
    """Check, Create, Read, then Diff one IntegrationAuth through `host`."""
    config_id, key = binding
    inputs = program_inputs(
        IntegrationAuthProvider(),
        integration="salesforce",
        integration_config_id=config_id,
        credential_key=key,
    )
    seconds, checked = timed(host.check, INTEGRATION_AUTH, inputs)
    assert not checked.failures, checked.failures
    samples["check"].append(seconds)
    seconds, (id_, outs) = timed(host.create, INTEGRATION_AUTH, checked.inputs)
    samples["create"].append(seconds)
    seconds, read = timed(host.read, INTEGRATION_AUTH, id_, outs, checked.inputs)
    samples["read"].append(seconds)
    seconds, diffed = timed(host.diff, INTEGRATION_AUTH, id_, read.outputs, checked.inputs)
    assert diffed.changes == "none", diffed
    samples["diff"].append(seconds)


@contextlib.contextmanager
def started(doors: list[str], fx: FruxonEmulator) -> Iterator[dict[str, ProviderHost]]:
    """One configured host per door, each with its own consume journal."""
    with contextlib.ExitStack() as stack:
        hosts: dict[str, ProviderHost] = {}
        for door in doors:
            journal = stack.enter_context(tempfile.TemporaryDirectory())
            host = DOORS[door](clean_env(FRUXON_STATE_DIR=journal))
            stack.callback(host.close)
            host.start().configure(stack_config(fx), secret_keys=["fruxon:token"])
            hosts[door] = host
        yield hosts


def through_doors(
    resource: str, doors: list[str], fx: FruxonEmulator, count: int
) -> dict[str, Samples]:
    """Each resource through every door in turn, all hosts running at once."""
    samples = {door: {op: [] for op in OPS[resource]} for door in doors}
    with started(doors, fx) as hosts:
        # A first resource through each door, untimed: the first calls import and connect.
        for n, door in enumerate(doors):
            if resource == "config":
                config_ops(hosts[door], -1 - n, {op: [] for op in OPS[resource]})
            else:
                auth_ops(hosts[door], bindings(fx, 1)[0], {op: [] for op in OPS[resource]})
        for n in range(count):
            if resource == "config":
                for door, host in hosts.items():
                    config_ops(host, n, samples[door])
            else:
                for door, host in hosts.items():
                    auth_ops(host, bindings(fx, 1)[0], samples[door])
    return samples


def direct(fx: FruxonEmulator, count: int) -> Samples:
    samples: Samples = {"create": [], "read": [], "diff": []}
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


def table(resource: str, count: int, by_door: dict[str, Samples], plain: Samples | None) -> None:
    median = {
        door: {op: statistics.median(s) * 1000 for op, s in samples.items()}
        for door, samples in by_door.items()
    }
    header = f"{'op':<8}" + "".join(f"{door + ' (ms)':>14}" for door in median)
    both = len(median) == 2
    if both:
        header += f"{'plugin/dynamic':>16}"
    if plain is not None:
        header += f"{'direct (ms)':>13}" + "".join(f"{door + '/direct':>15}" for door in median)
    print(f"{TITLES[resource]}, {count} resources; median per operation")
    print(header)
    for op in OPS[resource]:
        row = f"{op:<8}" + "".join(f"{m[op]:>14.2f}" for m in median.values())
        if both:
            row += f"{median['plugin'][op] / median['dynamic'][op]:>15.2f}x"
        if plain is not None:
            if op in plain:
                direct_ms = statistics.median(plain[op]) * 1000
                row += f"{direct_ms:>13.3f}" + "".join(
                    f"{m[op] / direct_ms:>14.1f}x" for m in median.values()
                )
            else:
                row += f"{'-':>13}" + "".join(f"{'-':>15}" for _ in median)
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--resources", type=int, default=50)
    parser.add_argument("--door", choices=("dynamic", "plugin", "both"), default="both")
    parser.add_argument("--resource", choices=("config", "auth", "both"), default="both")
    args = parser.parse_args()
    doors = list(DOORS) if args.door == "both" else [args.door]
    resources = list(OPS) if args.resource == "both" else [args.resource]

    for resource in resources:
        with FruxonEmulator() as fx:
            by_door = through_doors(resource, doors, fx, args.resources)
            plain = direct(fx, args.resources) if resource == "auth" else None
        table(resource, args.resources, by_door, plain)
        print()
    if "auth" in resources:
        print("(direct diff is the in-process call: diff makes no request)")
    if "dynamic" in doors:
        size = len(serialize_provider(IntegrationAuthProvider()))
        print(f"__provider: {size} base64 characters (stored twice per resource, dynamic door)")


if __name__ == "__main__":
    main()
