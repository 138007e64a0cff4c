"""The schema: one source (the dynamic classes and data sources), in step with them, complete.

The checks here read the classes as Python sees them (`inspect`, `typing`), not as the schema
builder does (`ast`), so that a class and its schema are compared by two different readings.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pulumi_fruxon
from pulumi_fruxon import data_sources
from pulumi_fruxon.provider._catalog import FUNCTIONS, RESOURCES
from pulumi_fruxon.provider._schema import plugin_terms, schema
from pulumi_fruxon.provider._values import camel
from tests.support.plugin import PluginHost

SCHEMA = schema()
CLASSES = {kind.token: getattr(pulumi_fruxon, kind.name) for kind in RESOURCES}


def keyword_inputs(cls: type) -> dict[str, inspect.Parameter]:
    params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    return {n: p for n, p in params.items() if n not in ("self", "resource_name", "opts")}


def output_annotations(cls: type) -> list[str]:
    return [n for n, a in cls.__annotations__.items() if str(a).startswith("pulumi.Output[")]


@pytest.mark.parametrize("token", sorted(CLASSES))
def test_inputs_are_the_dynamic_classes_keyword_parameters(token: str) -> None:
    params = keyword_inputs(CLASSES[token])
    resource = SCHEMA["resources"][token]
    assert list(resource["inputProperties"]) == [camel(n) for n in params]
    required = sorted(camel(n) for n, p in params.items() if p.default is inspect.Parameter.empty)
    assert resource["requiredInputs"] == required


@pytest.mark.parametrize("token", sorted(CLASSES))
def test_outputs_are_the_dynamic_classes_output_annotations(token: str) -> None:
    outputs = output_annotations(CLASSES[token])
    assert outputs, "a resource class declares its outputs"
    assert list(SCHEMA["resources"][token]["properties"]) == [camel(n) for n in outputs]


@pytest.mark.parametrize("kind", FUNCTIONS, ids=lambda k: k.name)
def test_function_arguments_are_the_data_sources_parameters(kind: Any) -> None:
    function = getattr(data_sources, kind.python)
    params = inspect.signature(function).parameters
    spec = SCHEMA["functions"][kind.token]
    assert list(spec["inputs"]["properties"]) == [camel(n) for n in params]
    # Each function is served by the request its data source makes, taking the same arguments
    # but the workspace (which picks the client).
    fetch = data_sources.FETCHERS[kind.python]
    fetched = list(inspect.signature(fetch).parameters)[1:]
    assert fetched == [n for n in params if n != "workspace"]


def test_names_are_camel_case() -> None:
    auth = SCHEMA["resources"]["fruxon:index:IntegrationAuth"]
    assert "integrationConfigId" in auth["properties"]
    config = SCHEMA["resources"]["fruxon:index:IntegrationConfig"]
    for name in ("displayName", "secretParameters"):
        assert name in config["inputProperties"]
    for name in ("configId", "publishedRevisionId", "secretParameterFingerprints"):
        assert name in config["properties"]
    assert set(SCHEMA["config"]["variables"]) == {"token", "workspace", "baseUrl", "timeout"}


def _descriptions() -> list[tuple[str, str]]:
    """(where, text) for every resource, function, property and argument."""
    found: list[tuple[str, str]] = []
    for token, resource in SCHEMA["resources"].items():
        found.append((token, resource.get("description", "")))
        for section in ("inputProperties", "properties"):
            for name, prop in resource[section].items():
                found.append((f"{token} {section} {name}", prop.get("description", "")))
    for token, function in SCHEMA["functions"].items():
        found.append((token, function.get("description", "")))
        for section in ("inputs", "outputs"):
            for name, prop in function[section]["properties"].items():
                found.append((f"{token} {section} {name}", prop.get("description", "")))
    for name, prop in SCHEMA["config"]["variables"].items():
        found.append((f"config {name}", prop.get("description", "")))
    return found


def test_every_resource_function_property_and_argument_has_a_description() -> None:
    """The text comes from the docstrings: a resource's `:param name:` lines and the attribute
    docstring after each `pulumi.Output` annotation; a data source's `:param name:` lines and
    its result's attribute docstrings; `FruxonSettings`' field docstrings."""
    missing = [where for where, text in _descriptions() if not text.strip()]
    assert missing == []


def test_descriptions_name_properties_in_camel_case() -> None:
    text = SCHEMA["resources"]["fruxon:index:IntegrationConfig"]["description"]
    assert "`secretParameterFingerprints`" in text
    assert "secret_parameter" not in text


def test_secrets_are_marked() -> None:
    resources = SCHEMA["resources"]
    assert SCHEMA["config"]["variables"]["token"]["secret"] is True
    assert SCHEMA["provider"]["inputProperties"]["token"]["secret"] is True
    auth = resources["fruxon:index:IntegrationAuth"]["inputProperties"]
    assert auth["credentialKey"]["secret"] is True
    config = resources["fruxon:index:IntegrationConfig"]
    assert config["inputProperties"]["secretParameters"]["secret"] is True
    assert config["properties"]["secretParameterFingerprints"]["secret"] is True
    urls = [
        (token, section, name, prop)
        for token, resource in resources.items()
        for section in ("inputProperties", "properties")
        for name, prop in resource[section].items()
        if name == "url"
    ]
    assert len(urls) == 2
    assert all(prop.get("secret") is True for *_, prop in urls)
    secret = {
        (token, name)
        for token, resource in resources.items()
        for section in ("inputProperties", "properties")
        for name, prop in resource[section].items()
        if prop.get("secret")
    }
    plain_names = {name for _, name in secret} - {
        "credentialKey",
        "secretParameters",
        "secretParameterFingerprints",
        "url",
    }
    assert plain_names == set(), "only what is secret is marked secret"


def test_every_type_a_function_returns_is_defined() -> None:
    refs = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/types/"):
                refs.add(ref.removeprefix("#/types/"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(SCHEMA)
    assert refs
    assert refs <= set(SCHEMA["types"])


def test_get_schema_over_grpc(start_plugin: Any) -> None:
    host: PluginHost = start_plugin()
    assert host.get_schema() == json.loads(json.dumps(SCHEMA))
    assert host.plugin_info().version == pulumi_fruxon.__version__


def test_pulumi_package_get_schema_prints_it(tmp_path: Path) -> None:
    """The CLI runs the plugin from a folder's `pulumi-resource-fruxon`, as it would any plugin."""
    pulumi = shutil.which("pulumi") or str(Path(__file__).parents[2] / ".tools/bin/pulumi")
    script = shutil.which("pulumi-resource-fruxon") or str(
        Path(sys.executable).parent / "pulumi-resource-fruxon"
    )
    if not Path(pulumi).exists() or not Path(script).exists():
        pytest.skip("needs the pulumi CLI and the installed console script")
    (tmp_path / "pulumi-resource-fruxon").symlink_to(script)
    env = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "1", "PULUMI_HOME": str(tmp_path / "home")}
    printed = subprocess.run(
        [pulumi, "package", "get-schema", str(tmp_path / "pulumi-resource-fruxon")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert json.loads(printed.stdout) == json.loads(json.dumps(SCHEMA))


def test_messages_speak_the_plugins_names() -> None:

    said = plugin_terms(
        "Move it to `secret_parameters`; replaced (integration_config_id changed); "
        "`fruxon.get_integration_configs(integration)` lists the configs; has_configs=False; "
        "an id of the form <workspace>/<integration>/<config_id>; internal_crm stays."
    )
    assert said == (
        "Move it to `secretParameters`; replaced (integrationConfigId changed); "
        "`fruxon:index:getIntegrationConfigs` lists the configs; hasConfigs=False; "
        "an id of the form <workspace>/<integration>/<config_id>; internal_crm stays."
    )
