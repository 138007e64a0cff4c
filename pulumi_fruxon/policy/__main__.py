"""`python -m pulumi_fruxon.policy`: where the `fruxon` policy pack is, and a copy to run.

    python -m pulumi_fruxon.policy new DIR [--virtualenv VENV] [--force]
        write the pack folder to DIR, bound to VENV (default: this Python's virtualenv)
    python -m pulumi_fruxon.policy path
        print the folder the package ships (PACK_DIR)

Pulumi's Python language host runs a pack in the virtualenv that its `PulumiPolicy.yaml` names,
by default a `venv` folder inside the pack. The folder the package ships names none (it is the
shape `pulumi policy publish` wants); `new` writes one that names a virtualenv where
`pulumi-fruxon[policy]` is installed, relative to DIR, so the folder can live in the project.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from pulumi_fruxon._version import __version__
from pulumi_fruxon.policy import PACK_DIR

PROG = "python -m pulumi_fruxon.policy"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("path", help="print the folder of the pack the package ships")
    new = commands.add_parser("new", help="write the pack folder, bound to a virtualenv")
    new.add_argument("dir", type=Path, help="the folder to write (created if missing)")
    new.add_argument(
        "--virtualenv",
        type=Path,
        default=None,
        help="the virtualenv the pack runs in (default: this Python's)",
    )
    new.add_argument("--force", action="store_true", help="overwrite an existing pack there")
    args = parser.parse_args(argv)

    if args.command == "path":
        print(PACK_DIR)
        return 0
    return write_pack(args.dir, args.virtualenv, force=args.force)


def write_pack(target: Path, virtualenv: Path | None, *, force: bool = False) -> int:
    """Copy the pack to `target`, its `PulumiPolicy.yaml` naming `virtualenv`."""
    if virtualenv is None:
        if sys.prefix == sys.base_prefix:
            print(
                f"{PROG}: this Python ({sys.executable}) is not in a virtualenv; pass "
                "--virtualenv with one that has pulumi-fruxon[policy] installed.",
                file=sys.stderr,
            )
            return 2
        virtualenv = Path(sys.prefix)
        if importlib.util.find_spec("pulumi_policy") is None:
            print(
                f"{PROG}: warning: {virtualenv} lacks Pulumi's policy SDK; install it with "
                f"`{sys.executable} -m pip install 'pulumi-fruxon[policy]'`.",
                file=sys.stderr,
            )
    manifest = target / "PulumiPolicy.yaml"
    if manifest.exists() and not force:
        print(f"{PROG}: {manifest} exists; pass --force to overwrite it.", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PACK_DIR / "__main__.py", target / "__main__.py")
    (target / "requirements.txt").write_text(f"pulumi-fruxon[policy]=={__version__}\n")
    venv = virtualenv.resolve()
    try:
        named = os.path.relpath(venv, target.resolve())
    except ValueError:  # another drive (Windows)
        named = str(venv)
    description = _description()
    manifest.write_text(
        f"# Written by `{PROG} new` (pulumi-fruxon {__version__}).\n"
        f"description: {description}\n"
        f"version: {__version__}\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        f"    virtualenv: {_yaml_string(named)}\n"
    )
    print(target)
    print(f"Run: pulumi preview --policy-pack {target}", file=sys.stderr)
    return 0


def _description() -> str:
    for line in (PACK_DIR / "PulumiPolicy.yaml").read_text().splitlines():
        if line.startswith("description:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("the shipped PulumiPolicy.yaml has no description")


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    import json

    return json.dumps(value)


if __name__ == "__main__":
    sys.exit(main())
