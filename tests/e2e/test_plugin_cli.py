"""End to end through the provider plugin: a program that registers `fruxon:index:*` resources
(as an SDK generated from the schema does) with the real CLI, the plugin found through
`plugins: providers:` in Pulumi.yaml, against the emulator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import PROGRAMS
from tests.e2e.test_cli import exported, where
from tests.support.host import import_path

CONFIG_TYPE = "fruxon:index:IntegrationConfig"
SECRET = "whsec-plugin-e2e-0123456789"


def plugin_folder(tmp_path: Path) -> Path:
    """A folder with an executable `pulumi-resource-fruxon` that serves the package under
    test with this interpreter (the console script of an installed wheel does the same)."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    script = folder / "pulumi-resource-fruxon"
    exports = "".join(f"export {k}='{v}'\n" for k, v in import_path().items())
    script.write_text(
        f'#!/bin/sh\n{exports}exec "{sys.executable}" -m pulumi_fruxon.provider "$@"\n'
    )
    script.chmod(0o755)
    return folder


def use_plugin(stack: auto.Stack, folder: Path) -> None:
    project = Path(stack.workspace.work_dir) / "Pulumi.yaml"
    project.write_text(
        project.read_text() + f"plugins:\n  providers:\n    - name: fruxon\n      path: {folder}\n"
    )


def test_up_update_refresh_and_destroy_through_the_plugin(
    emulator: FruxonEmulator, pulumi_bin: str, tmp_path: Path
) -> None:
    log: list[str] = []
    with local_stack(PROGRAMS / "plugin-config", emulator, pulumi_bin=pulumi_bin) as stack:
        use_plugin(stack, plugin_folder(tmp_path))
        stack.set_config("webhookSecret", auto.ConfigValue(SECRET, secret=True))

        preview = stack.preview(on_output=log.append)
        assert preview.change_summary.get(auto.OpType.CREATE) == 2  # the stack and the config
        assert not [r for r in emulator.requests if r.method != "GET"]

        up = stack.up(on_output=log.append, show_secrets=False)
        config_id = up.outputs["configId"].value
        assert (up.outputs["live"].value, up.outputs["version"].value) == (True, 1)
        assert up.outputs["configsSeen"].value == 0  # invoked before the create
        published = emulator.published(config_id)
        assert published is not None and published["parameters"]["webhook_secret"] == SECRET

        emulator.clear_requests()
        stack.preview(on_output=log.append, expect_no_changes=True)
        assert emulator.count("createConfig") + emulator.count("patchConfig") == 0

        stack.set_config("displayName", auto.ConfigValue("CRM renamed"))
        stack.up(on_output=log.append, show_secrets=False)
        assert emulator.get_config(config_id)["displayName"] == "CRM renamed"

        emulator.patch_config(config_id, displayName="Renamed in the dashboard")
        refreshed = stack.refresh(on_output=log.append, show_secrets=False)
        assert refreshed.summary.resource_changes.get("update") == 1
        stack.up(on_output=log.append, show_secrets=False)
        assert emulator.get_config(config_id)["displayName"] == "CRM renamed"
        stack.preview(on_output=log.append, expect_no_changes=True)

        revealed, plain = exported(stack)
        stack.destroy(on_output=log.append)

    assert config_id not in [c["id"] for c in emulator.list_configs("internal_crm")]
    assert SECRET not in plain
    assert SECRET not in "\n".join(log)
    assert emulator.token not in plain and emulator.token not in "\n".join(log)
    (config,) = [r for r in revealed["resources"] if r["type"] == CONFIG_TYPE]
    assert where(config["outputs"], SECRET) == []
    assert where(config["inputs"], SECRET) == [".secretParameters.plaintext"]
    # The fingerprints are a secret output: encrypted in the plain export.
    (stored,) = [
        r for r in json.loads(plain)["deployment"]["resources"] if r["type"] == CONFIG_TYPE
    ]
    outputs: dict[str, Any] = stored["outputs"]
    assert "ciphertext" in outputs["secretParameterFingerprints"]
    assert outputs["live"] is True


def test_pulumi_import_of_a_config_then_a_quiet_preview(
    emulator: FruxonEmulator, pulumi_bin: str, tmp_path: Path
) -> None:
    """A config made in the dashboard, adopted with `pulumi import`, then previewed with the
    program that declares it: no changes, and nothing was written to Fruxon."""
    config_id = emulator.add_config("internal_crm", display_name="CRM prod")
    emulator.patch_config(config_id, parameters={"base_url": "https://crm.example"})
    emulator.publish(config_id)
    emulator.clear_requests()
    log: list[str] = []
    with local_stack(PROGRAMS / "plugin-config", emulator, pulumi_bin=pulumi_bin) as stack:
        use_plugin(stack, plugin_folder(tmp_path))
        imported = stack.workspace.pulumi_command.run(
            [
                "import",
                CONFIG_TYPE,
                "crm",
                f"{emulator.workspace}/internal_crm/{config_id}",
                "--yes",
                # Our Python language host cannot write code (GenerateProgram); the program
                # already declares the resource.
                "--generate-code=false",
                "--stack",
                stack.name,
            ],
            stack.workspace.work_dir,
            stack.workspace.env_vars,
        )
        log.append(imported.stdout)
        stack.preview(on_output=log.append, expect_no_changes=True)
        (config,) = [
            r
            for r in (stack.export_stack().deployment or {})["resources"]
            if r["type"] == CONFIG_TYPE
        ]
    assert config["id"] == f"{emulator.workspace}/internal_crm/{config_id}"
    assert config["inputs"] == {
        "integration": "internal_crm",
        "displayName": "CRM prod",
        "parameters": {"base_url": "https://crm.example"},
    }
    assert [r for r in emulator.requests if r.method != "GET"] == []
