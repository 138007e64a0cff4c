"""What the built sdist and wheel hold (the nox `wheel` session builds them; skipped elsewhere)."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

from tests.packaging.artifacts import (
    PACKAGE,
    PLUGIN_JSON,
    Dist,
    missing_from_sdist,
    missing_from_wheel,
    sdist_names,
    source_version,
    wheel_names,
)


def test_the_artifacts_carry_the_source_version(dist: Dist) -> None:
    version = source_version()
    assert dist.wheel.name.startswith(f"{PACKAGE}-{version}-")
    assert dist.sdist.name == f"{PACKAGE}-{version}.tar.gz"


def test_the_wheel_holds_every_file_of_the_package(dist: Dist) -> None:
    assert missing_from_wheel(dist.wheel) == []


def test_the_wheel_holds_nothing_else(dist: Dist) -> None:
    dist_info = f"{PACKAGE}-{source_version()}.dist-info/"
    outside = sorted(
        name for name in wheel_names(dist.wheel) if not name.startswith((f"{PACKAGE}/", dist_info))
    )
    assert outside == []
    assert f"{dist_info}licenses/LICENSE" in wheel_names(dist.wheel)


def test_the_wheel_says_there_is_no_resource_plugin(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as archive:
        assert json.loads(archive.read(PLUGIN_JSON)) == {"resource": False}


def test_the_sdist_holds_the_package_tests_examples_and_documents(dist: Dist) -> None:
    assert missing_from_sdist(dist.sdist) == []


def test_the_sdist_leaves_out_bytecode_and_stack_files(dist: Dist) -> None:
    shipped = sdist_names(dist.sdist)
    assert not [name for name in shipped if "__pycache__" in name or name.endswith(".pyc")]
    assert not [
        name
        for name in shipped
        if Path(name).name.startswith("Pulumi.") and Path(name).name.count(".") > 1
    ]


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
