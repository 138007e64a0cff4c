"""`python -m pulumi_fruxon.testing`: run the emulator until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import FruxonEmulator


def main(argv: Sequence[str] | None = None) -> int:
    """Start, print how to connect, serve until told to stop."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_fruxon.testing", description="Run a local Fruxon API emulator."
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument(
        "--integrations", type=int, default=None, help="serve N generated integrations"
    )
    parser.add_argument("--workspace", default="demo")
    parser.add_argument("--token", default=None, help="bearer token (default: random)")
    parser.add_argument("--json", action="store_true", help="print one JSON line to stdout")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    emulator = FruxonEmulator(
        args.integrations, workspace=args.workspace, token=args.token, port=args.port
    )
    with emulator:
        if args.json:
            line = {
                "base_url": emulator.base_url,
                "token": emulator.token,
                "workspace": emulator.workspace,
            }
            print(json.dumps(line), flush=True)
        else:
            print(f"Fruxon emulator at {emulator.base_url}", flush=True)
            print(f"  workspace: {emulator.workspace}", flush=True)
            print(f"  token:     {emulator.token}", flush=True)
            print("Press Ctrl+C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
