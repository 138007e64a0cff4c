"""The metadata users and tools read, from the installed distribution: the wheel's own in the nox
`wheel` session, the editable install's elsewhere (setuptools writes both from pyproject.toml)."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import sys
from email.message import Message
from typing import cast

from pulumi.dynamic import ResourceProvider

import pulumi_fruxon
from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator
from tests.packaging.artifacts import source_version
from tests.support.host import REPO

DISTRIBUTION = "pulumi-fruxon"
CHANGELOG = (REPO / "CHANGELOG.md").read_text()
# Keep a Changelog: `## [1.2.3] - 2026-11-29`, newest first.
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def metadata() -> Message:
    return cast(Message, importlib.metadata.metadata(DISTRIBUTION))


def nox_pythons() -> list[str]:
    """`PYTHONS` of noxfile.py: the Pythons the matrix runs."""
    for node in ast.parse((REPO / "noxfile.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "PYTHONS" for target in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("noxfile.py defines no PYTHONS")


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_one_version_everywhere(emulator: FruxonEmulator) -> None:
    version = source_version()
    assert pulumi_fruxon.__version__ == version
    assert importlib.metadata.version(DISTRIBUTION) == version
    assert RELEASE.findall(CHANGELOG)[0] == version

    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        list(client.list_integrations())
    assert emulator.requests
    assert {request.user_agent for request in emulator.requests} == {f"pulumi-fruxon/{version}"}


def test_the_changelog_keeps_a_changelog() -> None:
    assert CHANGELOG.startswith("# Changelog\n")
    releases = RELEASE.findall(CHANGELOG)
    assert releases == sorted(releases, key=as_tuple, reverse=True)
    assert len(set(releases)) == len(releases)
    assert 0 <= CHANGELOG.find("\n## [Unreleased]\n") < CHANGELOG.find(f"\n## [{releases[0]}]")


def test_the_compatibility_promise_names_every_provider_class_by_its_pickled_path() -> None:
    named = set(re.findall(r"`(pulumi_fruxon(?:\.\w+)+Provider)`", CHANGELOG))
    for path in named:
        module, _, name = path.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), name), ResourceProvider), path
    providers = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in FruxonProvider.__subclasses__()
        if cls.__module__.startswith("pulumi_fruxon.")
    }
    assert providers and providers <= named


def test_the_license_is_an_spdx_expression() -> None:
    meta = metadata()
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["License"] is None
    assert not [c for c in meta.get_all("Classifier", []) if c.startswith("License ::")]


def test_a_classifier_for_each_python_the_matrix_runs() -> None:
    classifiers = metadata().get_all("Classifier", [])
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.match(r".*Python :: 3\.\d+$", c)]
    assert sorted(versions, key=as_tuple) == nox_pythons()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions
    assert metadata()["Requires-Python"] == f">={nox_pythons()[0]}"
    assert "Typing :: Typed" in classifiers


def test_project_urls() -> None:
    urls = metadata().get_all("Project-URL", [])
    assert urls
    assert all(re.fullmatch(r"[^,]+, https://\S+", url) for url in urls), urls


def test_the_readme_is_the_long_description() -> None:
    meta = metadata()
    assert meta["Description-Content-Type"].startswith("text/markdown")
    assert meta.get_payload().strip() == (REPO / "README.md").read_text().strip()
