"""Exit the dynamic-provider host when the Pulumi engine that started it is gone.

The engine starts `python -m pulumi.dynamic <engine address>` and normally stops it at the end
of the run. When `pulumi` itself is killed, nothing does: the host would serve forever, holding
a Fruxon client. So the first `configure` in a host starts one daemon thread that connects to
the engine's address every second, and ends the process once the engine refused twice in a row.

Whatever the host was doing then is covered like any interrupted run: a consume leaves its
journal record (`pulumi_fruxon._journal`), which the next `pulumi up` recovers from.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
import time

_ADDRESS = re.compile(r"^(?P<host>[A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")
_INTERVAL = 1.0
_MISSES = 2

_started = False
_lock = threading.Lock()


def parse_address(arg: str) -> tuple[str, int] | None:
    """`host:port` (an IPv6 host in brackets), or None for anything else."""
    match = _ADDRESS.match(arg)
    return (match["host"].strip("[]"), int(match["port"])) if match else None


def engine_address(argv: list[str]) -> tuple[str, int] | None:
    """The engine's `host:port`, when this process is the dynamic host the engine started."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) != "pulumi.dynamic.__main__":
        return None
    for arg in argv[1:]:
        address = parse_address(arg)
        if address is not None:
            return address
    return None


def engine_is_up(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=_INTERVAL):
            return True
    except OSError:
        return False


def watch_engine() -> None:
    """Start the watch, once per process; nothing outside the engine's dynamic host."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    address = engine_address(sys.argv)
    if address is not None:
        watch(address)


def watch(address: tuple[str, int]) -> None:
    """End this process once the engine at `address` refuses connections twice in a row (the
    dynamic host, and the provider plugin, which knows the engine's address itself)."""
    threading.Thread(
        target=_watch, args=(address,), name="fruxon-engine-watch", daemon=True
    ).start()


def _watch(address: tuple[str, int]) -> None:
    misses = 0
    while True:
        time.sleep(_INTERVAL)
        misses = 0 if engine_is_up(address) else misses + 1
        if misses >= _MISSES:
            try:  # the engine read our stderr: with it gone, the write may fail (EPIPE)
                sys.stderr.write("pulumi-fruxon: the Pulumi engine is gone; the provider exits.\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os._exit(1)
