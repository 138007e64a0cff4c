"""The README's Python blocks, run as written: against the emulator, the programs with the CLI."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import fruxon
import pytest
from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import REPO

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)


def block(marker: str) -> str:
    """The one README block that contains `marker`."""
    found = [b for b in BLOCKS if marker in b]
    assert len(found) == 1, f"{len(found)} README blocks contain {marker!r}"
    return str(found[0])


def crm_ids(fx: FruxonEmulator) -> list[str]:
    """The integrations tagged `crm`, as the official SDK lists them."""
    sdk = fruxon.FruxonClient(token=fx.token, workspace=fx.workspace, base_url=fx.base_url)
    return sorted(i.id for i in sdk.list_integrations(tags=["crm"]))


def run(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace


def test_quickstart_program_binds_in_two_runs(
    emulator: FruxonEmulator, pulumi_bin: str, tmp_path: Path
) -> None:
    program = tmp_path / "quickstart"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: quickstart\nruntime: python\n")
    (program / "__main__.py").write_text(block("# 1. Declare the integration config."))
    crm = crm_ids(emulator)
    with local_stack(program, emulator, pulumi_bin=pulumi_bin) as stack:
        first = stack.up(show_secrets=False)
        assert sorted(first.outputs["crm_integrations"].value) == crm
        key = emulator.approve(first.outputs["authorization_url"].value)
        stack.set_all_config({"credentialKey": auto.ConfigValue(key, secret=True)})
        second = stack.up(show_secrets=False)
    assert second.outputs["granted_scopes"].value == ["api", "refresh_token"]
    assert second.outputs["live"].value is True
    assert emulator.count("consumeOAuthCredentials") == 1
    assert emulator.count("createConfig") == 1


def test_client_block_lists_the_tagged_integrations(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRUXON_TOKEN", emulator.token)
    monkeypatch.setenv("FRUXON_WORKSPACE", emulator.workspace)
    monkeypatch.setenv("FRUXON_BASE_URL", emulator.base_url)
    run(block("with FruxonClient() as client:"))
    printed = sorted(line.split()[0] for line in capsys.readouterr().out.splitlines())
    assert printed == crm_ids(emulator)


def test_emulator_block_adds_a_config() -> None:
    namespace = run(block("fx.add_config("))
    assert re.fullmatch(r"[0-9a-f-]{36}", namespace["config_id"])


def test_local_stack_block_runs_the_example(
    pulumi_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PATH", f"{pulumi_bin}{os.pathsep}{os.environ['PATH']}")
    namespace = run(block("local_stack("))
    assert namespace["outputs"]["authorization_url"].secret is True


def test_the_testing_section_runs_as_a_users_test_file(
    pytester: pytest.Pytester, pulumi_bin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both examples of "Testing your own programs", copied into a project's test file."""
    integration = block("def test_the_connection_goes_live(").replace(
        '"examples/oauth-connection"', repr(str(REPO / "examples" / "oauth-connection"))
    )
    pytester.makepyfile(
        test_integration=integration,
        test_unit=block("def test_the_binding_targets_the_declared_config("),
    )
    monkeypatch.setenv("PATH", f"{pulumi_bin}{os.pathsep}{os.environ['PATH']}")

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)
