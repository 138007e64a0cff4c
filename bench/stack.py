"""Benchmark: a stack of N resources through the real CLI, ours against the floor.

Ours is N `IntegrationConfig`s against the emulator. The floor is N resources of the same shape
(the same inputs, the same output names) whose dynamic provider sends nothing
(bench/floor_provider.py). Both go through the same CLI, Automation API, file backend and
provider host, so what ours costs above the floor is our package's own work: its imports in the
program and the host, `check` and `diff`, and for create its requests (a create and a publish
per resource).

Each round creates a fresh stack of each (`pulumi up`), then alternates no-op `pulumi preview`s
between them, then runs a no-op `pulumi up` of each, so that machine noise hits both alike.
Prints the median wall seconds per operation, the ratio, and the ratio of CPU seconds (the CLI
and its child processes), which a shared machine disturbs less. Never pass/fail.
`--skip-checkpoints` runs the CLI with `PULUMI_SKIP_CHECKPOINTS=true`: the file backend then
writes the state once at the end of an update instead of after every step (see the README's
Performance section for what that risks).
Run: `.venv/bin/python bench/stack.py [-n N] [--rounds R] [--previews P] [--latency-ms MS]
[--skip-checkpoints]`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PROGRAM = BENCH / "stack_program"
KINDS = ("fruxon", "floor")
OPS = ("create", "no-op preview", "no-op up")
T = TypeVar("T")
# Per kind and operation: wall seconds and CPU seconds, one pair per run.
Samples = dict[str, dict[str, tuple[list[float], list[float]]]]


def pulumi_bin() -> str:
    found = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi")], stdout=subprocess.PIPE, text=True, check=True
    )
    return found.stdout.strip().splitlines()[-1]


def children_cpu() -> float:
    """CPU seconds of every finished child process and its descendants: the CLI, the language
    host, the program and the provider host. Less noisy than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(run: Callable[[], T]) -> tuple[float, float, T]:
    """Wall and CPU seconds of `run()`, and its result."""
    cpu, start = children_cpu(), time.perf_counter()
    result = run()
    return time.perf_counter() - start, children_cpu() - cpu, result


def expect(kind: str, count: int, result: auto.UpResult, change: str) -> None:
    changes = result.summary.resource_changes or {}
    if changes != {change: count + 1}:
        raise SystemExit(f"{kind}: expected {count + 1} '{change}', got {changes}")


def one_round(stacks: dict[str, auto.Stack], count: int, previews: int, samples: Samples) -> None:
    """Create each stack, then alternate no-op previews between them, then a no-op up each."""

    def record(kind: str, op: str, wall: float, cpu: float) -> None:
        samples[kind][op][0].append(wall)
        samples[kind][op][1].append(cpu)

    for kind, stack in stacks.items():
        wall, cpu, created = measured(stack.up)
        expect(kind, count, created, "create")
        record(kind, "create", wall, cpu)
    for _ in range(previews):
        for kind, stack in stacks.items():
            wall, cpu, _ = measured(lambda s=stack: s.preview(expect_no_changes=True))
            record(kind, "no-op preview", wall, cpu)
    for kind, stack in stacks.items():
        wall, cpu, again = measured(stack.up)
        expect(kind, count, again, "same")
        record(kind, "no-op up", wall, cpu)


def main() -> None:
    # Time what an installed package costs: its bytecode compiled, as pip writes it. With
    # PYTHONDONTWRITEBYTECODE set, each run would compile every module edited since its .pyc.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", "--resources", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--previews", type=int, default=5, help="no-op previews per round")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="emulator latency")
    parser.add_argument(
        "--skip-checkpoints",
        action="store_true",
        help="run the CLI with PULUMI_SKIP_CHECKPOINTS=true (state written once per update)",
    )
    args = parser.parse_args()
    if args.skip_checkpoints:
        # The Automation API starts the CLI with this process's environment.
        os.environ["PULUMI_SKIP_CHECKPOINTS"] = "true"
    bin_dir = pulumi_bin()
    # The program and the provider host import the floor from bench/.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(BENCH), os.environ.get("PYTHONPATH")) if p
    )
    samples: Samples = {kind: {op: ([], []) for op in OPS} for kind in KINDS}
    with FruxonEmulator() as fx:
        fx.set_latency(args.latency_ms / 1000)
        for _ in range(args.rounds):
            with contextlib.ExitStack() as stacks:
                fresh = {
                    kind: stacks.enter_context(
                        local_stack(
                            PROGRAM,
                            fx,
                            pulumi_bin=bin_dir,
                            config={"kind": kind, "count": str(args.resources)},
                        )
                    )
                    for kind in KINDS
                }
                one_round(fresh, args.resources, args.previews, samples)
    print(
        f"a stack of {args.resources} resources through the CLI, median of {args.rounds} rounds"
        f" ({args.previews} previews each), emulator latency {args.latency_ms:g} ms"
        + (", PULUMI_SKIP_CHECKPOINTS=true" if args.skip_checkpoints else "")
    )
    print(f"  {'':<15}{'IntegrationConfig':>18}{'floor':>9}{'ratio':>8}{'CPU ratio':>11}")
    for op in OPS:
        (ours, ours_cpu), (floor, floor_cpu) = (
            (statistics.median(s) for s in samples[kind][op]) for kind in KINDS
        )
        print(
            f"  {op:<15}{ours:>16.2f} s{floor:>7.2f} s{ours / floor:>7.2f}x"
            f"{ours_cpu / floor_cpu:>10.2f}x"
        )


if __name__ == "__main__":
    main()
