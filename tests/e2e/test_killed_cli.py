"""A `pulumi` process killed mid-consume: the next `up` recovers, and no host is left behind.

Issue 17, defect 3: the orphaned provider host finished the consume and dropped its journal
record, the result never reached state, and the next `up` asked for a manual adoption. The
language host and the provider host stayed alive indefinitely.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import Connection

CONSUME = "consumeOAuthCredentials"


def _processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (the stack's own passphrase)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ:
            found.append(int(entry.name))
    return found


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_cli_killed_right_after_the_consume_recovers_on_the_next_up(
    connection: Connection,
) -> None:
    key = connection.consent()
    connection.set_key(key)
    workspace = connection.stack.workspace
    env = {**os.environ, **workspace.env_vars, "PULUMI_HOME": str(workspace.pulumi_home)}
    passphrase = env["PULUMI_CONFIG_PASSPHRASE"]
    connection.fx.set_latency(0.5)  # time to kill the CLI while the host is busy
    cli = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", connection.stack.name],
        cwd=workspace.work_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: connection.fx.count(CONSUME) >= 1, 60), "no consume was sent"
        cli.send_signal(signal.SIGKILL)
        cli.wait(10)
    finally:
        if cli.poll() is None:
            cli.kill()
    connection.fx.set_latency(0)

    # The hosts notice that the engine is gone, and exit.
    assert _wait_for(lambda: not _processes_with(passphrase), 30), (
        f"hosts still running: {_processes_with(passphrase)}"
    )
    assert connection.fx.get_config(connection.config_id)["hasAuth"] is True

    # What a user does next: the killed CLI left its lock (`pulumi cancel` removes it), then up.
    connection.stack.cancel()
    up = connection.stack.up(on_output=connection.log, show_secrets=False)

    output = "\n".join(connection.output)
    assert "spent by an earlier `pulumi up` that did not finish" in output
    assert "FRUXON_ADOPT_BINDING=" not in output
    assert up.outputs["live"].value is True
    assert connection.fx.count(CONSUME) == 2  # the second was refused: spent
    assert key not in output
    again = connection.stack.preview(on_output=connection.log, expect_no_changes=True)
    assert again.change_summary.get("same") == 4  # type: ignore[call-overload]
