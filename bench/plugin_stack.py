"""Benchmark: a stack of N IntegrationConfigs through the real CLI, plugin door against dynamic.

Three programs declare the same N resources (`integration` and the display name `bench <n>`):
- yaml+plugin: a YAML program (the YAML language host) of N `fruxon:index:IntegrationConfig`,
  served by the provider plugin: the console script `pulumi-resource-fruxon` beside this
  interpreter, found through `plugins: providers:` in Pulumi.yaml;
- python+plugin: the Python program of bench/stack.py registering the same type tokens as an SDK
  generated from the plugin's schema would, served by the same plugin; it tells the language
  host's share from the door's;
- python+dynamic (the baseline): the Python program of bench/stack.py with N
  `pulumi_fruxon.IntegrationConfig`, served by the dynamic-provider host
  (`python -m pulumi.dynamic`).

All run against one emulator, on the CLI's file backend. Each round creates a fresh stack of
each (`pulumi up`), then alternates no-op `pulumi preview`s between them, then runs a no-op
`pulumi up` of each (bench/stack.py's rounds), so that machine noise hits all alike. Prints the
median wall seconds and CPU seconds (the CLI and its child processes) per operation, and the
ratios to python+dynamic. Never pass/fail.
Run: `.venv/bin/python bench/plugin_stack.py [-n N] [--rounds R] [--previews P]
[--latency-ms MS] [--kinds yaml+plugin python+plugin python+dynamic]`.

Measured 2026-12-01 on a shared 2-core VM with other jobs running (load about 5),
`--rounds 3 --previews 5` (about 5 minutes; the defaults take about 2):

    300 IntegrationConfigs through the CLI, median of 3 rounds (5 previews each), latency 0 ms
      wall s              yaml+plugin   python+plugin  python+dynamic       yaml/dyn  py-plugin/dyn
      create                    16.02           14.06           21.19          0.76x          0.66x
      no-op preview              2.27            2.73            3.51          0.65x          0.78x
      no-op up                   2.98            3.32            4.59          0.65x          0.72x
      CPU s               yaml+plugin   python+plugin  python+dynamic       yaml/dyn  py-plugin/dyn
      create                    10.74           10.11           16.81          0.64x          0.60x
      no-op preview              1.82            2.42            3.18          0.57x          0.76x
      no-op up                   2.27            3.02            3.99          0.57x          0.76x
    (yaml/dyn, py-plugin/dyn: over python+dynamic; CPU: the CLI and its child processes)

Through the plugin, a no-op preview of 300 configs took about two thirds of the dynamic door's
time, and about 0.6x of its CPU. Most of the gain is the door's (python+plugin against
python+dynamic); among what the dynamic door does and the plugin does not, the program pickles
a provider per resource and the host unpickles one per call. The YAML language host, with no
Python program to run, saves the rest. A run of the defaults on a quieter machine (load about
1.3, 108 s) gave for the no-op preview 1.32 s, 1.74 s and 2.14 s (0.62x and 0.82x; CPU 0.58x
and 0.78x); an earlier run of yaml+plugin and python+dynamic alone, 1.70 s against 2.67 s
(0.64x; CPU 0.59x).
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

KINDS = ("yaml+plugin", "python+plugin", "python+dynamic")
BASELINE = "python+dynamic"
RATIO_LABELS = {"yaml+plugin": "yaml/dyn", "python+plugin": "py-plugin/dyn"}
CONSOLE_SCRIPT = Path(sys.executable).parent / "pulumi-resource-fruxon"


PLUGINS = f"""\
plugins:
  providers:
    - name: fruxon
      path: {CONSOLE_SCRIPT.parent}
"""
PROJECT = f"""\
name: bench-plugin-stack
description: The program bench/plugin_stack.py times, through the fruxon plugin (Main.yaml)
runtime: yaml
{PLUGINS}"""


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


def with_plugin(stack: auto.Stack) -> None:
    """Find the plugin through `plugins: providers:` (local_stack has saved the settings)."""
    project = Path(stack.workspace.work_dir) / "Pulumi.yaml"
    project.write_text(project.read_text() + PLUGINS)


def main() -> None:
    # Time what an installed package costs: its bytecode compiled, as pip writes it.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--resources", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--previews", type=int, default=3, help="no-op previews per round")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="emulator latency")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args()
    kinds = [k for k in KINDS if k in args.kinds]
    if not CONSOLE_SCRIPT.is_file():
        raise SystemExit(f"no console script at {CONSOLE_SCRIPT}: `pip install -e .` first")
    bin_dir = pulumi_bin()
    samples: Samples = {kind: {op: ([], []) for op in OPS} for kind in kinds}
    with tempfile.TemporaryDirectory() as tmp, FruxonEmulator() as fx:
        program = yaml_program(Path(tmp) / "program", args.resources)
        fx.set_latency(args.latency_ms / 1000)

        def python_stack(kind: str) -> contextlib.AbstractContextManager[auto.Stack]:
            config = {"kind": kind, "count": str(args.resources)}
            return local_stack(PROGRAM, fx, pulumi_bin=bin_dir, config=config)

        for _ in range(args.rounds):
            with contextlib.ExitStack() as opened:
                stacks: dict[str, auto.Stack] = {}
                for kind in kinds:
                    if kind == "yaml+plugin":
                        stack = opened.enter_context(local_stack(program, fx, pulumi_bin=bin_dir))
                        as_yaml_project(stack)
                    elif kind == "python+plugin":
                        stack = opened.enter_context(python_stack("plugin"))
                        with_plugin(stack)
                    else:
                        stack = opened.enter_context(python_stack("fruxon"))
                    stacks[kind] = stack
                one_round(stacks, args.resources, args.previews, samples)
    print(
        f"{args.resources} IntegrationConfigs through the CLI, median of {args.rounds} rounds"
        f" ({args.previews} previews each), latency {args.latency_ms:g} ms"
    )
    ratios = [k for k in kinds if k != BASELINE] if BASELINE in kinds else []
    for index, unit in ((0, "wall s"), (1, "CPU s")):
        print(
            f"  {unit:<15}"
            + "".join(f"{kind:>16}" for kind in kinds)
            + "".join(f"{RATIO_LABELS[kind]:>15}" for kind in ratios)
        )
        for op in OPS:
            median = {kind: statistics.median(samples[kind][op][index]) for kind in kinds}
            print(
                f"  {op:<15}"
                + "".join(f"{median[kind]:>16.2f}" for kind in kinds)
                + "".join(f"{median[kind] / median[BASELINE]:>14.2f}x" for kind in ratios)
            )
    print(f"(yaml/dyn, py-plugin/dyn: over {BASELINE}; CPU: the CLI and its child processes)")


if __name__ == "__main__":
    main()
