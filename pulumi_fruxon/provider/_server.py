"""Serve the plugin: the port on stdout's first line, then gRPC until the engine stops us.

The engine runs `pulumi-resource-fruxon [--logtostderr] [-v=N] [--tracing URL] <engine address>`
and reads the port from the first line of stdout. As in the dynamic host, a thread watches the
engine's address and ends the process once the engine is gone (a killed `pulumi`), and log
lines go to the engine at that address (`_logs`).
"""

from __future__ import annotations

import sys
from concurrent import futures

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from pulumi_fruxon._watchdog import parse_address, watch
from pulumi_fruxon.provider._logs import connect

# As the dynamic host: four calls at once, each on its own thread.
_WORKERS = 4
# As Pulumi's own servers: messages up to 400 MB (a big state), and no idle cut-off under
# half an hour (a long `pulumi up` may leave the plugin unasked for a while).
_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.server_max_unrequested_time_in_server", 30 * 60),
]


def engine_address(args: list[str]) -> str | None:
    """The engine's `host:port` among the arguments (the flags before it are skipped)."""
    for arg in reversed(args):
        if parse_address(arg) is not None:
            return arg
    return None


def main(argv: list[str] | None = None) -> None:
    """Serve until stopped; `argv` defaults to the process's arguments."""
    from pulumi_fruxon.provider._servicer import FruxonServicer

    args = sys.argv[1:] if argv is None else argv
    address = engine_address(args)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="fruxon-rpc"),
        options=_OPTIONS,
    )
    servicer = FruxonServicer(connect(address))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    parsed = parse_address(address) if address is not None else None
    if parsed is not None:
        watch(parsed)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
