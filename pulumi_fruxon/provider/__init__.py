"""The `fruxon` Pulumi resource provider plugin: the same providers as the dynamic door, served
to every Pulumi language (YAML, TypeScript, Go, ...) through a schema.

`pulumi-resource-fruxon` (a console script) and `python -m pulumi_fruxon.provider` serve it: the
engine starts it with its own address, reads the port from the first line of its stdout, and
calls it over gRPC. docs/architecture.md describes the two doors.
"""

from __future__ import annotations

from pulumi_fruxon.provider._server import main

__all__ = ["main"]
