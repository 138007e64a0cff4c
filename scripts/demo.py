"""`make demo`: the whole story of examples/oauth-connection, with the real Pulumi CLI.

A platform team declares a Salesforce integration config and connects its application-level OAuth
in two `pulumi up` runs, against the local Fruxon emulator, on a local file backend in a temporary
folder that is deleted at the end. The binding is published, so it is live for agents; an outside
rollback is found by `pulumi refresh` and repaired by `pulumi up`. Secrets (the token, the consent
URL, the credential key) are never printed.

Run: `.venv/bin/python scripts/demo.py` (or `make demo`). It builds the Pulumi CLI into .tools/bin
first when none is on PATH (scripts/install-pulumi).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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
        [str(REPO / "scripts" / "install-pulumi"), "cli"],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise SystemExit("demo: no Pulumi CLI (see the messages above)")
    return found.stdout.strip().splitlines()[-1]


def binding_state(stack: auto.Stack) -> dict[str, Any]:
    """The IntegrationAuth's outputs as the stack's state holds them (what refresh wrote)."""
    deployment = stack.export_stack().deployment or {}
    for resource in deployment.get("resources") or []:
        if resource["type"] == "pulumi-python:dynamic/fruxon:IntegrationAuth":
            return dict(resource["outputs"])
    raise SystemExit("demo: the stack has no IntegrationAuth")


def main() -> int:
    started = time.monotonic()
    bin_dir = pulumi_bin()

    print("Starting the Fruxon emulator and a stack on a local file backend...")
    with (
        FruxonEmulator() as fx,
        local_stack(PROGRAM, fx, pulumi_bin=bin_dir, config={"integration": INTEGRATION}) as stack,
    ):
        print(f"    emulator {fx.base_url}, workspace {fx.workspace!r}; pulumi from {bin_dir}")

        step(1, "pulumi up: declare the integration config (IntegrationConfig, published) ...")
        first = stack.up(on_output=show, show_secrets=False)
        config_id = first.outputs["config_id"].value
        print(f"    config {config_id}: published, live={first.outputs['config_live'].value}")

        step(2, "... and mint the consent URL (AuthorizationUrl, a secret output)")
        url = first.outputs["authorization_url"].value
        print(f"    authorization_url is a secret ({len(url)} characters, not shown)")

        step(3, "The admin opens the consent URL and approves; the success page shows a key")
        key = fx.approve(url)
        print(f"    got a single-use credential key ({len(key)} characters, not shown)")

        step(4, "pulumi config set --secret credentialKey ...; pulumi up: bind the key")
        stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))
        bound = stack.up(on_output=show, show_secrets=False)
        print(f"    consume calls: {fx.count('consumeOAuthCredentials')}")

        step(5, "The binding is published: agents' tool calls resolve it")
        published = fx.published(config_id) or {}
        print(
            f"    published revision v{bound.outputs['published_version'].value}, "
            f"live={bound.outputs['live'].value}; the revision carries auth method "
            f"{(published.get('auth') or {}).get('integrationAuthMetadataId')!r}"
        )

        step(6, "pulumi preview --expect-no-changes")
        fx.clear_requests()
        stack.preview(on_output=show, expect_no_changes=True)
        print(f"    no changes; requests to Fruxon during preview: {len(fx.requests)}")

        step(7, "Someone rolls the config back to before the bind; pulumi refresh notices")
        first_revision = fx.revisions(config_id)[0]
        fx.rollback(config_id, first_revision["id"])
        stack.refresh(on_output=show, show_secrets=False)
        print(
            f"    IntegrationAuth live={binding_state(stack)['live']} in the state after the "
            "refresh (the stack outputs above keep their last `up`'s values until the next one)"
        )

        step(8, "pulumi up publishes again (an update: no consume)")
        restored = stack.up(on_output=show, show_secrets=False)
        print(
            f"    published revision v{restored.outputs['published_version'].value}, "
            f"live={restored.outputs['live'].value}; consume calls since step 6: "
            f"{fx.count('consumeOAuthCredentials')}"
        )

        step(9, "pulumi destroy: the IntegrationConfig deletes the config")
        stack.destroy(on_output=show)
        gone = config_id not in {c["id"] for c in fx.list_configs(INTEGRATION)}
        print(f"    config {config_id} deleted: {gone}")
    print(
        f"\nDone in {time.monotonic() - started:.0f}s: declared, bound, live, "
        "repaired after a rollback, destroyed."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
