"""User mistakes end in one message that says what to do (issue 17).

Each run of `programs/mistakes` makes one mistake, through the real CLI against the emulator. A
mistake the program itself raises prints no traceback at all (`FruxonError` is a
`pulumi.RunError`). One that a provider call raises keeps only the dynamic host's own two frames
and the line that re-raises it (docs/architecture.md#errors): the host formats every error as a
traceback, and nothing in the package can change that.
"""

from __future__ import annotations

import re

import pytest
from pulumi import automation as auto

from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import PROGRAMS

MISTAKES = {
    "two-bindings": "Keep one IntegrationAuth per config",
    "import": "IntegrationConfig.get(name, id)",
    "data-source-404": "`fruxon.get_integrations()` lists the integrations",
    "unknown-integration": "`fruxon.get_integrations()` lists the integrations",
    "bad-auth-method": "Check `auth_method`: `fruxon.get_integration('salesforce')` lists",
    "bad-scope": "Check `scopes`: `fruxon.get_integration('salesforce')` lists",
    "wrong-workspace": "Check `fruxon:workspace`",
}
IN_THE_PROGRAM = {"two-bindings", "import", "data-source-404"}
FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line \d+, in \w+$', re.MULTILINE)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_says_what_to_do_without_a_traceback(
    mistake: str, emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    printed: list[str] = []
    settings = {"mistake": mistake, "integrationConfigId": emulator.add_config("salesforce")}
    with local_stack(
        PROGRAMS / "mistakes", emulator, pulumi_bin=pulumi_bin, config=settings
    ) as stack:
        stack.set_config("credentialKey", auto.ConfigValue("fxck_not_a_real_key", secret=True))
        with pytest.raises(auto.CommandError) as failed:
            stack.up(on_output=printed.append, show_secrets=False)

    output = "\n".join(printed) + str(failed.value)
    assert MISTAKES[mistake] in output
    if mistake in IN_THE_PROGRAM:
        assert "Traceback" not in output
    else:
        files = {m["file"].rsplit("/", 1)[-1] for m in FRAME.finditer(output)}
        assert files <= {"__main__.py", "_provider.py"}
    assert emulator.token not in output
    assert "fxck_not_a_real_key" not in output
