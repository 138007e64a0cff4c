"""`FruxonServicer`: the engine's ResourceProvider calls, adapted to the dynamic door's providers.

Each call's log lines go to the engine under its resource (`_logs`). Each resource call
converts the request at the edge (`_values`), calls the very provider object
the dynamic host calls (`check`, `diff`, `create`, `read`, `update`, `delete` on plain
snake_case dicts), and converts the answer back. Each function call is the request its data
source makes (`_functions`). Configuration is `_config`'s. No rule of behaviour lives here.

A create or update that did part of its work raises with `FruxonError.partial`, the state to
keep; the servicer hands it to the engine as a partial failure (`ErrorResourceInitFailed`), which
the engine stores and finishes with an update on the next `pulumi up`.

The servicer is synchronous: grpc runs each call on a thread of its pool, as the dynamic host
does, so the blocking client never holds up another call.
"""

from __future__ import annotations

import contextlib
import functools
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc, status_pb2

from pulumi_fruxon import _transport
from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon._version import __version__
from pulumi_fruxon.errors import FruxonError, with_next_step
from pulumi_fruxon.provider import _config, _functions
from pulumi_fruxon.provider._catalog import RESOURCES, ResourceKind
from pulumi_fruxon.provider._logs import EngineLog, NoEngine
from pulumi_fruxon.provider._schema import (
    input_specs,
    output_names,
    plugin_terms,
    schema_json,
    secret_names,
)
from pulumi_fruxon.provider._values import Props, as_declared, camel, from_struct, to_struct

R = TypeVar("R")
_DIFF = {
    True: provider_pb2.DiffResponse.DIFF_SOME,
    False: provider_pb2.DiffResponse.DIFF_NONE,
    None: provider_pb2.DiffResponse.DIFF_UNKNOWN,
}


def _answered(method: Callable[..., R]) -> Callable[..., R]:
    """Errors as the engine shows them: a FruxonError (or a bad argument) as its message alone,
    with what to do next; anything else is a bug and keeps its traceback."""

    @functools.wraps(method)
    def call(self: FruxonServicer, request: Any, context: grpc.ServicerContext) -> R:
        try:
            with self.log.about(getattr(request, "urn", "")):
                return method(self, request, context)
        except _PartialFailure as failure:
            context.abort_with_status(failure)
        except FruxonError as error:
            context.abort(grpc.StatusCode.UNKNOWN, plugin_terms(str(with_next_step(error))))
        except _functions.BadArguments as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, plugin_terms(str(error)))
        except LookupError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(error.args[0]))
        except Exception:
            context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())
        raise AssertionError("unreachable: context.abort raises")

    return call


