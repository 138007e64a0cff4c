"""`python -m pulumi_fruxon.testing`: run the emulator, or consent to one of its URLs.

    python -m pulumi_fruxon.testing [serve] [--port N] [--json] ...   serve until SIGINT/SIGTERM
    python -m pulumi_fruxon.testing approve URL                      print the credential key

`serve` is the default, so the command without a subcommand behaves as it always did.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ._emulator import FruxonEmulator

PROG = "python -m pulumi_fruxon.testing"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch on the first argument: `approve`, `serve`, or (anything else) serve's options."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["approve"]:
        return approve(args[1:])
    if args[:1] == ["serve"]:
        args = args[1:]
    return serve(args)


def serve(argv: Sequence[str]) -> int:
    """Start, print how to connect, serve until told to stop."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} [serve]",
        description="Run a local Fruxon API emulator. "
        f"See also `{PROG} approve URL`, which consents to one of its URLs.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument(
        "--integrations", type=int, default=None, help="serve N generated integrations"
    )
    parser.add_argument("--workspace", default="demo")
    parser.add_argument("--token", default=None, help="bearer token (default: random)")
    parser.add_argument("--json", action="store_true", help="print one JSON line to stdout")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long before every response, like a distant server (e.g. 0.02)",
    )
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    emulator = FruxonEmulator(
        args.integrations, workspace=args.workspace, token=args.token, port=args.port
    )
    emulator.set_latency(args.latency)
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


def approve(argv: Sequence[str]) -> int:
    """Consent as the admin's browser would; print only the key, so `$(...)` captures it."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} approve",
        description="Open an emulator's consent URL, follow it to the success page and print the "
        "single-use credential key it shows. Only an emulator's URL works: a real provider's "
        "consent page needs a person.",
    )
    parser.add_argument("url", help="the consent URL, e.g. an AuthorizationUrl's `url` output")
    args = parser.parse_args(argv)
    try:
        key = FruxonEmulator.approve(args.url.strip())
    except (RuntimeError, ValueError, OSError) as error:
        print(f"approve: {error}", file=sys.stderr)
        return 1
    print(key, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
