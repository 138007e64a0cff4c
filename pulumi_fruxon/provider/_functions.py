"""The plugin's functions: each is the request its data source makes, on the plugin's client.

`fruxon:index:getIntegrations` and the others take the arguments of the data source of the same
name (camelCase) and return the fields and properties of its result, the wire models as objects
with camelCase fields. The requests are the data sources' own (`FETCHERS`), so a function and
its data source cannot answer differently.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from pulumi_fruxon._checks import contains_unknown
from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.data_sources import FETCHERS
from pulumi_fruxon.provider._catalog import FUNCTIONS
from pulumi_fruxon.provider._schema import function_shapes
from pulumi_fruxon.provider._values import camel, plain_struct, snake

_BY_TOKEN = {kind.token: kind for kind in FUNCTIONS}


class BadArguments(Exception):
    """A function was called with arguments it does not take, or without one it needs."""


def invoke(provider: FruxonProvider, token: str, args: struct_pb2.Struct) -> dict[str, Any]:
    """Call function `token` with the engine's `args` on `provider`'s client."""
    kind = _BY_TOKEN.get(token)
    if kind is None:
        raise LookupError(f"The fruxon provider has no function {token!r}.")
    shape = function_shapes()[token]
    given = {snake(k): v for k, v in plain_struct(args).items()}
    takes = {p.name for p in shape.inputs}
    extra = sorted(set(given) - takes)
    missing = sorted(p.name for p in shape.inputs if not p.optional and p.name not in given)
    if extra or missing:
        problem = (
            f"takes no argument {', '.join(camel(n) for n in extra)}"
            if extra
            else f"needs {', '.join(camel(n) for n in missing)}"
        )
        accepted = ", ".join(camel(p.name) for p in shape.inputs)
        raise BadArguments(f"{kind.name} {problem}; its arguments are {accepted}.")
    if contains_unknown(given):
        raise BadArguments(f"{kind.name} needs known arguments; it runs once they are known.")
    client = provider.client(given.pop("workspace", None))
    try:
        result = FETCHERS[kind.python](client, **given)
    except ValueError as error:  # e.g. has_configs=False, which Fruxon cannot filter by
        raise BadArguments(str(error)) from None
    return {p.name: plain(getattr(result, p.name)) for p in shape.outputs}


def plain(value: Any) -> Any:
    """A result value as property values: a wire model as its declared fields, camelCase
    (fields a newer Fruxon sends that the model does not declare are left out)."""
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict):
        return {camel(name): plain(getattr(value, name)) for name in fields}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value
