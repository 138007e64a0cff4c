"""The README's shell consent flow, run as written by bash with the real CLI against an emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import OAUTH_CONNECTION, REPO

SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)


def shell_block(marker: str) -> str:
    found = [b for b in SHELL_BLOCKS if marker in b]
    assert len(found) == 1, f"{len(found)} README shell blocks contain {marker!r}"
    return str(found[0])


def test_shell_consent_flow_binds_the_key(emulator: FruxonEmulator, pulumi_bin: str) -> None:
    flow = shell_block("pulumi_fruxon.testing approve")
    with local_stack(OAUTH_CONNECTION, emulator, pulumi_bin=pulumi_bin) as stack:
        workspace = stack.workspace
        env = {
            **os.environ,
            **workspace.env_vars,
            "PULUMI_HOME": str(workspace.pulumi_home),
            # What the README exports from the emulator's printout.
            "FRUXON_BASE_URL": emulator.base_url,
            "FRUXON_WORKSPACE": emulator.workspace,
            "FRUXON_TOKEN": emulator.token,
            # `python` is this virtualenv's, `pulumi` the one under test.
            "PATH": os.pathsep.join(
                [pulumi_bin, os.path.dirname(sys.executable), os.environ["PATH"]]
            ),
        }
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", flow],
            cwd=workspace.work_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        outputs = stack.outputs()

    config_id = outputs["config_id"].value
    assert emulator.count("consumeOAuthCredentials") == 1
    assert emulator.get_config(config_id)["hasAuth"] is True
    assert outputs["credential_fingerprint"].value.startswith("sha256:")
    assert ran.stdout.strip().splitlines()[-1] == "true"  # `pulumi stack output live`
    assert emulator.token not in ran.stdout + ran.stderr
