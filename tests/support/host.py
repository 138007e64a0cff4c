"""The real dynamic-provider host, `python -m pulumi.dynamic`, driven over gRPC as the engine does.

`ProviderHost` is the stub engine of docs/dynamic-providers.md#testing: one RPC helper per call,
each with a timeout, and a transcript of every response and error. `Stack` plays the engine's
side for one resource — which RPCs `preview`, `up`, `refresh` and `destroy` make, and what the
engine keeps in state between them — so that tests read as CLI sessions.

How the engine fills each request (mirrored here):
- Check: `olds` = old inputs, `news` = new inputs; unknowns are sent in preview.
- Diff and Update: `olds` = old OUTPUTS, `news` = checked inputs.
- Read: `properties` = old outputs, `inputs` = old inputs. An empty id means "gone".
- Delete: `properties` = old outputs.
- No secret wrappers reach CRUD calls: the host answers Configure with acceptSecrets=False.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

import pulumi_fruxon

REPO = Path(__file__).resolve().parents[2]
# Where this process imported the package under test from: the repository for an editable install
# or a bare checkout, site-packages when the nox `wheel` session installed the built wheel. Host
# subprocesses must import that same copy, never the source tree beside the tests.
PACKAGE_ROOT = Path(pulumi_fruxon.__file__).resolve().parents[1]
RPC_TIMEOUT = 30.0
START_TIMEOUT = 30.0
PROJECT = "proj"
PROVIDER_KEY = "__provider"

INTEGRATION_AUTH = "pulumi-python:dynamic/fruxon:IntegrationAuth"
AUTHORIZATION_URL = "pulumi-python:dynamic/fruxon:AuthorizationUrl"
INTEGRATION_CONFIG = "pulumi-python:dynamic/fruxon:IntegrationConfig"
CREDENTIAL_LINK = "pulumi-python:dynamic/fruxon:CredentialLink"

# What the engine knows about each type: its secret inputs (the resource class wraps them) and
# `additional_secret_outputs` (the resource class merges them into its options).
SECRET_INPUTS = {
    INTEGRATION_AUTH: {"credential_key", PROVIDER_KEY},
    AUTHORIZATION_URL: {PROVIDER_KEY},
    INTEGRATION_CONFIG: {"secret_parameters", PROVIDER_KEY},
    CREDENTIAL_LINK: {PROVIDER_KEY},
}
ADDITIONAL_SECRET_OUTPUTS = {
    INTEGRATION_AUTH: {"credential_key"},
    AUTHORIZATION_URL: {"url"},
    INTEGRATION_CONFIG: {"secret_parameters"},
    CREDENTIAL_LINK: {"url"},
}


class HostError(Exception):
    """A gRPC call failed. The engine reports gRPC UNKNOWN as "operation failed"."""

    def __init__(
        self, method: str, code: grpc.StatusCode, details: str, status_details: bytes = b""
    ) -> None:
        super().__init__(f"{method}: {code.name}: {details}")
        self.method = method
        self.code = code
        self.details = details
        # The serialized google.rpc.Status of the trailers (`grpc-status-details-bin`), if any.
        self.status_details = status_details


def serialize(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Engine-style marshalling of a plain property dict."""
    # A private loop: asyncio.run() would unset the thread's current loop on exit, which breaks
    # `pulumi.runtime.test` in later tests of the same process.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def deserialize(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


def secret(value: Any) -> dict[str, Any]:
    """The wire form of a secret value (only Configure receives these)."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def program_inputs(provider: Any, **props: Any) -> dict[str, Any]:
    """What a resource registers: its props plus `__provider`, exactly as `Resource` pickles it."""
    return {
        **{k: v for k, v in props.items() if v is not None},
        PROVIDER_KEY: serialize_provider(provider),
    }


def installed_in_site_packages() -> bool:
    """Whether the package under test is installed (not a checkout put on the path)."""
    site_dirs = {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}
    return PACKAGE_ROOT in {Path(d).resolve() for d in site_dirs}


def import_path() -> dict[str, str]:
    """PYTHONPATH for a subprocess of this interpreter to import the package under test from
    `PACKAGE_ROOT`: empty when the interpreter finds it anyway (site-packages)."""
    return {} if installed_in_site_packages() else {"PYTHONPATH": str(PACKAGE_ROOT)}


def clean_env(**extra: str) -> dict[str, str]:
    """The host's environment: no FRUXON_* unless given, the package under test importable."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        # IntegrationAuth's consume journal (tests/conftest.py points it at a temporary folder).
        "FRUXON_STATE_DIR": os.environ.get("FRUXON_STATE_DIR", ""),
        **import_path(),
        "PULUMI_PROJECT": PROJECT,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    env.update(extra)
    return env


