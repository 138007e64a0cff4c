"""The package schema the SDK tests generate from: the one place that chooses it.

`FRUXON_SDK_SCHEMA=<file>`, for trying another schema by hand; otherwise the provider plugin's:
the console script `pulumi-resource-fruxon` beside this Python (`pip install -e .` puts it in the
virtualenv) or on PATH, and what `pulumi package get-schema <plugin path>` prints, as a user of
another language gets it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VARIABLE = "FRUXON_SDK_SCHEMA"
PLUGIN = "pulumi-resource-fruxon"


@dataclass(frozen=True)
class Schema:
    path: Path
    origin: str  # what it came from, for the tests' messages


def package_schema(work_dir: Path, pulumi_bin: Callable[[], str]) -> Schema:
    """The schema to generate the SDKs from, written to a file under `work_dir` if need be.

    `pulumi_bin` gives the folder holding `pulumi`; it is called only for the plugin's schema.
    """
    chosen = os.environ.get(SCHEMA_VARIABLE)
    if chosen:
        return Schema(Path(chosen).resolve(), f"{SCHEMA_VARIABLE}={chosen}")
    plugin = find_plugin()
    if plugin is None:
        raise RuntimeError(f"{PLUGIN} is not installed: run `pip install -e .` in this virtualenv")
    return Schema(
        plugin_schema(plugin, work_dir, pulumi_bin()), f"`pulumi package get-schema {plugin}`"
    )


def find_plugin() -> Path | None:
    """`pulumi-resource-fruxon`: beside this Python (the virtualenv's bin), else on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(PLUGIN, path=path)
    return Path(found) if found else None


def plugin_schema(plugin: Path, work_dir: Path, pulumi_bin: str) -> Path:
    """What `pulumi package get-schema PLUGIN` prints, saved as work_dir/schema.json."""
    env = {
        **os.environ,
        "PATH": os.pathsep.join([pulumi_bin, str(plugin.parent), os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(work_dir / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
    }
    done = subprocess.run(
        [str(Path(pulumi_bin) / "pulumi"), "package", "get-schema", str(plugin)],
        cwd=work_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pulumi package get-schema {plugin} failed:\n{done.stderr}")
    target = work_dir / "schema.json"
    target.write_text(done.stdout)
    return target
