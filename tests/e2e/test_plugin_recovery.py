"""Recovery kept in the stack, with the real CLI: a YAML program binds a key through the provider
plugin; Fruxon processes the consume, the answer is lost and the re-read fails. The plugin's
create fails as a partial create, so the engine stores the resource with its pending consume.
The journal folder is deleted (the next `pulumi up` runs on another machine), and that `up`
adopts the binding without sending the key again: one consume, a bound and live config.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from pulumi_fruxon.testing import FruxonEmulator

PROGRAM = """\
name: fruxon-recovery
runtime: yaml
config:
  configId:
    type: string
  credentialKey:
    type: string
    secret: true
resources:
  auth:
    type: fruxon:index:IntegrationAuth
    properties:
      integration: internal_crm
      integrationConfigId: ${configId}
      credentialKey: ${credentialKey}
outputs:
  live: ${auth.live}
  level: ${auth.level}
"""


def test_an_unknown_consume_is_finished_by_the_next_up_without_the_journal(
    emulator: FruxonEmulator, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    work_dir = tmp_path / "program"
    work_dir.mkdir()
    (work_dir / "Pulumi.yaml").write_text(PROGRAM)
    (tmp_path / "state").mkdir()
    journal = tmp_path / "journal"
    env = {
        # The plugin as `pip install pulumi-fruxon` puts it: a console script on PATH.
        "PATH": f"{Path(sys.executable).parent}:{pulumi_yaml_path}",
        "HOME": str(tmp_path),
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "FRUXON_TOKEN": emulator.token,
        "FRUXON_WORKSPACE": emulator.workspace,
        "FRUXON_BASE_URL": emulator.base_url,
        "FRUXON_TIMEOUT": "2",
        "FRUXON_STATE_DIR": str(journal),
    }

    def pulumi(*args: str, ok: bool = True) -> str:
        done = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=work_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        said = done.stdout + done.stderr
        assert (done.returncode == 0) == ok, f"pulumi {' '.join(args)}:\n{said}"
        return said

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "configId", config_id)
    pulumi("config", "set", "--secret", "credentialKey", key)

    emulator.drop_after_consume(1, outage=50)
    first = pulumi("up", "--yes", ok=False)
    emulator.clear_faults()
    assert "outcome is unknown" in first
    assert emulator.get_config(config_id)["hasAuth"] is True
    stored = json.loads(pulumi("stack", "export"))["deployment"]["resources"]
    (auth,) = [r for r in stored if r["type"] == "fruxon:index:IntegrationAuth"]
    assert auth["initErrors"] and "pendingConsume" in auth["outputs"]
    assert emulator.count("consumeOAuthCredentials") == 1

    shutil.rmtree(journal)  # another machine
    emulator.clear_requests()
    pulumi("preview")
    assert [r.method for r in emulator.requests if r.method != "GET"] == []
    second = pulumi("up", "--yes")

    # The warning is the engine's, under the resource it concerns (the plugin's Log service).
    diagnostics = second[second.index("Diagnostics:") :]
    under = diagnostics[diagnostics.index("fruxon:index:IntegrationAuth (auth):") :]
    assert "warning: An earlier `pulumi up` sent this credential key" in under
    assert "adopting that binding" in under
    assert emulator.count("consumeOAuthCredentials") == 0  # not sent again
    outputs = json.loads(pulumi("stack", "output", "--json"))
    assert outputs == {"live": True, "level": "APPLICATION"}
    stored = json.loads(pulumi("stack", "export"))["deployment"]["resources"]
    (auth,) = [r for r in stored if r["type"] == "fruxon:index:IntegrationAuth"]
    assert not auth.get("initErrors") and "pendingConsume" not in auth["outputs"]
    pulumi("preview", "--expect-no-changes")
    for said in (first, second):
        assert key not in said and emulator.token not in said
    pulumi("destroy", "--yes")
