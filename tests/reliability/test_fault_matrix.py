"""The fault matrix (`tests/reliability/matrix.py`): every fault against every operation.

Each cell runs against a fresh emulator and, except the list, through the real provider host.
It must show its expected outcome, have Fruxon process a consume exactly once where it binds a
key and never elsewhere, converge on the next run once the fault is over, and leak no secret.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.matrix import (
    EXPECTED,
    FAULTS,
    NOT_APPLICABLE,
    OPERATIONS,
    Fault,
    Operation,
    applies,
    cells,
    expected_cells,
    render,
    run_cell,
)

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("fault", "operation"),
    [pytest.param(f, o, id=f"{f.key}-{o.key}") for f, o in cells()],
)
def test_cell(fault: Fault, operation: Operation) -> None:
    observed = run_cell(fault, operation)

    assert observed.leaks == []
    assert observed.consumes == observed.expected_consumes
    assert observed.converged is None
    assert observed.outcome == EXPECTED[fault.key][operation.key]
    # What the script prints for this cell is the expected text, unflagged.
    assert observed.cell() == EXPECTED[fault.key][operation.key]


def test_every_pair_has_an_expected_outcome_or_a_reason_it_does_not_apply() -> None:
    operations = {o.key for o in OPERATIONS}
    for fault in FAULTS:
        assert set(fault.not_for) <= operations, fault.key
        assert bool(fault.not_for) == bool(fault.why_not), fault.key
        applicable = {o.key for o in OPERATIONS if applies(fault, o)}
        assert set(EXPECTED[fault.key]) == applicable, fault.key
    assert set(EXPECTED) == {f.key for f in FAULTS}


def test_the_table_lists_every_pair_with_n_a_where_a_fault_does_not_apply() -> None:
    table = render(expected_cells())
    rows = [line for line in table.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(FAULTS)
    for fault, row in zip(FAULTS, rows, strict=True):
        shown = [cell.strip() for cell in row.strip("|").split("|")][1:]
        assert len(shown) == len(OPERATIONS)
        for operation, cell in zip(OPERATIONS, shown, strict=True):
            assert (cell == NOT_APPLICABLE) == (not applies(fault, operation))
    for fault in FAULTS:
        if fault.not_for:
            assert fault.why_not in table


def test_the_readme_shows_the_table_the_script_prints() -> None:
    """`scripts/fault_matrix.py` prints `render` of the observed cells; `test_cell` holds each
    observed cell to its expected text, so the script prints `render(expected_cells())`, which
    the README must hold verbatim."""
    assert render(expected_cells()) in README.read_text(encoding="utf-8")
