"""Which copy of the package the tests exercise: the one the session installed, in every process.

The tests sit beside the source tree, so a stray path entry (the repository on PYTHONPATH, or as
the working folder of `python -m`) would quietly test the source instead of an installed wheel.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from pathlib import Path

import pulumi_fruxon
from tests.packaging.artifacts import Dist
from tests.support.host import (
    PACKAGE_ROOT,
    REPO,
    clean_env,
    installed_in_site_packages,
    spawn_python,
)


def test_host_subprocesses_import_the_copy_the_tests_import(tmp_path: Path) -> None:
    # The provider host's interpreter, environment and kind of working folder.
    process = spawn_python(
        ["-c", "import pulumi_fruxon; print(pulumi_fruxon.__file__)"],
        clean_env(),
        str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err.decode()
    assert Path(out.decode().strip()).resolve() == Path(pulumi_fruxon.__file__).resolve()


def test_the_wheel_session_tests_the_installed_wheel(dist: Dist) -> None:
    assert installed_in_site_packages(), pulumi_fruxon.__file__
    assert PACKAGE_ROOT != REPO, pulumi_fruxon.__file__
    # PEP 610: the installer records where the distribution came from.
    origin = importlib.metadata.distribution("pulumi-fruxon").read_text("direct_url.json")
    assert origin is not None
    assert json.loads(origin)["url"] == dist.wheel.resolve().as_uri()
