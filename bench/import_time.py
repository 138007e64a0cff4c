"""Benchmark: what `import pulumi_fruxon` costs on top of `import pulumi`.

Both the program and the dynamic provider host pay it on every `pulumi preview` and `pulumi up`:
the program imports `pulumi_fruxon`, the host unpickles the providers, which imports their
modules. `check` and `diff` need neither httpx nor pydantic, so those load only when a client or
a model is first used (`pulumi_fruxon.client`, the last row: a create, read, or data source).

Each row is a fresh interpreter (`python -c "import ..."`), timed from outside; the rounds are
interleaved so that machine noise hits every row alike, and the median is printed. Interpreter
start-up is in every row, so the differences are what the imports add. Timing lives here, never
in a pass/fail test. Run: `.venv/bin/python bench/import_time.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

PROVIDER_MODULES = (
    "pulumi_fruxon.integration_auth",
    "pulumi_fruxon.integration_config",
    "pulumi_fruxon.authorization_url",
)
ROWS = {
    "import pulumi": "import pulumi",
    "import pulumi_fruxon": "import pulumi_fruxon",
    "the host's provider modules": "import pulumi.dynamic, " + ", ".join(PROVIDER_MODULES),
    "pulumi_fruxon.client": "import pulumi_fruxon, pulumi_fruxon.client",
}
TARGET_MS = 30.0


def timed(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    # Time what an installed package costs: its bytecode compiled, as pip writes it. With
    # PYTHONDONTWRITEBYTECODE set, each run would compile every module edited since its .pyc.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    for code in ROWS.values():  # compile the .pyc files and warm the OS caches
        timed(code)
    samples: dict[str, list[float]] = {name: [] for name in ROWS}
    for _ in range(args.rounds):
        for name, code in ROWS.items():
            samples[name].append(timed(code))
    median = {name: statistics.median(times) * 1000 for name, times in samples.items()}
    base = median["import pulumi"]
    print(f"fresh interpreter, median of {args.rounds} rounds (Python {sys.version.split()[0]})")
    print(f"  {'':<30}{'ms':>8}{'+ over pulumi':>16}")
    for name in ROWS:
        print(f"  {name:<30}{median[name]:>8.1f}{median[name] - base:>+14.1f} ms")
    extra = median["import pulumi_fruxon"] - base
    print(f"  import pulumi_fruxon adds {extra:.1f} ms (target <= {TARGET_MS:.0f})")


if __name__ == "__main__":
    main()
