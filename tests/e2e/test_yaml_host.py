"""The YAML language host that scripts/install-pulumi builds runs a program with the real CLI.

No Fruxon resource yet (they need the provider plugin): a program whose stack has two outputs,
`up`, a quiet `preview`, and `destroy` on a file backend in a temporary folder.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path

from tests.e2e.conftest import PROGRAMS

PROGRAM = PROGRAMS / "yaml-literal"


def test_a_yaml_program_runs_up_preview_and_destroy(pulumi_yaml_path: str, tmp_path: Path) -> None:
    work_dir = tmp_path / "program"
    shutil.copytree(PROGRAM, work_dir)
    (tmp_path / "state").mkdir()
    env = {
        "PATH": pulumi_yaml_path,
        "HOME": str(tmp_path),
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
    }

    def pulumi(*args: str) -> str:
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=work_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"pulumi {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    pulumi("stack", "init", "dev")
    up = pulumi("up", "--yes")
    assert "+ 1 created" in up
    # The engine found the host beside the CLI (or on PATH), and said nothing about it.
    assert "error" not in up.lower()
    outputs = json.loads(pulumi("stack", "output", "--json"))
    assert outputs == {"greeting": "hello from yaml", "answer": 42}
    pulumi("preview", "--expect-no-changes")
    assert "- 1 deleted" in pulumi("destroy", "--yes")
