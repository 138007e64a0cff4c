"""Running programs under `pulumi.runtime.set_mocks` (docs/architecture.md#tests, layer 6).

`RecordingMonitor` keeps every `RegisterResourceRequest`, so tests can see what the engine would
receive (type token, inputs with their secret wrappers, `additionalSecretOutputs`).
`HostMocks` answers `new_resource` the way the host would (docs/dynamic-providers.md#testing): it
unpickles the real `__provider`, configures it, and runs `check` and `create`, so a program's
resources reach a real emulator. Without a config it echoes the inputs as outputs instead. Like the
engine, it then marks outputs secret: same-key outputs of secret inputs, and
`additionalSecretOutputs`.
"""

from __future__ import annotations

import asyncio
import base64
import gc
from typing import Any

import dill
import pulumi
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2

PROVIDER_KEY = "__provider"


class RecordingMonitor(MockMonitor):
    """A mock monitor that keeps each resource registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[resource_pb2.RegisterResourceRequest] = []

    def RegisterResource(self, request: Any) -> Any:
        self.registrations.append(request)
        if isinstance(self.mocks, HostMocks):
            key = (request.type, request.name)
            self.mocks.additional_secret_outputs[key] = set(request.additionalSecretOutputs)
        return super().RegisterResource(request)

    @property
    def program_resources(self) -> list[resource_pb2.RegisterResourceRequest]:
        """The registrations of the program's resources (not the root stack)."""
        return [r for r in self.registrations if r.type != "pulumi:pulumi:Stack"]

    def registration(self, type_: str) -> resource_pb2.RegisterResourceRequest:
        (found,) = [r for r in self.registrations if r.type == type_]
        return found


class HostMocks(pulumi.runtime.Mocks):
    """Create dynamic resources with their real providers, as the host would."""

    def __init__(self, provider_config: dict[str, str] | None = None) -> None:
        self.provider_config = provider_config
        self.created: list[tuple[str, str, dict[str, Any]]] = []
        self.additional_secret_outputs: dict[tuple[str, str], set[str]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outs = self._create(args)
        secret = {k for k, v in args.inputs.items() if rpc.is_rpc_secret(v)}
        secret |= self.additional_secret_outputs.get((args.typ, args.name), set())
        return id_, {k: rpc.wrap_rpc_secret(v) if k in secret else v for k, v in outs.items()}

    def _create(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = {k: rpc.unwrap_rpc_secret(v) for k, v in args.inputs.items()}
        if self.provider_config is None or PROVIDER_KEY not in inputs:
            return f"{args.name}-id", inputs
        provider = dill.loads(base64.b64decode(inputs[PROVIDER_KEY]))
        provider.configure(ConfigureRequest(Config(dict(self.provider_config), "proj")))
        checked = provider.check({}, inputs)
        if checked.failures:
            raise AssertionError([(f.property, f.reason) for f in checked.failures])
        created = provider.create(checked.inputs)
        outs = {**(created.outs or {}), PROVIDER_KEY: inputs[PROVIDER_KEY]}
        self.created.append((args.typ, created.id, outs))
        return created.id, outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


def reset_runtime() -> None:
    """Undo `use_mocks` and any test config: later tests see a runtime with no engine."""
    pulumi.runtime.set_all_config({}, [])
    pulumi.runtime.settings.reset_options(
        project="project",
        stack="stack",
        root_directory="root_directory",
        organization="organization",
    )


def retrieve_failures(error: BaseException) -> int:
    """Retrieve every asyncio future that failed with `error`; return how many there were.

    When a registration fails under mocks (a refusal raised inside an `Output.apply`), Pulumi
    fails three futures for each output of the resource (its value, whether it is known, whether
    it is secret), and the output reads only the first. asyncio logs every future nobody read as
    "Future exception was never retrieved", with a full traceback, when the garbage collector
    frees it: after the test passed, or in the middle of a later one. A test that expects the
    failure reads them here, and only them: a future that failed otherwise is left alone.
    """
    found = 0
    for candidate in gc.get_objects():
        if (
            isinstance(candidate, asyncio.Future)
            and getattr(candidate, "_exception", None) is error
        ):
            candidate.exception()  # what marks a future's exception as retrieved
            found += 1
    return found


def use_mocks(
    mocks: HostMocks, *, preview: bool = False, project: str = "proj"
) -> RecordingMonitor:
    """Install `mocks` for the `@pulumi.runtime.test` functions that follow. Pair it with
    `reset_runtime()` after the test (the `reset_pulumi_runtime` fixture of tests/conftest.py)."""
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack="dev", preview=preview, monitor=monitor)
    return monitor
