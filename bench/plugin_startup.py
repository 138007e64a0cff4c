"""Benchmark: how long the provider plugin takes to start, against the dynamic host's start-up.

The engine spawns a provider, reads the port from the first line of its stdout, then calls it.
Three doors, each a fresh process per sample:
- the dynamic host, `python -u -m pulumi.dynamic` (the baseline: what every Python program's
  `pulumi_fruxon.*` resources start);
- the plugin, `python -u -m pulumi_fruxon.provider` ("plugin -m");
- the plugin's console script, `pulumi-resource-fruxon` beside this interpreter (what
  `pip install` writes and the engine finds on PATH or through `plugins: providers:`; "plugin
  script").

For each, the seconds from the spawn to: the port line read; the first Configure answered
(configured for an emulator, as the engine configures it from stack config); then the first
Check of an `IntegrationConfig` (in the dynamic host, the first Check unpickles the provider,
which imports its module). For the plugin, also the first GetSchema answered, in a spawn of its
own (the YAML language host reads the schema to type a program); the dynamic host does
not implement GetSchema. The clock includes the harness's gRPC channel set-up
(tests/support/host.py), the same for every door.

The rounds are interleaved so that machine noise hits every door alike; medians are printed, and
the ratios to the dynamic host. Timing lives here, never in a pass/fail test.
Run: `.venv/bin/python bench/plugin_startup.py [--rounds N]`.

Measured 2026-12-01 on a shared 2-core VM, `--rounds 21`:

    start-up from the spawn, median of 21 rounds (Python 3.11.7)
                                      port line  first GetSchema  first Configure      first Check
      dynamic host                     135.6 ms                -         140.7 ms         149.6 ms
      plugin -m                        145.8 ms         163.6 ms         149.4 ms         161.9 ms
      plugin script                    146.9 ms         167.9 ms         151.6 ms         165.3 ms
      plugin -m / dynamic                 1.08x                -            1.06x            1.08x
      plugin script / dynamic             1.08x                -            1.08x            1.10x
    (the dynamic host does not implement GetSchema)

The plugin's port line comes about 10 ms after the dynamic host's: it imports its servicer
(the providers and the schema's source with it) before it listens, where the dynamic host
imports a provider's module at the first Check. Its first GetSchema answers about 20 ms after
its port line. The console script costs about what `python -m` does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# The host harness lives with the tests; the benchmark runs from the repository root or bench/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    INTEGRATION_CONFIG,
    ProviderHost,
    clean_env,
    program_inputs,
    stack_config,
)
from tests.support.plugin import PluginHost

CONSOLE_SCRIPT = Path(sys.executable).parent / "pulumi-resource-fruxon"
COLUMNS = ("port line", "first GetSchema", "first Configure", "first Check")
BASELINE = "dynamic host"


class ConsoleScriptPlugin(PluginHost):
    """The plugin started by its console script, as the engine starts an installed plugin."""

    def command(self) -> list[str]:
        return [str(CONSOLE_SCRIPT)]


DOORS: dict[str, type[ProviderHost]] = {
    BASELINE: ProviderHost,
    "plugin -m": PluginHost,
    "plugin script": ConsoleScriptPlugin,
}


def configured_then_checked(
    door: type[ProviderHost], env: dict[str, str], fx: FruxonEmulator
) -> dict[str, float]:
    """One spawn: the port line, the first Configure, then the first Check, from the spawn."""
    host = door(env)
    try:
        start = time.perf_counter()
        host.start()
        port = host.port_seconds
        host.configure(stack_config(fx), secret_keys=["fruxon:token"])
        configured = time.perf_counter() - start
        inputs = program_inputs(
            IntegrationConfigProvider(), integration="salesforce", display_name="bench"
        )
        checked = host.check(INTEGRATION_CONFIG, inputs)
        assert not checked.failures, checked.failures
        return {
            "port line": port,
            "first Configure": configured,
            "first Check": time.perf_counter() - start,
        }
    finally:
        host.close()


def schema_first(door: type[ProviderHost], env: dict[str, str]) -> dict[str, float]:
    """One spawn of the plugin: the first GetSchema, from the spawn."""
    host = door(env)
    try:
        start = time.perf_counter()
        host.start()
        assert isinstance(host, PluginHost)
        assert host.get_schema()["name"] == "fruxon"
        return {"first GetSchema": time.perf_counter() - start}
    finally:
        host.close()


def main() -> None:
    # Time what an installed package costs: its bytecode compiled, as pip writes it.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    if not CONSOLE_SCRIPT.is_file():
        raise SystemExit(f"no console script at {CONSOLE_SCRIPT}: `pip install -e .` first")

    samples: dict[str, dict[str, list[float]]] = {
        door: {column: [] for column in COLUMNS} for door in DOORS
    }
    with tempfile.TemporaryDirectory() as state, FruxonEmulator() as fx:
        env = clean_env(FRUXON_STATE_DIR=state)
        runs: list[tuple[str, Callable[[], dict[str, float]]]] = []
        for name, door in DOORS.items():
            runs.append((name, lambda d=door: configured_then_checked(d, env, fx)))
            if issubclass(door, PluginHost):
                runs.append((name, lambda d=door: schema_first(d, env)))
        for _, run in runs:  # compile the .pyc files and warm the OS caches
            run()
        # Interleave the rounds so that machine noise hits every door alike.
        for _ in range(args.rounds):
            for name, run in runs:
                for column, seconds in run().items():
                    samples[name][column].append(seconds)

    median = {
        door: {c: statistics.median(s) * 1000 if s else None for c, s in columns.items()}
        for door, columns in samples.items()
    }
    print(
        f"start-up from the spawn, median of {args.rounds} rounds (Python {sys.version.split()[0]})"
    )
    print(f"  {'':<24}" + "".join(f"{c:>17}" for c in COLUMNS))
    for door in DOORS:
        cells = (f"{m:>14.1f} ms" if m is not None else f"{'-':>17}" for m in median[door].values())
        print(f"  {door:<24}" + "".join(cells))
    base = median[BASELINE]
    for door in DOORS:
        if door == BASELINE:
            continue
        cells = (
            f"{m / b:>16.2f}x" if m is not None and b is not None else f"{'-':>17}"
            for m, b in zip(median[door].values(), base.values(), strict=True)
        )
        print(f"  {door + ' / dynamic':<24}" + "".join(cells))
    print("(the dynamic host does not implement GetSchema)")


if __name__ == "__main__":
    main()