def spawn_python(
    args: list[str], env: Mapping[str, str], cwd: str, **popen: Any
) -> subprocess.Popen[bytes]:
    """`python ARGS` as the host runs: this interpreter, in `cwd`, which should be an empty folder
    (`python -m` and `-c` put the working folder first on sys.path, where a source tree would
    shadow the installed package)."""
    return subprocess.Popen([sys.executable, *args], env=dict(env), cwd=cwd, **popen)


@dataclass
class Checked:
    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass
class Diffed:
    changes: str  # "none" | "some" | "unknown"
    replaces: list[str]
    delete_before_replace: bool


@dataclass
class ReadBack:
    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None  # None: the provider returned no inputs


_CHANGES = {
    provider_pb2.DiffResponse.DIFF_NONE: "none",
    provider_pb2.DiffResponse.DIFF_SOME: "some",
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "unknown",
}


class ProviderHost:
    """`python -u -m pulumi.dynamic` in a subprocess, with a gRPC stub and a transcript."""

    def __init__(
        self, env: Mapping[str, str] | None = None, engine_address: str = "engine-address-ignored"
    ) -> None:
        self.env = dict(env) if env is not None else clean_env()
        self.engine_address = engine_address
        self.transcript: list[tuple[str, Any]] = []
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._cwd = tempfile.TemporaryDirectory(prefix="provider-host-")
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None

    # -- life cycle ---------------------------------------------------------------------------

    # What `start` runs: the dynamic host (tests/support/plugin.py runs the provider plugin).
    module = "pulumi.dynamic"
    # Set by `start`, for bench/plugin_startup.py: seconds from the spawn to the port line read.
    port_seconds = 0.0

    def command(self) -> list[str]:
        """What `start` spawns, before the engine's address: this interpreter, `-u -m module`
        (a benchmark overrides it to start a console script)."""
        return [sys.executable, "-u", "-m", self.module]

    def start(self) -> ProviderHost:
        spawned = time.perf_counter()
        self._proc = subprocess.Popen(
            [*self.command(), self.engine_address],
            env=self.env,
            cwd=self._cwd.name,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        assert self._proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=START_TIMEOUT):
                raise RuntimeError(f"the host printed no port in {START_TIMEOUT}s: {self.stderr}")
        line = self._proc.stdout.readline()
        self.port_seconds = time.perf_counter() - spawned
        if not line.strip():
            raise RuntimeError(f"the host exited before printing a port: {self.stderr}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
        grpc.channel_ready_future(self._channel).result(timeout=START_TIMEOUT)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        return self

    def exited(self) -> bool:
        """Whether the host process has ended (by itself, or by `close`)."""
        return self._proc is not None and self._proc.poll() is not None

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()
        self._cwd.cleanup()

    @property
    def stderr(self) -> str:
        if self._stderr.closed:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    # -- RPCs ---------------------------------------------------------------------------------

    def property_name(self, name: str) -> str:
        """A property's name as this door's messages spell it (the plugin: camelCase)."""
        return name

    def _call(self, method: str, request: Any) -> Any:
        assert self._stub is not None, "start() the host first"
        try:
            response = getattr(self._stub, method)(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as exc:
            trailers = dict(exc.trailing_metadata() or ())
            error = HostError(
                method,
                exc.code(),
                exc.details() or "",
                trailers.get("grpc-status-details-bin", b""),
            )
            self.transcript.append((method, error))
            raise error from None
        self.transcript.append((method, response))
        return response

    def configure(self, config: Mapping[str, str], secret_keys: Iterable[str] = ()) -> Any:
        """Send the whole stack config, namespaces kept, secrets wrapped (as the engine does)."""
        keys = set(secret_keys)
        args = {k: secret(v) if k in keys else v for k, v in config.items()}
        return self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                args=serialize(args), acceptSecrets=True, acceptResources=True
            ),
        )

    def _resource_call(self, method: str, type_: str, **fields: Any) -> Any:
        """A resource RPC: `fields` (Structs already serialized) plus the resource's address."""
        request = getattr(provider_pb2, f"{method}Request")
        return self._call(method, request(urn=_urn(type_), type=type_, name="res", **fields))

    def check(
        self, type_: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> Checked:
        response = self._resource_call(
            "Check", type_, olds=serialize(olds or {}), news=serialize(news)
        )
        failures = [(f.property, f.reason) for f in response.failures]
        return Checked(deserialize(response.inputs), failures)

    def diff(
        self, type_: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> Diffed:
        response = self._resource_call(
            "Diff", type_, id=id_, olds=serialize(olds), news=serialize(news)
        )
        return Diffed(
            _CHANGES[response.changes], list(response.replaces), response.deleteBeforeReplace
        )

    def create(self, type_: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._resource_call("Create", type_, properties=serialize(inputs))
        return response.id, deserialize(response.properties)

    def read(
        self, type_: str, id_: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> ReadBack:
        response = self._resource_call(
            "Read", type_, id=id_, properties=serialize(outputs), inputs=serialize(inputs)
        )
        returned_inputs = deserialize(response.inputs) if response.HasField("inputs") else None
        return ReadBack(response.id, deserialize(response.properties), returned_inputs)

    def update(
        self,
        type_: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any],
    ) -> dict[str, Any]:
        response = self._resource_call(
            "Update",
            type_,
            id=id_,
            olds=serialize(olds),
            news=serialize(news),
            old_inputs=serialize(old_inputs),
        )
        return deserialize(response.properties)

    def delete(
        self, type_: str, id_: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> None:
        self._resource_call(
            "Delete", type_, id=id_, properties=serialize(outputs), old_inputs=serialize(inputs)
        )

    def previewed(self, type_: str, op: str, inputs: dict[str, Any], state: Any) -> None:
        """What the engine sends after a preview's plan: nothing to the dynamic host, which does
        not support previews."""

    def plugin_info(self) -> Any:
        return self._call("GetPluginInfo", empty_pb2.Empty())

    # -- what the host produced ---------------------------------------------------------------

    def produced_text(self, *, except_check_inputs: Iterable[str] = ()) -> str:
        """Every response, error and stderr line, as text. `except_check_inputs` drops those
        input keys from Check responses: inputs are stored (encrypted) by design."""
        dropped = set(except_check_inputs)
        parts: list[str] = []
        for method, item in self.transcript:
            if method == "Check" and not isinstance(item, HostError) and dropped:
                inputs = {k: v for k, v in deserialize(item.inputs).items() if k not in dropped}
                parts.append(repr(inputs))
                parts.append(repr([(f.property, f.reason) for f in item.failures]))
            else:
                parts.append(str(item))
        parts.append(self.stderr)
        return "\n".join(parts)


def _urn(type_: str) -> str:
    return f"urn:pulumi:stack::{PROJECT}::{type_}::res"


# -- the engine's side ------------------------------------------------------------------------


@dataclass
class State:
    """What the engine keeps for one resource."""

    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    secret_outputs: set[str] = field(default_factory=set)


class Stack:
    """One resource of one stack, driven through the host the way the CLI drives it."""

    def __init__(self, host: ProviderHost, type_: str) -> None:
        self.host = host
        self.type = type_
        self.state: State | None = None
        self.deleted: list[State] = []

    def preview(self, news: Mapping[str, Any]) -> str:
        """`pulumi preview`: Check, then Diff for a resource in state. The dynamic host gets no
        Create or Update; a provider that supports previews gets them with `preview` set."""
        op, checked, _ = self._plan(news)
        self.host.previewed(self.type, op, checked.inputs, self.state)
        return op

    def up(self, news: Mapping[str, Any]) -> str:
        """`pulumi up`: the plan, then Create / Update / replace (create, then delete the old)."""
        op, checked, diffed = self._plan(news)
        if op == "create":
            self.state = self._create(checked.inputs)
        elif op == "same":
            # SameStep: the outputs stay; the new inputs are stored.
            assert self.state is not None
            self.state.inputs = checked.inputs
        elif op == "replace":
            old = self.state
            assert old is not None and diffed is not None
            # A replacement Checks again with no olds (step_generator.go), then creates.
            rechecked = self._check(news, {})
            if diffed.delete_before_replace:
                self._delete(old)
                self.state = self._create(rechecked.inputs)
            else:
                self.state = self._create(rechecked.inputs)
                self._delete(old)
        elif op == "update":
            old = self.state
            assert old is not None
            outs = self.host.update(self.type, old.id, old.outputs, checked.inputs, old.inputs)
            self.state = State(old.id, checked.inputs, outs, self._secrets(outs, checked.inputs))
        return op

    def refresh(self) -> str:
        """`pulumi refresh`: Read, then the refresh diff (olds=refreshed outs, news=old inputs)."""
        old = self.state
        assert old is not None
        read = self.host.read(self.type, old.id, old.outputs, old.inputs)
        if not read.id:
            self.state = None
            return "deleted"
        # The engine keeps the stored inputs unless Read returned some (deploy/step.go).
        inputs = read.inputs if read.inputs is not None else old.inputs
        diffed = self.host.diff(self.type, read.id, read.outputs, old.inputs)
        self.state = State(read.id, inputs, read.outputs, self._secrets(read.outputs, inputs))
        return "same" if diffed.changes == "none" else "update"

    def destroy(self) -> None:
        assert self.state is not None
        self._delete(self.state)
        self.state = None

    # -- plumbing -----------------------------------------------------------------------------

    def _check(self, news: Mapping[str, Any], olds: Mapping[str, Any]) -> Checked:
        checked = self.host.check(self.type, news, olds)
        if checked.failures:
            raise AssertionError(f"Check failed: {checked.failures}")
        return checked

    def _plan(self, news: Mapping[str, Any]) -> tuple[str, Checked, Diffed | None]:
        old = self.state
        checked = self._check(news, old.inputs if old else {})
        if old is None:
            return "create", checked, None
        diffed = self.host.diff(self.type, old.id, old.outputs, checked.inputs)
        if diffed.changes == "none":
            return "same", checked, diffed
        if diffed.changes == "unknown":
            # The engine's own comparison: old inputs against new inputs; never a replace.
            same = _without_provider(old.inputs) == _without_provider(checked.inputs)
            return ("same" if same else "update"), checked, diffed
        return ("replace" if diffed.replaces else "update"), checked, diffed

    def _create(self, inputs: dict[str, Any]) -> State:
        id_, outs = self.host.create(self.type, inputs)
        assert id_, "Create returned an empty id"
        return State(id_, inputs, outs, self._secrets(outs, inputs))

    def _delete(self, state: State) -> None:
        self.host.delete(self.type, state.id, state.outputs, state.inputs)
        self.deleted.append(state)

    def _secrets(self, outs: Mapping[str, Any], inputs: Mapping[str, Any]) -> set[str]:
        """annotateSecrets (same-key outputs of secret inputs) plus additional_secret_outputs."""
        secret_inputs = SECRET_INPUTS.get(self.type, set()) & set(inputs)
        marked = secret_inputs | ADDITIONAL_SECRET_OUTPUTS.get(self.type, set())
        return {k for k in outs if k in marked}


def _without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


@contextlib.contextmanager
def running_host(env: Mapping[str, str] | None = None) -> Any:
    """A started host, closed on exit (for scripts such as the benchmark)."""
    host = ProviderHost(env).start()
    try:
        yield host
    finally:
        host.close()


def stack_config(fx: Any) -> dict[str, str]:
    """A stack config that points `fruxon:*` at an emulator, with unrelated keys as the CLI sends
    the whole config to dynamic providers (docs/dynamic-providers.md#configure)."""
    return {
        "fruxon:token": fx.token,
        "fruxon:baseUrl": fx.base_url,
        "fruxon:workspace": fx.workspace,
        f"{PROJECT}:integration": "salesforce",
        "aws:region": "eu-west-1",
    }
