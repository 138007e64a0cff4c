"""The built sdist and wheel, and what they should hold, derived from the source tree."""

from __future__ import annotations

import os
import re
import runpy
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.host import REPO

# Set by the nox `wheel` session (noxfile.py), which also installs that wheel for the tests.
DIST_VARIABLE = "PULUMI_FRUXON_DIST"

PACKAGE = "pulumi_fruxon"
PLUGIN_JSON = f"{PACKAGE}/pulumi-plugin.json"
# Named on purpose, beyond "every file of the package": what users and tools look for.
WHEEL_MUST_HOLD = {
    "pulumi_fruxon_pytest.py",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/py.typed",  # mypy and pyright read the types only with it (PEP 561)
    PLUGIN_JSON,  # keeps Pulumi's official language host from fetching a plugin
    f"{PACKAGE}/testing/__init__.py",  # the emulator, for users' own tests
    f"{PACKAGE}/testing/stack.py",
    # The policy pack folder (package data): what `--policy-pack` and `policy new` read.
    f"{PACKAGE}/policy/pack/PulumiPolicy.yaml",
    f"{PACKAGE}/policy/pack/__main__.py",
    f"{PACKAGE}/policy/pack/requirements.txt",
}
SDIST_MUST_HOLD = {
    "pulumi_fruxon_pytest.py",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "docs/state-format.md",
    "pyproject.toml",
    "noxfile.py",
    "tests/conftest.py",
    "examples/oauth-connection/__main__.py",
    "scripts/install-pulumi",
}
# The from-source build of the Pulumi CLI, which only this repository's CI needs (MANIFEST.in).
NOT_IN_SDIST = re.compile(r"^scripts/(pulumi-build/|pulumi-resource-pulumi-python$)")
# Bytecode, and Pulumi stack files (a backend's config and encrypted secrets): never shipped.
NOT_SHIPPED = re.compile(r"(^|/)(__pycache__/|[^/]*\.py[cod]$|Pulumi\.[^/]+\.yaml$)")


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


def find_dist() -> Dist | None:
    """The artifacts in the folder that DIST_VARIABLE names, or None when it is unset."""
    folder = os.environ.get(DIST_VARIABLE)
    if not folder:
        return None
    sdists = sorted(Path(folder).glob("*.tar.gz"))
    wheels = sorted(Path(folder).glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, f"{folder} should hold one sdist and one wheel"
    return Dist(sdists[0], wheels[0])


def source_version() -> str:
    """The one place the version is written."""
    return str(runpy.run_path(str(REPO / PACKAGE / "_version.py"))["__version__"])


def source_files(*folders: str) -> set[str]:
    """The files under `folders` of the source tree, relative to it, as an artifact lists them."""
    return {
        path.relative_to(REPO).as_posix()
        for folder in folders
        for path in (REPO / folder).rglob("*")
        if path.is_file() and not NOT_SHIPPED.search(path.relative_to(REPO).as_posix())
    }


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if not name.endswith("/")}


def sdist_names(sdist: Path) -> set[str]:
    """The sdist's files without its top folder (`pulumi_fruxon-X.Y.Z/`)."""
    with tarfile.open(sdist) as archive:
        return {
            member.name.split("/", 1)[1]
            for member in archive.getmembers()
            if member.isfile() and "/" in member.name
        }


def missing_from_wheel(wheel: Path) -> list[str]:
    """Every file of the package (modules and data) and the named ones the wheel lacks."""
    return sorted((source_files(PACKAGE) | WHEEL_MUST_HOLD) - wheel_names(wheel))


def missing_from_sdist(sdist: Path) -> list[str]:
    """The package, the docs, the tests, the examples, the scripts they use, the named files."""
    scripts = {name for name in source_files("scripts") if not NOT_IN_SDIST.search(name)}
    wanted = source_files(PACKAGE, "docs", "tests", "examples") | scripts | SDIST_MUST_HOLD
    return sorted(wanted - sdist_names(sdist))
