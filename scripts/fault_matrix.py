"""Run the fault matrix and print it as a Markdown table: rows are faults, columns operations.

Each cell is what the run saw (tests/reliability/matrix.py says how a cell runs and what it
checks); a cell whose consume count, convergence or secrets check failed carries a bold flag.
The README's "Reliability" section shows this output verbatim, and
tests/reliability/test_fault_matrix.py holds every cell to the text the README shows.

Run: `.venv/bin/python scripts/fault_matrix.py` (about a minute). Progress goes to stderr, the
table to stdout. Exits 1 when a cell differs from its expected text.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The matrix and the host harness live with the tests; run from the repository root or scripts/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.matrix import expected_cells, render, run_all


def main() -> int:
    observed = run_all(progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(render(observed), end="")
    expected = expected_cells()
    differing = [key for key, text in observed.items() if text != expected[key]]
    for fault, operation in differing:
        print(
            f"{fault} x {operation}: expected {expected[(fault, operation)]!r}",
            file=sys.stderr,
        )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
