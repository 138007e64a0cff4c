"""The `fruxon` policy pack: guardrails that `pulumi preview --policy-pack` applies to every
Fruxon resource of a program, through either door (the dynamic resources of this package, and
the `fruxon` provider plugin's).

`PACK_DIR` is the pack as the package ships it: a standard Python policy pack folder
(`PulumiPolicy.yaml`, `__main__.py`, `requirements.txt`). Its `__main__.py` only calls `serve`;
the rules are in `_rules.py` and the policies in `_pack.py`. The pack runs in a Python that has
`pulumi-fruxon[policy]` installed: Pulumi's Python language host runs a pack in the pack folder's
virtualenv (`runtime.options.virtualenv` of its `PulumiPolicy.yaml`, by default a `venv` folder
inside it), so `python -m pulumi_fruxon.policy new DIR` writes a copy that names the virtualenv
of the Python that runs the command.

Importing this module imports nothing else: the policy SDK loads in `serve`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACK_DIR", "serve"]

PACK_DIR = Path(__file__).resolve().parent / "pack"


def serve() -> None:
    """Serve the pack to the Pulumi engine; never returns."""
    from pulumi_fruxon.policy._pack import serve as serve_pack

    serve_pack()
