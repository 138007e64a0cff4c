"""What the built sdist and wheel hold (the nox `wheel` session builds them; skipped elsewhere)."""

from __future__ import annotations

import ast
import email
import json
import re
import tarfile
import zipfile
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.artifacts import (
    DIST_VARIABLE,
    NOT_IN_SDIST,
    NOT_SHIPPED,
    PACKAGE,
    PLUGIN_JSON,
    Dist,
    find_dist,
    missing_from_sdist,
    missing_from_wheel,
    sdist_names,
    source_version,
    wheel_names,
)
from tests.support.host import REPO

if find_dist() is None:
    pytest.skip(
        f"no built artifacts: `nox -s wheel` builds them and sets {DIST_VARIABLE}",
        allow_module_level=True,
    )


def wheel_metadata(dist: Dist) -> Message:
    with zipfile.ZipFile(dist.wheel) as archive:
        text = archive.read(f"{PACKAGE}-{source_version()}.dist-info/METADATA").decode()
    return email.message_from_string(text)


def nox_constant(name: str) -> Any:
    """A constant of noxfile.py, such as `PYTHONS` (the Pythons the matrix runs)."""
    for node in ast.parse((REPO / "noxfile.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"noxfile.py defines no {name}")


def nox_pythons() -> list[str]:
    return list(nox_constant("PYTHONS"))


def test_the_artifacts_carry_the_source_version(dist: Dist) -> None:
    version = source_version()
    assert dist.wheel.name.startswith(f"{PACKAGE}-{version}-")
    assert dist.sdist.name == f"{PACKAGE}-{version}.tar.gz"
    assert wheel_metadata(dist)["Version"] == version


def test_the_license_is_an_spdx_expression(dist: Dist) -> None:
    meta = wheel_metadata(dist)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None
    assert not [c for c in meta.get_all("Classifier", []) if c.startswith("License ::")]


def test_a_classifier_for_each_python_the_matrix_runs(dist: Dist) -> None:
    meta = wheel_metadata(dist)
    classifiers = meta.get_all("Classifier", [])
    pythons = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.search(r"Python :: 3\.\d+$", c)]
    assert pythons == nox_pythons()
    assert meta["Requires-Python"] == f">={nox_pythons()[0]}"
    assert "Typing :: Typed" in classifiers


def test_the_oldest_pulumi_session_runs_the_floor_of_the_range(dist: Dist) -> None:
    requires = wheel_metadata(dist).get_all("Requires-Dist", [])
    (pulumi,) = [r for r in requires if re.match(r"pulumi\b(?!-)", r)]
    floor = re.search(r">=([\d.]+)", pulumi)
    assert floor is not None, pulumi
    assert nox_constant("OLDEST_PULUMI").removesuffix(".0") == floor[1].removesuffix(".0")


def test_project_urls(dist: Dist) -> None:
    urls = wheel_metadata(dist).get_all("Project-URL", [])
    assert urls
    assert all(re.fullmatch(r"[^,]+, https://\S+", url) for url in urls), urls


def test_the_readme_is_the_long_description(dist: Dist) -> None:
    meta = wheel_metadata(dist)
    assert meta["Description-Content-Type"].startswith("text/markdown")
    assert meta.get_payload().strip() == (REPO / "README.md").read_text().strip()


def test_the_wheel_holds_every_file_of_the_package(dist: Dist) -> None:
    assert missing_from_wheel(dist.wheel) == []


def test_the_wheel_holds_nothing_else(dist: Dist) -> None:
    dist_info = f"{PACKAGE}-{source_version()}.dist-info/"
    outside = sorted(
        name for name in wheel_names(dist.wheel) if not name.startswith((f"{PACKAGE}/", dist_info))
    )
    # The pytest fixtures stand beside the package, so that registering them imports nothing.
    assert outside == ["pulumi_fruxon_pytest.py"]
    assert f"{dist_info}licenses/LICENSE" in wheel_names(dist.wheel)


def test_the_wheel_says_there_is_no_resource_plugin(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as archive:
        assert json.loads(archive.read(PLUGIN_JSON)) == {"resource": False}


def test_the_sdist_holds_the_package_tests_examples_and_documents(dist: Dist) -> None:
    assert missing_from_sdist(dist.sdist) == []


def test_the_sdist_leaves_out_the_pulumi_cli_build(dist: Dist) -> None:
    names = sdist_names(dist.sdist)
    assert [name for name in names if NOT_IN_SDIST.search(name)] == []
    assert "scripts/install-pulumi" in names  # it still finds a CLI on PATH


def test_neither_ships_bytecode_or_stack_files(dist: Dist) -> None:
    shipped = sdist_names(dist.sdist) | wheel_names(dist.wheel)
    assert [name for name in shipped if NOT_SHIPPED.search(name)] == []


def test_a_wheel_without_its_plugin_file_fails_the_check(dist: Dist, tmp_path: Path) -> None:
    # The check itself can fail: the same wheel with one file dropped.
    broken = tmp_path / dist.wheel.name
    with zipfile.ZipFile(dist.wheel) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if item.filename != PLUGIN_JSON:
                target.writestr(item, source.read(item))

    assert missing_from_wheel(broken) == [PLUGIN_JSON]


def test_an_sdist_without_its_changelog_fails_the_check(dist: Dist, tmp_path: Path) -> None:
    broken = tmp_path / dist.sdist.name
    with tarfile.open(dist.sdist) as source, tarfile.open(broken, "w:gz") as target:
        for member in source.getmembers():
            if not member.name.endswith("/CHANGELOG.md"):
                target.addfile(member, source.extractfile(member) if member.isfile() else None)

    assert missing_from_sdist(broken) == ["CHANGELOG.md"]
