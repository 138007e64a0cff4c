"""One version, the changelog that states it, and the one list of the state format (the built
metadata: test_artifacts.py)."""

from __future__ import annotations

import importlib
import re

from pulumi.dynamic import Resource, ResourceProvider

import pulumi_fruxon
from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.testing import FruxonEmulator
from tests.packaging.artifacts import source_version
from tests.support.host import REPO

CHANGELOG = (REPO / "CHANGELOG.md").read_text()
STATE_FORMAT = (REPO / "docs" / "state-format.md").read_text()
# Keep a Changelog: `## [1.2.3] - 2026-11-29`, newest first.
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_one_version_in_the_package_the_changelog_and_the_user_agent(
    emulator: FruxonEmulator,
) -> None:
    version = source_version()
    assert pulumi_fruxon.__version__ == version
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


def test_the_state_format_page_names_every_provider_and_type_token() -> None:
    # docs/state-format.md is the one list of the names users' stacks store; the changelog's
    # compatibility promise links to it.
    assert "[docs/state-format.md](docs/state-format.md)" in CHANGELOG
    named = set(re.findall(r"`(pulumi_fruxon(?:\.\w+)+Provider)`", STATE_FORMAT))
    for path in named:
        module, _, name = path.rpartition(".")
        assert issubclass(getattr(importlib.import_module(module), name), ResourceProvider), path
    providers = {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in FruxonProvider.__subclasses__()
        if cls.__module__.startswith("pulumi_fruxon.")
    }
    assert providers and providers <= named
    resources = [
        value
        for value in vars(pulumi_fruxon).values()
        if isinstance(value, type) and issubclass(value, Resource)
    ]
    assert len(resources) == len(providers)
    for resource in resources:
        token = f"pulumi-python:{resource._resource_type_name}"
        assert f"| `pulumi_fruxon.{resource.__name__}` | `{token}` |" in STATE_FORMAT
