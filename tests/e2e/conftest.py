"""The real Pulumi CLI against the emulator: stacks on a file backend in a temporary folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack

REPO = Path(__file__).resolve().parents[2]
OAUTH_CONNECTION = REPO / "examples" / "oauth-connection"
PROGRAMS = Path(__file__).resolve().parent / "programs"


def install_pulumi(*parts: str) -> str:
    """scripts/install-pulumi for `parts`: the folder it prints (the one holding `pulumi`)."""
    found = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi"), *parts],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        pytest.fail(f"scripts/install-pulumi failed:\n{found.stderr}", pytrace=False)
    return found.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def pulumi_bin() -> str:
    """The folder holding `pulumi`: on PATH, else built from source (scripts/install-pulumi).

    It asks for the CLI alone, so that the Python programs' tests do not wait for the YAML
    host, which .ci/run builds after it."""
    return install_pulumi("cli")


@pytest.fixture(scope="session")
def pulumi_yaml_path(pulumi_bin: str) -> str:
    """A PATH on which the engine finds `pulumi` and the YAML language host
    (`pulumi-language-yaml`): the CLI's folder first, then .tools/bin, where install-pulumi
    builds the host when the CLI on PATH has none beside it."""
    install_pulumi("yaml")
    return os.pathsep.join([pulumi_bin, str(REPO / ".tools" / "bin"), os.environ.get("PATH", "")])


@dataclass
class Connection:
    """examples/oauth-connection against the emulator: it declares its Salesforce config."""

    stack: auto.Stack = field(repr=False)  # its workspace's repr shows the environment
    fx: FruxonEmulator
    output: list[str] = field(repr=False)

    def log(self, line: str) -> None:
        self.output.append(line)

    @property
    def config_id(self) -> str:
        """The config the stack's IntegrationConfig created (once an `up` ran)."""
        return str(self.stack.outputs()["config_id"].value)

    def consent(self) -> str:
        """`pulumi up` (mints or keeps the URL), then consent as the admin would: the key."""
        result = self.stack.up(on_output=self.log, show_secrets=False)
        return self.fx.approve(result.outputs["authorization_url"].value)

    def set_key(self, key: str) -> None:
        self.stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))


@pytest.fixture
def connection(emulator: FruxonEmulator, pulumi_bin: str) -> Iterator[Connection]:
    settings = {"integration": "salesforce"}
    with local_stack(OAUTH_CONNECTION, emulator, pulumi_bin=pulumi_bin, config=settings) as stack:
        yield Connection(stack, emulator, [])


@pytest.fixture
def bound(connection: Connection) -> tuple[Connection, str]:
    """The connection after both runs: the key consumed into the config. Returns it and the key."""
    key = connection.consent()
    connection.set_key(key)
    connection.stack.up(on_output=connection.log, show_secrets=False)
    assert connection.fx.count("consumeOAuthCredentials") == 1
    return connection, key