class FruxonServicer(provider_pb2_grpc.ResourceProviderServicer):
    """One plugin process: one provider object per resource type, configured together."""

    def __init__(self, log: EngineLog | NoEngine | None = None) -> None:
        # Where `pulumi.log` and the client's log lines go: the engine, under the call's URN.
        self.log = log or NoEngine()
        self.kinds = {kind.token: kind for kind in RESOURCES}
        self.providers: dict[str, FruxonProvider] = {
            kind.token: kind.provider() for kind in RESOURCES
        }
        # Functions need a client and nothing else of a resource's provider.
        self.functions = FruxonProvider()

    def _resource(self, token: str) -> tuple[ResourceKind, FruxonProvider]:
        if token not in self.kinds:
            raise LookupError(f"The fruxon provider has no resource type {token!r}.")
        return self.kinds[token], self.providers[token]

    # -- the plugin and its configuration ---------------------------------------------------

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=__version__)

    @_answered
    def GetSchema(self, request: Any, context: Any) -> Any:
        return provider_pb2.GetSchemaResponse(schema=schema_json())

    @_answered
    def CheckConfig(self, request: Any, context: Any) -> Any:
        failures = [
            provider_pb2.CheckFailure(property=key, reason=reason)
            for key, reason in _config.failures(request.news)
        ]
        return provider_pb2.CheckResponse(inputs=_config.checked(request.news), failures=failures)

    @_answered
    def DiffConfig(self, request: Any, context: Any) -> Any:
        changed = _config.changed(request.olds, request.news)
        # Never a replace: a new token or workspace reaches every resource through Configure,
        # and a replaced default provider would replace every resource.
        return provider_pb2.DiffResponse(changes=_DIFF[bool(changed)], diffs=changed)

    @_answered
    def Configure(self, request: Any, context: Any) -> Any:
        configure = _config.request(request)
        for provider in (*self.providers.values(), self.functions):
            provider.configure(configure)
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True, supportsPreview=True, acceptResources=False
        )

    def Cancel(self, request: Any, context: Any) -> Any:
        """The engine cancels the operation (a Ctrl-C): no request leaves this process from
        now on, so a call in flight ends at its current attempt instead of retrying, and no
        reconciliation sends a write after it."""
        _transport.CANCELLED.set()
        return empty_pb2.Empty()

    # -- resources ----------------------------------------------------------------------------

    @_answered
    def Check(self, request: Any, context: Any) -> Any:
        kind, provider = self._resource(request.type)
        olds, news = from_struct(request.olds), from_struct(request.news)
        result = provider.check(olds.values, as_declared(news.values, input_specs(kind)))
        inputs = dict(result.inputs or {})
        if not result.failures:
            provider.admit(_name(request.urn), inputs)
        failures = [
            provider_pb2.CheckFailure(property=camel(f.property), reason=plugin_terms(f.reason))
            for f in result.failures or []
        ]
        secret = news.secret | secret_names(kind)
        return provider_pb2.CheckResponse(inputs=to_struct(inputs, secret), failures=failures)

    @_answered
    def Diff(self, request: Any, context: Any) -> Any:
        _, provider = self._resource(request.type)
        olds, news = from_struct(request.olds), from_struct(request.news)
        result = provider.diff(request.id, olds.values, news.values)
        replaces = [camel(k) for k in result.replaces or []]
        # The inputs that change, when the provider names them (`Changes`): the engine shows
        # them, each against the stored output, instead of comparing old and new inputs.
        diffs = [camel(k) for k in getattr(result, "diffs", [])]
        change = provider_pb2.PropertyDiff
        detailed = {
            name: change(kind=change.UPDATE_REPLACE if name in replaces else change.UPDATE)
            for name in diffs
        }
        return provider_pb2.DiffResponse(
            changes=_DIFF[result.changes],
            replaces=replaces,
            diffs=diffs,
            detailedDiff=detailed,
            hasDetailedDiff=bool(detailed),
            deleteBeforeReplace=bool(result.delete_before_replace),
        )

    @_answered
    def Create(self, request: Any, context: Any) -> Any:
        kind, provider = self._resource(request.type)
        props = from_struct(request.properties)
        if request.preview:
            # Nothing is sent in a preview: the outputs known now are the inputs that are also
            # outputs; the engine reads the others as unknown.
            shown = {k: v for k, v in props.values.items() if k in output_names(kind)}
            return provider_pb2.CreateResponse(properties=self._outputs(kind, shown, props))
        provider.admit(_name(request.urn), props.values)
        with self._partial_failure(kind, props):
            result = provider.create(props.values)
        return provider_pb2.CreateResponse(
            id=result.id, properties=self._outputs(kind, result.outs or {}, props)
        )

    @_answered
    def Read(self, request: Any, context: Any) -> Any:
        kind, provider = self._resource(request.type)
        olds = from_struct(request.properties)
        # No stored outputs: `pulumi import`, or a resource read by id (`get`).
        importing = not olds.values
        result = provider.read(request.id, olds.values)
        if not result.id:
            return provider_pb2.ReadResponse(id="")  # gone: the engine drops it from the state
        outs = result.outs or {}
        fields: dict[str, Any] = {"id": result.id, "properties": self._outputs(kind, outs, olds)}
        inputs = provider.imported_inputs(outs) if importing else result.inputs
        if inputs is not None:
            secret = secret_names(kind) | from_struct(request.inputs).secret
            fields["inputs"] = to_struct(inputs, secret)
        return provider_pb2.ReadResponse(**fields)

    @_answered
    def Update(self, request: Any, context: Any) -> Any:
        kind, provider = self._resource(request.type)
        olds, news = from_struct(request.olds), from_struct(request.news)
        if request.preview:
            outs = self._update_preview(kind, olds.values, news.values)
        else:
            with self._partial_failure(kind, news):
                outs = provider.update(request.id, olds.values, news.values).outs or {}
        return provider_pb2.UpdateResponse(properties=self._outputs(kind, outs, news))

    @_answered
    def Delete(self, request: Any, context: Any) -> Any:
        _, provider = self._resource(request.type)
        provider.delete(request.id, from_struct(request.properties).values)
        return empty_pb2.Empty()

    # -- functions ----------------------------------------------------------------------------

    @_answered
    def Invoke(self, request: Any, context: Any) -> Any:
        result = _functions.invoke(self.functions, request.tok, request.args)
        return provider_pb2.InvokeResponse(**{"return": to_struct(result)})

    # -- plumbing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _partial_failure(self, kind: ResourceKind, given: Props) -> Iterator[None]:
        """A FruxonError that carries a partial state ends the call as the engine's partial
        failure: the error's message as the reason, the id and outputs for the state."""
        try:
            yield
        except FruxonError as error:
            if error.partial is None:
                raise
            id_, outs = error.partial
            message = plugin_terms(str(with_next_step(error)))
            detail = provider_pb2.ErrorResourceInitFailed(
                id=id_, properties=self._outputs(kind, outs, given), reasons=[message]
            )
            status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=message)
            status.details.add().Pack(detail)
            raise _PartialFailure(status) from None

    def _outputs(self, kind: ResourceKind, outs: dict[str, Any], given: Props) -> Any:
        """Outputs for the engine: the resource's secret ones wrapped, and any that came in
        secret; a secret input is never an output, but if one were, it stays secret."""
        return to_struct(outs, secret_names(kind) | given.secret)

    @staticmethod
    def _update_preview(
        kind: ResourceKind, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        """What an update's preview shows, sending nothing: the outputs an update never changes
        as they are (so that what depends on them does not preview as replaced), the new inputs,
        and the rest unknown until the update runs."""
        outs: dict[str, Any] = {}
        for name in output_names(kind):
            if name in kind.stable and name in olds:
                outs[name] = olds[name]
            elif name in news:
                outs[name] = news[name]
            else:
                outs[name] = rpc.UNKNOWN
        return outs


class _PartialFailure(Exception):
    """A call that ends as a partial failure. It is also the `grpc.Status` that
    `abort_with_status` reads: the code, the message, and the google.rpc.Status with the
    details in the trailers."""

    def __init__(self, status: Any) -> None:
        super().__init__(status.message)
        self.code = grpc.StatusCode.UNKNOWN
        self.details = status.message
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


def _name(urn: str) -> str:
    """A resource's name, the last part of its URN."""
    return urn.rsplit("::", 1)[-1]
