"""The built sdist and wheel, when the nox `wheel` session names their folder."""

from __future__ import annotations

import pytest

from tests.packaging.artifacts import DIST_VARIABLE, Dist, find_dist


@pytest.fixture(scope="session")
def dist() -> Dist:
    found = find_dist()
    if found is None:
        pytest.skip(f"no built artifacts: `nox -s wheel` builds them and sets {DIST_VARIABLE}")
    return found
