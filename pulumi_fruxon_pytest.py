"""Pytest fixtures for testing Pulumi programs that use pulumi-fruxon, against the emulator.

Installing `pulumi-fruxon` registers this module with pytest (the `pytest11` entry point), so
any test can ask for the fixtures by name. They are prefixed `fruxon_` so that they never clash
with a project's own. Registering costs nothing: the module stands outside the `pulumi_fruxon`
package, so no emulator starts and nothing heavier than pytest is imported until a test asks
for a fixture.

- `fruxon_emulator`: a fresh `FruxonEmulator` for the test, on a free port of 127.0.0.1.
- `fruxon_stack`: a factory, `fruxon_stack(program, config={...})`, that returns a new stack of a
  copy of `program` on a throwaway local backend, configured for `fruxon_emulator`
  (`pulumi_fruxon.testing.stack.local_stack`); each is removed when the test ends. It needs the
  Pulumi CLI on PATH, or `pulumi_bin=`.
- `fruxon_approve`: `fruxon_approve(url)` does what the admin's browser does with a consent URL,
  and returns the single-use credential key.
- `fruxon_fill_link`: `fruxon_fill_link(url, {"api_key": "..."})` does what the human on a
  credential link's page does.

See the README, "Testing your own programs", for a complete example.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the emulator and the Automation API load only when a fixture is used
    import os

    from pulumi import automation as auto

    from pulumi_fruxon.testing import FruxonEmulator

__all__ = ["fruxon_approve", "fruxon_emulator", "fruxon_fill_link", "fruxon_stack"]


@pytest.fixture
def fruxon_emulator() -> Iterator[FruxonEmulator]:
    """A fresh emulator with the demo catalogue, stopped after the test."""
    from pulumi_fruxon.testing import FruxonEmulator

    with FruxonEmulator() as emulator:
        yield emulator


@pytest.fixture
def fruxon_stack(
    fruxon_emulator: FruxonEmulator,
) -> Iterator[Callable[..., auto.Stack]]:
    """A factory of stacks of a program against `fruxon_emulator`; see `local_stack` for the
    keyword arguments (`config`, `pulumi_bin`, `virtualenv`, `stack_name`, ...)."""
    from pulumi_fruxon.testing.stack import local_stack

    with contextlib.ExitStack() as stacks:

        def make(program: str | os.PathLike[str], **options: Any) -> auto.Stack:
            return stacks.enter_context(local_stack(program, fruxon_emulator, **options))

        yield make


@pytest.fixture
def fruxon_approve() -> Callable[[str], str]:
    """Consent to an `AuthorizationUrl`'s URL as the admin would; returns the credential key."""
    from pulumi_fruxon.testing import FruxonEmulator

    return FruxonEmulator.approve


@pytest.fixture
def fruxon_fill_link(
    fruxon_emulator: FruxonEmulator,
) -> Callable[[str, Mapping[str, str]], dict[str, Any]]:
    """Fill a `CredentialLink`'s URL with credential values as the human on its page would."""

    def fill(url: str, values: Mapping[str, str]) -> dict[str, Any]:
        return fruxon_emulator.fill_credential_link(url, dict(values))

    return fill
