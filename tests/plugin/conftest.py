"""Fixtures of the plugin tests: a provider plugin configured for the test's emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf import json_format

from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import stack_config
from tests.support.plugin import PluginHost


@pytest.fixture
def plugin(start_plugin: Callable[..., PluginHost], emulator: FruxonEmulator) -> PluginHost:
    """`python -m pulumi_fruxon.provider`, configured as the engine configures the `fruxon`
    provider from stack config that points at `emulator` (the token a secret)."""
    started = start_plugin()
    started.configure(stack_config(emulator), secret_keys=["fruxon:token"])
    return started


def raw(struct: Any) -> dict[str, Any]:
    """A Struct as the JSON it carries: camelCase names, secret wrappers kept."""
    return dict(json_format.MessageToDict(struct))


def last(host: PluginHost, method: str) -> Any:
    """The plugin's last answer to `method`."""
    return next(item for name, item in reversed(host.transcript) if name == method)
