"""Provider configuration: the engine's config, as the dynamic providers' `configure` reads it.

The engine sends the `fruxon` provider's config as `args` (camelCase keys, typed values, the
token wrapped as a secret) and as `variables` (`fruxon:<key>` to text). Both become the
`fruxon:<key>` entries of the `ConfigureRequest` that the dynamic host builds from stack
config, so that `FruxonProvider.configure`, and `FruxonSettings.resolve` behind it with its
FRUXON_* fallbacks, are the one way settings are read, through either door.
"""

from __future__ import annotations

import os
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc

from pulumi_fruxon import _constants
from pulumi_fruxon._checks import contains_unknown
from pulumi_fruxon.errors import ConfigurationError
from pulumi_fruxon.provider._catalog import CONFIG, SECRET_CONFIG
from pulumi_fruxon.provider._values import plain_struct, serialize, unwrap
from pulumi_fruxon.settings import FruxonSettings

_NAMESPACE = _constants.CONFIG_NAMESPACE


def _text(value: Any) -> str | None:
    if value is None or contains_unknown(value) or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settings(args: dict[str, Any], variables: Any = None) -> dict[str, str]:
    """The `fruxon:<key>` entries a provider reads: each from `args`, else `variables`."""
    found: dict[str, str] = {}
    for _, key in CONFIG:
        value = _text(args.get(key))
        if value is None and variables is not None:
            value = variables.get(f"{_NAMESPACE}:{key}")
        if value is not None:
            found[f"{_NAMESPACE}:{key}"] = value
    return found


def request(configure: Any) -> ConfigureRequest:
    """The dynamic providers' `ConfigureRequest` for the engine's `ConfigureRequest`."""
    args = plain_struct(configure.args) if configure.HasField("args") else {}
    raw = settings(args, configure.variables)
    project = os.environ.get("PULUMI_PROJECT", "project")
    return ConfigureRequest(Config(raw_config=raw, project_name=project))


def checked(news: struct_pb2.Struct) -> struct_pb2.Struct:
    """The config as given, the token made secret even when it was set in plain text."""
    secret_keys = {key for name, key in CONFIG if name in SECRET_CONFIG}
    raw = dict(json_format.MessageToDict(news))
    for key in secret_keys & set(raw):
        if not rpc.is_rpc_secret(raw[key]):
            raw[key] = rpc.wrap_rpc_secret(raw[key])
    return serialize(raw)


def failures(news: struct_pb2.Struct) -> list[tuple[str, str]]:
    """(key, reason) for each setting given in `news` that `FruxonSettings.resolve` refuses, so
    that a malformed one fails the preview instead of the first request. Each key is resolved
    alone, and without the environment: the failure names the property that holds it."""
    given = settings(plain_struct(news))
    found: list[tuple[str, str]] = []
    for _, key in CONFIG:
        value = given.get(f"{_NAMESPACE}:{key}")
        if value is None:
            continue
        try:
            FruxonSettings.resolve(config={key: value}.get, env={})
        except ConfigurationError as error:
            found.append((key, str(error)))
    return found


def changed(olds: struct_pb2.Struct, news: struct_pb2.Struct) -> list[str]:
    """The config keys whose values differ."""
    old, new = plain_struct(olds), plain_struct(news)
    return [key for _, key in CONFIG if unwrap(old.get(key))[0] != unwrap(new.get(key))[0]]
