"""End to end with the real CLI: examples/api-key-connection, an API key that never reaches
Pulumi. `IntegrationConfig` declares the config, `CredentialLink` mints the link, a human fills
it (here, the emulator's helper over HTTP), and the stack only ever learns that it was filled.
"""

from __future__ import annotations

from typing import Any

from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import REPO
from tests.e2e.test_cli import changes, exported, resources, where

EXAMPLE = REPO / "examples" / "api-key-connection"
LINK = "pulumi-python:dynamic/fruxon:CredentialLink"
CONFIG = "pulumi-python:dynamic/fruxon:IntegrationConfig"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
API_KEY = "sk_live_e2e_typed_on_the_link_page_4242"


def outputs_of(stack: Any, type_: str) -> dict[str, Any]:
    [resource] = resources(stack, type_)
    found: dict[str, Any] = resource["outputs"]
    return found


def test_a_filled_link_goes_live_and_the_key_stays_out_of_pulumi(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    output: list[str] = []
    with local_stack(EXAMPLE, emulator, pulumi_bin=pulumi_bin) as stack:
        # 1. `up` declares the config and mints the link; the link is a secret output.
        up = stack.up(on_output=output.append, show_secrets=False)
        assert changes(up.summary.resource_changes) == {"create": 3}
        assert emulator.count("createConfig") == 1
        assert emulator.count("createCredentialLink") == 1
        config_id = up.outputs["config_id"].value
        url = up.outputs["credential_link"].value
        assert up.outputs["credential_link"].secret is True
        assert url.startswith(f"{emulator.base_url}/credential-links/")
        assert up.outputs["link_filled"].value is False
        token = url.rsplit("/", 1)[1]

        # 2. The human fills it: Fruxon sets the config's auth and publishes it.
        filled = emulator.fill_credential_link(url, {"api_key": API_KEY})

        # 3. `refresh` shows the link filled and the config live on the new revision.
        emulator.clear_requests()
        stack.refresh(on_output=output.append, show_secrets=False)
        assert [r.method for r in emulator.requests if r.method in WRITES] == []
        link = outputs_of(stack, LINK)
        assert (link["filled"], link["expired"]) == (True, False)
        config = outputs_of(stack, CONFIG)
        assert config["live"] is True
        assert config["published_revision_id"] == filled["revisionId"]

        # 4. A second `up` is quiet, and the published revision still carries the key.
        emulator.clear_requests()
        again = stack.up(on_output=output.append, show_secrets=False)
        assert changes(again.summary.resource_changes) == {"same": 3}
        assert [r.route for r in emulator.requests if r.method in WRITES] == []
        assert again.outputs["link_filled"].value is True
        assert again.outputs["live"].value is True
        assert again.outputs["credential_link"].value == url
        published = emulator.published(config_id)
        assert published is not None and published["id"] == filled["revisionId"]
        assert published["auth"]["parameters"] == {"api_key": API_KEY}

        # 5. The key is nowhere in state (decrypted or not), outputs or CLI output; the link's
        #    token is only in the link's `url` and the export of it, encrypted at rest.
        revealed, plain = exported(stack)
        stack_outputs = {name: value.value for name, value in stack.outputs().items()}
        log = "\n".join(output)
        assert where(revealed, API_KEY) == []
        assert API_KEY not in plain
        assert where(stack_outputs, API_KEY) == []
        assert API_KEY not in log
        assert emulator.token not in plain and emulator.token not in log
        assert token not in plain
        assert token not in log
        index = {r["type"]: i for i, r in enumerate(revealed["resources"])}
        assert sorted(where(revealed, token)) == [
            f".resources[{index['pulumi:pulumi:Stack']}].outputs.credential_link.plaintext",
            f".resources[{index[LINK]}].outputs.url.plaintext",
        ]

        # A change to the config PATCHes it without `auth` and publishes again: the key that
        # came through the link survives into the new revision, and the link is kept.
        stack.set_config("displayName", auto.ConfigValue("Stripe for agents"))
        emulator.clear_requests()
        renamed = stack.up(on_output=output.append, show_secrets=False)
        assert changes(renamed.summary.resource_changes) == {"same": 2, "update": 1}
        routes = [r.route for r in emulator.requests if r.method in WRITES]
        assert routes == ["patchConfig", "publishConfig"]
        published = emulator.published(config_id)
        assert published is not None and published["version"] == filled["version"] + 1
        assert published["auth"]["parameters"] == {"api_key": API_KEY}
        assert renamed.outputs["live"].value is True
        assert renamed.outputs["credential_link"].value == url
        assert API_KEY not in "\n".join(output)

        # `destroy` deletes the config, and the key with it; the link needs no call.
        emulator.clear_requests()
        stack.destroy(on_output=output.append)
        assert [r.route for r in emulator.requests if r.method in WRITES] == ["deleteConfig"]
        assert config_id not in [c["id"] for c in emulator.list_configs("stripe")]
        assert resources(stack, LINK) == []
