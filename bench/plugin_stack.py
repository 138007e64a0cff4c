"""Benchmark: a stack of N IntegrationConfigs through the real CLI, plugin door against dynamic.

- plugin: a YAML program (the YAML language host) declaring N `fruxon:index:IntegrationConfig`,
  served by the provider plugin, the console script `pulumi-resource-fruxon` beside this
  interpreter, found through `plugins: providers:` in Pulumi.yaml;
- dynamic: the Python program of bench/stack.py, N `pulumi_fruxon.IntegrationConfig` served by
  the dynamic-provider host (`python -m pulumi.dynamic`).

Both declare the same resources (`integration` and the display name `bench <n>`) and run against
one emulator, on the CLI's file backend. Each round creates a fresh stack of each (`pulumi up`),
then alternates no-op `pulumi preview`s between them, then runs a no-op `pulumi up` of each
(bench/stack.py's rounds), so that machine noise hits both alike. Prints the median wall seconds
and CPU seconds (the CLI and its child processes) per operation, and the ratios plugin/dynamic.
What differs is the whole door: the YAML host (Go) against a Python program that imports
`pulumi_fruxon` and pickles a provider per resource, and the plugin against the dynamic host.
Never pass/fail.
Run: `.venv/bin/python bench/plugin_stack.py [-n N] [--rounds R] [--previews P]
[--latency-ms MS]`.

FIGURES
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

from pulumi import automation as auto
from stack import OPS, PROGRAM, Samples, one_round, pulumi_bin

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack

KINDS = ("plugin", "dynamic")
CONSOLE_SCRIPT = Path(sys.executable).parent / "pulumi-resource-fruxon"


PROJECT = f"""\
name: bench-plugin-stack
description: The program bench/plugin_stack.py times, through the fruxon plugin (Main.yaml)
runtime: yaml
plugins:
  providers:
    - name: fruxon
      path: {CONSOLE_SCRIPT.parent}
"""


def yaml_program(folder: Path, count: int) -> Path:
    """A YAML program of `count` IntegrationConfigs: the project in Pulumi.yaml, the resources
    in Main.yaml (which the YAML host reads first), since saving the project's settings rewrites
    Pulumi.yaml with the settings alone."""
    lines = ["resources:"]
    for n in range(count):
        lines += [
            f"  r{n}:",
            "    type: fruxon:index:IntegrationConfig",
            "    properties:",
            "      integration: salesforce",
            f"      displayName: bench {n}",
        ]
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(PROJECT)
    (folder / "Main.yaml").write_text("\n".join(lines) + "\n")
    return folder


def as_yaml_project(stack: auto.Stack) -> None:
    """local_stack pins a Python virtualenv in the runtime's options, rewriting Pulumi.yaml
    without `plugins`; a YAML program needs neither change."""
    (Path(stack.workspace.work_dir) / "Pulumi.yaml").write_text(PROJECT)


def main() -> None:
    # Time what an installed package costs: its bytecode compiled, as pip writes it.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--resources", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--previews", type=int, default=3, help="no-op previews per round")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="emulator latency")
    args = parser.parse_args()
    if not CONSOLE_SCRIPT.is_file():
        raise SystemExit(f"no console script at {CONSOLE_SCRIPT}: `pip install -e .` first")
    bin_dir = pulumi_bin()
    samples: Samples = {kind: {op: ([], []) for op in OPS} for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp, FruxonEmulator() as fx:
        program = yaml_program(Path(tmp) / "program", args.resources)
        fx.set_latency(args.latency_ms / 1000)
        for _ in range(args.rounds):
            with contextlib.ExitStack() as stacks:
                plugin = stacks.enter_context(local_stack(program, fx, pulumi_bin=bin_dir))
                as_yaml_project(plugin)
                dynamic = stacks.enter_context(
                    local_stack(
                        PROGRAM,
                        fx,
                        pulumi_bin=bin_dir,
                        config={"kind": "fruxon", "count": str(args.resources)},
                    )
                )
                one_round(
                    {"plugin": plugin, "dynamic": dynamic},
                    args.resources,
                    args.previews,
                    samples,
                )
    print(
        f"{args.resources} IntegrationConfigs through the CLI, median of {args.rounds} rounds"
        f" ({args.previews} previews each), emulator latency {args.latency_ms:g} ms"
    )
    print(
        f"  {'':<15}{'plugin (YAML)':>14}{'dynamic (Python)':>18}{'ratio':>8}"
        f"{'plugin CPU':>12}{'dynamic CPU':>13}{'CPU ratio':>11}"
    )
    for op in OPS:
        (plugin_wall, plugin_cpu), (dynamic_wall, dynamic_cpu) = (
            (statistics.median(s) for s in samples[kind][op]) for kind in KINDS
        )
        print(
            f"  {op:<15}{plugin_wall:>12.2f} s{dynamic_wall:>16.2f} s"
            f"{plugin_wall / dynamic_wall:>7.2f}x{plugin_cpu:>10.2f} s{dynamic_cpu:>11.2f} s"
            f"{plugin_cpu / dynamic_cpu:>10.2f}x"
        )
    print("(ratio: plugin / dynamic; CPU: the CLI and its child processes)")


if __name__ == "__main__":
    main()
