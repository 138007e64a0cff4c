"""Log lines under the resource they concern, through the engine's Log service.

The providers write warnings with `pulumi.log` and the client its retry lines with `logging`
(the `pulumi_fruxon` logger). In the dynamic host neither has an engine to talk to, so both end
on stderr, which the CLI shows under the stack. The plugin knows the engine's address and the
URN of each call: `EngineLog` sends each line to the engine with the URN of the call the current
thread serves, so that `pulumi up` shows it under that resource. Without an engine address
(tests that start the plugin alone) lines stay on stderr.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

import grpc
from pulumi.runtime import settings
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_fruxon.provider._schema import plugin_terms

_LOG_TIMEOUT = 5.0
_SEVERITY = {
    logging.DEBUG: engine_pb2.DEBUG,
    logging.INFO: engine_pb2.INFO,
    logging.WARNING: engine_pb2.WARNING,
    logging.ERROR: engine_pb2.ERROR,
}


class EngineLog:
    """The engine's Log service, as `pulumi.log` uses it, each line given the current URN."""

    def __init__(self, address: str) -> None:
        self._stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))
        self._current = threading.local()

    @contextlib.contextmanager
    def about(self, urn: str) -> Iterator[None]:
        """Attach the lines this thread writes meanwhile to `urn`, and let `pulumi.log` reach
        the engine from this thread (its settings are per thread)."""
        settings.SETTINGS.engine = self
        self._current.urn = urn
        try:
            yield
        finally:
            self._current.urn = ""

    def Log(self, request: Any) -> None:  # the engine stub's name, which pulumi.log calls
        if not request.urn:
            request.urn = getattr(self._current, "urn", "")
        request.message = plugin_terms(request.message)
        try:
            self._stub.Log(request, timeout=_LOG_TIMEOUT)
        except grpc.RpcError:  # the engine is gone or busy: the line is not lost
            sys.stderr.write(f"{request.message}\n")

    def handler(self) -> logging.Handler:
        """A handler that sends `logging` records (the client's retry lines) the same way."""
        return _Handler(self)


class _Handler(logging.Handler):
    def __init__(self, engine: EngineLog) -> None:
        super().__init__(logging.INFO)
        self.engine = engine

    def emit(self, record: logging.LogRecord) -> None:
        severity = _SEVERITY.get(record.levelno, engine_pb2.WARNING)
        self.engine.Log(engine_pb2.LogRequest(severity=severity, message=self.format(record)))


class NoEngine:
    """Where lines go without an engine address: stderr, as in the dynamic host."""

    @contextlib.contextmanager
    def about(self, urn: str) -> Iterator[None]:
        yield


def connect(address: str | None) -> EngineLog | NoEngine:
    """The engine's log at `address` (`host:port`), with the `pulumi_fruxon` logger sent to
    it; `NoEngine` without one."""
    if address is None:
        return NoEngine()
    engine = EngineLog(address)
    logger = logging.getLogger("pulumi_fruxon")
    logger.addHandler(engine.handler())
    return engine
