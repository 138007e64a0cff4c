"""The plugin's edge: Pulumi property values in, plain dicts out, and back.

The provider objects of the dynamic door take plain dicts with snake_case keys, plain values
(no secret wrappers), `Unknown` for a value not known in preview, and numbers as the engine sends
them (floats). The engine speaks camelCase property names, wraps secrets (the plugin answers
`Configure` with `acceptSecrets`), and marks unknowns with a sentinel. This module converts
between the two, and nothing else: every rule of behaviour stays in the provider objects.

Only top-level names are converted: the keys inside a map (`parameters`, `secretParameters`)
are the user's own and pass unchanged. A snake_case name converts to itself, so the state of a
stack moved from the dynamic provider (snake_case names) reads the same.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc

# The input a dynamic resource pickles its provider into. A stack moved from the dynamic
# provider by alias still holds it in state; the plugin ignores it.
PICKLED_PROVIDER = "__provider"

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def camel(name: str) -> str:
    """`integration_config_id` -> `integrationConfigId`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """`integrationConfigId` -> `integration_config_id`; a snake_case name is unchanged."""
    return _CAMEL_BOUNDARY.sub(r"_\1", name).lower()


@dataclass
class Props:
    """Plain properties with snake_case keys, and the keys that arrived secret."""

    values: dict[str, Any] = field(default_factory=dict)
    secret: set[str] = field(default_factory=set)


def unwrap(value: Any) -> tuple[Any, bool]:
    """A wire value (as JSON) as a plain one: secrets unwrapped, the unknown sentinel as
    `Unknown`, and whether a secret was found anywhere inside.

    `rpc.deserialize_properties` is not used for this: it reads an unknown inside a secret (what
    the engine sends for a secret input not known in preview) as None outside a program.
    """
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            inner, _ = unwrap(value.get("value"))
            return inner, True
        pairs = {k: unwrap(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [unwrap(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    if value == rpc.UNKNOWN:
        return Unknown(), False  # type: ignore[no-untyped-call]
    return value, False


def _json(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return dict(json_format.MessageToDict(struct))


def from_struct(struct: struct_pb2.Struct | None) -> Props:
    """Engine properties as plain snake_case properties; `__provider` is dropped."""
    props = Props()
    for key, value in _json(struct).items():
        if key == PICKLED_PROVIDER or value is None:
            continue
        plain, was_secret = unwrap(value)
        name = snake(key)
        props.values[name] = plain
        if was_secret:
            props.secret.add(name)
    return props


def to_struct(values: Mapping[str, Any], secret: Iterable[str] = ()) -> struct_pb2.Struct:
    """Plain snake_case properties as engine properties: camelCase names, the `secret` keys
    wrapped, None left out (the engine reads a missing output as unset)."""
    marked = set(secret)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or key == PICKLED_PROVIDER:
            continue
        out[camel(key)] = rpc.wrap_rpc_secret(value) if key in marked else value
    return serialize(out)


def serialize(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """Property values (secret wrappers and `Unknown` included) as a Struct, keys as they are."""
    # A private loop per call: the servicer runs on the gRPC pool's threads, none of which has one.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(values), {}))
    finally:
        loop.close()


def as_declared(
    values: Mapping[str, Any], specs: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Numbers where the schema declares text, as text: in a YAML program, `port: 8080` under
    `parameters` arrives as the number 8080.0, where the resource takes the string "8080".
    `specs` maps each property to its schema spec; other values pass unchanged."""
    out = dict(values)
    for name, spec in specs.items():
        value = out.get(name)
        kind = spec.get("type")
        if kind == "string":
            out[name] = _text(value)
        elif kind == "object" and spec.get("additionalProperties") == _STRING:
            out[name] = (
                {k: _text(v) for k, v in value.items()} if isinstance(value, Mapping) else value
            )
        elif kind == "array" and spec.get("items") == _STRING and isinstance(value, list):
            out[name] = [_text(v) for v in value]
    return out


_STRING = {"type": "string"}


def _text(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def plain_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    """A Struct of plain values (function arguments, provider config), secrets unwrapped, keys
    as sent."""
    return {k: unwrap(v)[0] for k, v in _json(struct).items() if v is not None}
