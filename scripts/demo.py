"""`make demo`: the whole story of examples/oauth-connection, with the real Pulumi CLI.

A platform team connects Salesforce's application-level OAuth in two `pulumi up` runs, against the
local Fruxon emulator, on a local file backend in a temporary folder that is deleted at the end.
Secrets (the token, the consent URL, the credential key) are never printed.

Run: `.venv/bin/python scripts/demo.py` (or `make demo`). It builds the Pulumi CLI into .tools/bin
first when none is on PATH (scripts/install-pulumi).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack

REPO = Path(__file__).resolve().parents[1]
PROGRAM = REPO / "examples" / "oauth-connection"
INTEGRATION = "salesforce"
STEPS = 9


def step(n: int, text: str) -> None:
    print(f"\n[{n}/{STEPS}] {text}", flush=True)


def show(line: str) -> None:
    print(f"    | {line.rstrip()}", flush=True)


def pulumi_bin() -> str:
    """The folder holding `pulumi`: the one on PATH, else one built from source."""
    found = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi")], stdout=subprocess.PIPE, text=True, check=False
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise SystemExit("demo: no Pulumi CLI (see the messages above)")
    return found.stdout.strip().splitlines()[-1]


def main() -> int:
    started = time.monotonic()
    bin_dir = pulumi_bin()

    step(1, "Start the Fruxon emulator with its demo catalogue")
    with FruxonEmulator() as fx:
        config_id = fx.list_configs(INTEGRATION)[0]["id"]
        print(f"    {fx.base_url}  workspace {fx.workspace!r}  {INTEGRATION} config {config_id}")

        step(2, "Create stack 'dev' on a local file backend (passphrase in the environment)")
        settings = {"integration": INTEGRATION, "integrationConfigId": config_id}
        with local_stack(PROGRAM, fx, pulumi_bin=bin_dir, config=settings) as stack:
            print(f"    {stack.workspace.work_dir}  (pulumi from {bin_dir})")

            step(3, "pulumi up: mint the consent URL (AuthorizationUrl)")
            first = stack.up(on_output=show, show_secrets=False)
            url = first.outputs["authorization_url"].value

            step(4, "The admin opens the consent URL and approves; the success page shows a key")
            key = fx.approve(url)
            print(f"    got a single-use credential key ({len(key)} characters, not shown)")

            step(5, "pulumi config set --secret credentialKey ...")
            stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))
            print("    stored encrypted in the stack's config")

            step(6, "pulumi up: bind the key (IntegrationAuth consumes it)")
            stack.up(on_output=show, show_secrets=False)
            consumed = fx.count("consumeOAuthCredentials")
            bound = fx.get_config(config_id)
            print(f"    consume calls: {consumed}; config auth method: {bound.get('authMethodId')}")

            step(7, "pulumi preview --expect-no-changes")
            fx.clear_requests()
            stack.preview(on_output=show, expect_no_changes=True)
            print(f"    no changes; requests to Fruxon during preview: {len(fx.requests)}")

            step(8, "Stack outputs")
            for name, output in sorted(stack.outputs().items()):
                print(f"    {name:<24} {'[secret]' if output.secret else output.value}")

            step(9, "pulumi destroy, then stop the emulator")
            stack.destroy(on_output=show)  # the backend's folder goes with local_stack's exit
    print(f"\nDone in {time.monotonic() - started:.0f}s: bound once, previewed quiet, destroyed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
