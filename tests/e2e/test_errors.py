"""What `pulumi up` prints when a provider call fails with a FruxonError (the real CLI).

docs/architecture.md#errors explains which part of this output the package shapes: the message
and our own frames. The host's traceback header and its two frames stay.
"""

from __future__ import annotations

import re
import uuid

import pytest
from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import PROGRAMS

FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line \d+, in \w+$', re.MULTILINE)


def test_up_with_a_missing_config_prints_the_message_under_the_resource(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    missing = str(uuid.uuid4())
    key = emulator.mint_credential_key("salesforce")
    printed: list[str] = []
    with local_stack(
        PROGRAMS / "missing-config",
        emulator,
        pulumi_bin=pulumi_bin,
        config={"integrationConfigId": missing},
    ) as stack:
        stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))
        with pytest.raises(auto.CommandError):
            stack.up(on_output=printed.append, show_secrets=False)

    output = "\n".join(line.rstrip("\n") for line in printed)
    diagnostics = output[output.index("Diagnostics:") :]
    resource = diagnostics[diagnostics.index("IntegrationAuth (connection):") :]
    resource = resource[: resource.index("\nResources:")]
    # The message, in one piece: what failed, why, and what to do next.
    assert (
        f"pulumi_fruxon.errors.IntegrationConfigNotFoundError: Integration config {missing} of "
        "integration 'salesforce' does not exist in workspace 'demo'"
    ) in resource
    assert "Check `integration`, `integration_config_id` and `workspace`" in resource
    assert "Nothing was consumed; the credential key is still usable" in resource
    # Above it, only the host's two frames and the one line that re-raises it.
    files = [m["file"].rsplit("/", 1)[-1] for m in FRAME.finditer(resource)]
    assert files == ["__main__.py", "__main__.py", "_provider.py"]
    assert "During handling" not in resource and "direct cause" not in resource
    assert key not in output and emulator.token not in output
    assert emulator.count("consumeOAuthCredentials") == 0
