"""Recovery kept in the stack, with the real CLI: a YAML program binds a key through the provider
plugin; Fruxon processes the consume, the answer is lost and the re-read fails. The plugin's
create fails as a partial create, so the engine stores the resource with its pending consume.
The journal folder is deleted (the next `pulumi up` runs on another machine), and that `up`
adopts the binding without sending the key again: one consume, a bound and live config.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from tests.e2e.conftest import PROGRAMS
from tests.e2e.test_cli import exported, where
from tests.e2e.test_yaml_examples import state, yaml_stack

AUTH = "fruxon:index:IntegrationAuth"


def test_an_unknown_consume_is_finished_by_the_next_up_without_the_journal(
    emulator: FruxonEmulator, pulumi_bin: str, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    config_id = emulator.add_config("internal_crm")
    key = emulator.mint_credential_key("internal_crm")
    journal = tmp_path / "journal"
    env = {"FRUXON_TIMEOUT": "2", "FRUXON_STATE_DIR": str(journal)}
    program = PROGRAMS / "yaml-recovery"
    with yaml_stack(program, emulator, pulumi_bin, pulumi_yaml_path, tmp_path, env) as stack:
        stack.set_config("configId", auto.ConfigValue(config_id))
        stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))

        first: list[str] = []
        emulator.drop_after_consume(1, outage=50)
        with pytest.raises(auto.CommandError):
            stack.up(on_output=first.append, on_error=first.append, show_secrets=False)
        emulator.clear_faults()
        assert "outcome is unknown" in "\n".join(first)
        assert emulator.get_config(config_id)["hasAuth"] is True
        assert emulator.count("consumeOAuthCredentials") == 1
        (partial,) = state(stack, AUTH)
        assert partial["initErrors"] and "pendingConsume" in partial["outputs"]

        shutil.rmtree(journal)  # the next `up` runs on another machine
        emulator.clear_requests()
        stack.preview()
        assert [r.method for r in emulator.requests if r.method != "GET"] == []
        second: list[str] = []
        up = stack.up(on_output=second.append, show_secrets=False)

        # The warning is the engine's, under the resource it concerns (the plugin's Log service).
        said = "\n".join(second)
        diagnostics = said[said.index("Diagnostics:") :]
        under = diagnostics[diagnostics.index(f"{AUTH} (auth):") :]
        assert "warning: An earlier `pulumi up` sent this credential key" in under
        assert "adopting that binding" in under
        assert emulator.count("consumeOAuthCredentials") == 0  # not sent again
        assert {k: v.value for k, v in up.outputs.items()} == {"live": True, "level": "APPLICATION"}
        (bound,) = state(stack, AUTH)
        assert not bound.get("initErrors") and "pendingConsume" not in bound["outputs"]
        stack.preview(expect_no_changes=True)
        revealed, plain = exported(stack)
        for text in (said, "\n".join(first), plain):
            assert key not in text and emulator.token not in text
        # Decrypted, the key is only the secret input it was given as.
        paths = where(revealed, key)
        assert paths and all(".inputs.credentialKey" in p for p in paths), paths
        stack.destroy()
