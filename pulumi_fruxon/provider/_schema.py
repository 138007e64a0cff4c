"""The `fruxon` package schema, built from the source of the dynamic door (see `_source`).

`pulumi package get-schema` prints it, and SDK generators read it. Property names are camelCase,
as Pulumi schemas write them; `secret_names` and `output_names` give the plugin the same facts
in snake_case, so that what the schema says and what the plugin does come from one place.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pulumi_fruxon._version import __version__
from pulumi_fruxon.provider._catalog import (
    CONFIG,
    DATA_SOURCES,
    FUNCTIONS,
    MODELS,
    PACKAGE,
    RESOURCES,
    SECRET_CONFIG,
    ResourceKind,
)
from pulumi_fruxon.provider._source import (
    Prop,
    Shape,
    TypeMapper,
    function_shape,
    model_names,
    model_shape,
    resource_shape,
)
from pulumi_fruxon.provider._values import camel

_SETTINGS = "pulumi_fruxon.settings"


@functools.cache
def resource_shapes() -> dict[str, Shape]:
    """Each resource's shape, by type token (the types it refers to are in `schema()`)."""
    types = TypeMapper(PACKAGE, model_names(MODELS))
    return {kind.token: resource_shape(kind.module, kind.name, types) for kind in RESOURCES}


@functools.cache
def function_shapes() -> dict[str, Shape]:
    types = TypeMapper(PACKAGE, model_names(MODELS))
    return {kind.token: function_shape(DATA_SOURCES, kind.python, types) for kind in FUNCTIONS}


def secret_names(kind: ResourceKind) -> frozenset[str]:
    """The snake_case properties of `kind` that are secret, inputs and outputs alike."""
    return frozenset(resource_shapes()[kind.token].secrets)


def output_names(kind: ResourceKind) -> tuple[str, ...]:
    return tuple(p.name for p in resource_shapes()[kind.token].outputs)


def input_specs(kind: ResourceKind) -> dict[str, dict[str, Any]]:
    """Each snake_case input of `kind` and its schema spec (`{"type": "string"}`, ...)."""
    return {p.name: dict(p.spec) for p in resource_shapes()[kind.token].inputs}


_SNAKE_IN_CODE = re.compile(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`")


def text(docstring: str) -> str:
    """A docstring as a schema description: a Python name in backticks (`display_name`) in
    the camelCase the schema's users write (`displayName`)."""
    return _SNAKE_IN_CODE.sub(lambda m: f"`{camel(m[1])}`", docstring)


_PYTHON_FUNCTION = re.compile(r"`?fruxon\.(get_[a-z_]+)\([^)`]*\)`?")


def plugin_terms(message: str) -> str:
    """A message of the shared provider code in the names a plugin user writes: the data
    sources as the plugin's functions (`fruxon.get_integrations()` ->
    `fruxon:index:getIntegrations`), and property names, in backticks or not, in camelCase."""
    message = _PYTHON_FUNCTION.sub(lambda m: f"`fruxon:index:{camel(m[1])}`", message)
    message = text(message)
    for name in _snake_property_names():
        message = re.sub(rf"(?<!<)\b{re.escape(name)}\b", camel(name), message)
    return message


@functools.cache
def _snake_property_names() -> tuple[str, ...]:
    """Every snake_case input and output name of the resources and functions, longest first."""
    shapes = [*resource_shapes().values(), *function_shapes().values()]
    names = {p.name for shape in shapes for p in (*shape.inputs, *shape.outputs) if "_" in p.name}
    return tuple(sorted(names, key=len, reverse=True))


def _property(prop: Prop, secret: bool) -> dict[str, Any]:
    spec: dict[str, Any] = dict(prop.spec)
    if prop.description:
        spec["description"] = text(prop.description)
    if secret:
        spec["secret"] = True
    if prop.default is not None:
        spec["default"] = prop.default
    return spec


def _object(props: list[Prop], secrets: frozenset[str] | set[str]) -> dict[str, Any]:
    """`properties` and, when any is, `required` (the CLI drops empty lists and texts)."""
    required = sorted(camel(p.name) for p in props if not p.optional)
    return {
        "properties": {camel(p.name): _property(p, p.name in secrets) for p in props},
        **({"required": required} if required else {}),
    }


def _described(docstring: str) -> dict[str, str]:
    return {"description": text(docstring)} if docstring else {}


def _config() -> tuple[dict[str, Any], list[Prop]]:
    settings = model_shape(_SETTINGS, "FruxonSettings", TypeMapper(PACKAGE, set()))
    fields = {p.name: p for p in settings.outputs}
    props = [Prop(key, fields[name].spec, True, fields[name].description) for name, key in CONFIG]
    variables = {
        p.name: _property(p, name in SECRET_CONFIG)
        for (name, _), p in zip(CONFIG, props, strict=True)
    }
    return variables, props


@functools.cache
def schema() -> dict[str, Any]:
    """The package schema, as a dict."""
    types = TypeMapper(PACKAGE, model_names(MODELS))
    resources: dict[str, Any] = {}
    for kind in RESOURCES:
        shape = resource_shape(kind.module, kind.name, types)
        outputs = _object(shape.outputs, shape.secrets)
        inputs = _object(shape.inputs, shape.secrets)
        resources[kind.token] = {
            **_described(shape.description),
            **outputs,
            "inputProperties": inputs["properties"],
            "requiredInputs": inputs.get("required", []),
        }
    functions: dict[str, Any] = {}
    for function in FUNCTIONS:
        shape = function_shape(DATA_SOURCES, function.python, types)
        functions[function.token] = {
            **_described(shape.description),
            "inputs": _object(shape.inputs, set()),
            "outputs": _object(shape.outputs, set()),
        }
    object_types: dict[str, Any] = {}
    pending = set(types.used)
    while pending:
        name = pending.pop()
        before = set(types.used)
        shape = model_shape(MODELS, name, types)
        object_types[f"{PACKAGE}:index:{name}"] = {
            "type": "object",
            **_described(shape.description),
            **_object(shape.outputs, set()),
        }
        pending |= (types.used - before) - {t.rsplit(":", 1)[-1] for t in object_types}
    variables, config_props = _config()
    provider = _object(config_props, set())
    for name, key in CONFIG:
        if name in SECRET_CONFIG:
            provider["properties"][key]["secret"] = True
    return {
        "name": PACKAGE,
        "displayName": "Fruxon",
        "version": __version__,
        "description": "Fruxon integration configs, OAuth bindings and credential links.",
        "keywords": ["pulumi", "fruxon", "category/utility", "kind/native"],
        "homepage": "https://fruxon.com",
        "license": "Apache-2.0",
        "publisher": "Fruxon",
        "config": {"variables": variables},
        "provider": {
            "description": "The Fruxon provider: stack config `fruxon:*`, else FRUXON_* variables.",
            "inputProperties": provider["properties"],
        },
        "resources": resources,
        "functions": functions,
        "types": dict(sorted(object_types.items())),
        # A generated Python SDK must not take the name of this package, which holds the plugin.
        "language": {"python": {"packageName": "pulumi_fruxon_sdk"}},
    }


def schema_json() -> str:
    return json.dumps(schema(), indent=2, sort_keys=False)
