"""The provider plugin, `python -m pulumi_fruxon.provider`, driven over gRPC as the engine does.

`PluginHost` speaks the helper API of `ProviderHost` (tests/support/host.py), so that one
behaviour test runs through either door. It takes and returns what the dynamic door's tests use
(the dynamic type tokens, snake_case names, plain values) and sends what the engine sends a
provider plugin for a program in another language: `fruxon:index:*` tokens, camelCase names, no
`__provider`, the secret properties wrapped as secrets (an SDK generated from the schema marks
them), and, since the plugin supports previews, Create and Update with `preview` set after a
preview's plan. Answers are converted back: snake_case names, secrets unwrapped (the last answer's
secret names are kept in `secret_names`).

Plugin-only calls (`get_schema`, `invoke`, `check_config`, `diff_config`, `import_`) return what
the plugin answered, converted the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import empty_pb2, json_format
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from tests.support.host import (
    _CHANGES,
    ADDITIONAL_SECRET_OUTPUTS,
    PROJECT,
    PROVIDER_KEY,
    SECRET_INPUTS,
    Checked,
    Diffed,
    ProviderHost,
    ReadBack,
    deserialize,
    secret,
    serialize,
)

PLUGIN_TOKENS = {
    f"pulumi-python:dynamic/fruxon:{name}": f"fruxon:index:{name}"
    for name in ("IntegrationAuth", "AuthorizationUrl", "IntegrationConfig", "CredentialLink")
}


_CAMEL_WORD = re.compile(r"\b[a-z]+(?:[A-Z][a-z0-9]*)+\b")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def unwrap(value: Any) -> tuple[Any, bool]:
    """A wire value (as JSON) without secret wrappers, and whether it had one; the unknown
    sentinel stays as it is."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return unwrap(value.get("value"))[0], True
        pairs = {k: unwrap(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [unwrap(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


class PluginHost(ProviderHost):
    """`python -u -m pulumi_fruxon.provider`, with `ProviderHost`'s helpers."""

    module = "pulumi_fruxon.provider"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secret_names: set[str] = set()

    # -- conversions -------------------------------------------------------------------------

    def property_name(self, name: str) -> str:
        return camel(name)

    def _wire(self, type_: str, props: Mapping[str, Any]) -> Any:
        secrets = (
            SECRET_INPUTS.get(type_, set()) | ADDITIONAL_SECRET_OUTPUTS.get(type_, set())
        ) - {PROVIDER_KEY}
        out = {
            camel(k): secret(v) if k in secrets and not rpc.is_rpc_secret(v) else v
            for k, v in props.items()
            if k != PROVIDER_KEY and v is not None
        }
        return serialize(out)

    def _plain(self, struct: Any) -> dict[str, Any]:
        plain: dict[str, Any] = {}
        self.secret_names = set()
        for key, value in json_format.MessageToDict(struct).items():
            if value is None:
                continue
            plain[snake(key)], was_secret = unwrap(value)
            if was_secret:
                self.secret_names.add(snake(key))
        return plain

    def _resource_call(self, method: str, type_: str, **fields: Any) -> Any:
        token = PLUGIN_TOKENS.get(type_, type_)
        request = getattr(provider_pb2, f"{method}Request")
        urn = f"urn:pulumi:stack::{PROJECT}::{token}::res"
        return self._call(method, request(urn=urn, type=token, name="res", **fields))

    # -- configuration -----------------------------------------------------------------------

    def configure(self, config: Mapping[str, str], secret_keys: Iterable[str] = ()) -> Any:
        """The `fruxon:*` stack config as the engine configures a provider plugin with it: as
        `args` (the key's name, a secret wrapped) and as `variables`."""
        keys = set(secret_keys)
        ours = {k: v for k, v in config.items() if k.startswith("fruxon:")}
        args = {k.split(":", 1)[1]: secret(v) if k in keys else v for k, v in ours.items()}
        return self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                args=serialize(args), variables=ours, acceptSecrets=True, acceptResources=True
            ),
        )

    def check_config(self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None) -> Any:
        return self._call(
            "CheckConfig",
            provider_pb2.CheckRequest(
                urn="urn:pulumi:stack::proj::pulumi:providers:fruxon::default",
                olds=serialize(olds or {}),
                news=serialize(news),
            ),
        )

    def diff_config(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Any:
        return self._call(
            "DiffConfig",
            provider_pb2.DiffRequest(
                urn="urn:pulumi:stack::proj::pulumi:providers:fruxon::default",
                olds=serialize(olds),
                news=serialize(news),
                old_inputs=serialize(olds),
            ),
        )

    # -- resources ---------------------------------------------------------------------------

    def check(
        self, type_: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> Checked:
        response = self._resource_call(
            "Check", type_, olds=self._wire(type_, olds or {}), news=self._wire(type_, news)
        )
        # The plugin names properties in camelCase, in reasons too; back to the dynamic door's.
        failures = [
            (snake(f.property), _CAMEL_WORD.sub(lambda m: snake(m[0]), f.reason))
            for f in response.failures
        ]
        return Checked(self._plain(response.inputs), failures)

    def diff(
        self, type_: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> Diffed:
        response = self._resource_call(
            "Diff", type_, id=id_, olds=self._wire(type_, olds), news=self._wire(type_, news)
        )
        replaces = [snake(k) for k in response.replaces]
        return Diffed(_CHANGES[response.changes], replaces, response.deleteBeforeReplace)

    def create(self, type_: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._resource_call("Create", type_, properties=self._wire(type_, inputs))
        return response.id, self._plain(response.properties)

    def read(
        self, type_: str, id_: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> ReadBack:
        response = self._resource_call(
            "Read",
            type_,
            id=id_,
            properties=self._wire(type_, outputs),
            inputs=self._wire(type_, inputs),
        )
        returned = self._plain(response.inputs) if response.HasField("inputs") else None
        return ReadBack(response.id, self._plain(response.properties), returned)

    def import_(self, type_: str, id_: str) -> ReadBack:
        """What `pulumi import` sends: a Read with the id alone."""
        return self.read(type_, id_, {}, {})

    def update(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any],
        *,
        preview: bool = False,
    ) -> dict[str, Any]:
        response = self._resource_call(
            "Update",
            type_,
            id=id_,
            olds=self._wire(type_, olds),
            news=self._wire(type_, news),
            old_inputs=self._wire(type_, old_inputs),
            preview=preview,
        )
        return self._plain(response.properties)

    def delete(
        self, type_: str, id_: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> None:
        self._resource_call(
            "Delete",
            type_,
            id=id_,
            properties=self._wire(type_, outputs),
            old_inputs=self._wire(type_, inputs),
        )

    def create_preview(self, type_: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._resource_call(
            "Create", type_, properties=self._wire(type_, inputs), preview=True
        )
        return response.id, self._plain(response.properties)

    def previewed(self, type_: str, op: str, inputs: dict[str, Any], state: Any) -> None:
        """The engine asks a provider that supports previews for the planned outputs."""
        if op == "create":
            self.create_preview(type_, inputs)
        elif op == "update":
            self.update(type_, state.id, state.outputs, inputs, state.inputs, preview=True)

    # -- the rest ------------------------------------------------------------------------------

    def get_schema(self) -> dict[str, Any]:
        response = self._call("GetSchema", provider_pb2.GetSchemaRequest())
        schema: dict[str, Any] = json.loads(response.schema)
        return schema

    def invoke(self, token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        response = self._call(
            "Invoke", provider_pb2.InvokeRequest(tok=token, args=serialize(dict(args)))
        )
        return dict(deserialize(getattr(response, "return")))

    def cancel(self) -> Any:
        return self._call("Cancel", empty_pb2.Empty())

    def produced_text(self, *, except_check_inputs: Iterable[str] = ()) -> str:
        dropped = set(except_check_inputs)
        return super().produced_text(except_check_inputs={*dropped, *map(camel, dropped)})
