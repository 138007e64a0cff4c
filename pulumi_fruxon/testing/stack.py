"""Run a Pulumi program with the real CLI against an emulator, on a throwaway local backend."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pulumi import automation as auto

from ._emulator import FruxonEmulator

__all__ = ["local_stack"]

# Stack files of the source folder hold another backend's config and secrets: never copied.
_NOT_COPIED = shutil.ignore_patterns("Pulumi.*.yaml", "__pycache__", ".venv", "venv")


@contextmanager
def local_stack(
    program: str | os.PathLike[str],
    emulator: FruxonEmulator,
    *,
    stack_name: str = "dev",
    pulumi_bin: str | os.PathLike[str] | None = None,
    config: Mapping[str, str] | None = None,
    virtualenv: str | os.PathLike[str] | None = None,
    token_in_config: bool = False,
) -> Iterator[auto.Stack]:
    """A new stack of a copy of `program`, on a file backend in a temporary folder.

    The copy runs with `virtualenv` (default: this interpreter's virtualenv) and is configured
    for `emulator`: `fruxon:baseUrl` and `fruxon:workspace` as stack config, the token as
    `FRUXON_TOKEN` in the CLI's environment. The engine keeps a copy of all stack config in the
    state of the default dynamic provider (encrypted, but readable with `--show-secrets`), so the
    environment is the way to keep the token out of state; `token_in_config=True` sets it as
    secret config `fruxon:token` instead. Secrets are encrypted with a random passphrase.
    `config` adds plain stack config. `pulumi_bin` is the folder holding `pulumi` (default: the
    one on PATH); it goes first on the engine's PATH so that the language host and plugins beside
    it are found. Everything is deleted on exit.
    """
    bin_dir = _pulumi_bin_dir(pulumi_bin)
    with tempfile.TemporaryDirectory(prefix="pulumi-fruxon-") as tmp:
        root = Path(tmp)
        work_dir = root / "program"
        shutil.copytree(program, work_dir, ignore=_NOT_COPIED)
        (root / "state").mkdir()
        env = {
            "PULUMI_BACKEND_URL": (root / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
            "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        }
        settings = {
            "fruxon:baseUrl": auto.ConfigValue(emulator.base_url),
            "fruxon:workspace": auto.ConfigValue(emulator.workspace),
            **{key: auto.ConfigValue(value) for key, value in (config or {}).items()},
        }
        if token_in_config:
            settings["fruxon:token"] = auto.ConfigValue(emulator.token, secret=True)
        else:
            env["FRUXON_TOKEN"] = emulator.token
        workspace = auto.LocalWorkspace(
            work_dir=str(work_dir),
            pulumi_home=str(root / "home"),
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=str(bin_dir.parent)),
        )
        _pin_virtualenv(workspace, virtualenv)
        stack = auto.Stack.create(stack_name, workspace)
        stack.set_all_config(settings)
        yield stack


def _pulumi_bin_dir(pulumi_bin: str | os.PathLike[str] | None) -> Path:
    if pulumi_bin is None:
        found = shutil.which("pulumi")
        if found is None:
            raise FileNotFoundError(
                "No `pulumi` on PATH. Install the Pulumi CLI (https://www.pulumi.com/docs/install/)"
                " or, in this repository, build one with `scripts/install-pulumi`."
            )
        pulumi_bin = Path(found).resolve().parent
    bin_dir = Path(pulumi_bin).resolve()
    if not (bin_dir / "pulumi").is_file() or bin_dir.name != "bin":
        raise FileNotFoundError(f"Expected a folder named `bin` holding `pulumi`, got {bin_dir}")
    return bin_dir


def _pin_virtualenv(
    workspace: auto.LocalWorkspace, virtualenv: str | os.PathLike[str] | None
) -> None:
    """Point `runtime.options.virtualenv` at an absolute path: the copy lives elsewhere."""
    settings = workspace.project_settings()
    runtime = settings.runtime
    if not isinstance(runtime, auto.ProjectRuntimeInfo):
        runtime = auto.ProjectRuntimeInfo(name=str(runtime or "python"))
    options = dict(runtime.options or {})
    if virtualenv is None and sys.prefix != sys.base_prefix:
        virtualenv = sys.prefix
    if virtualenv is None:
        options.pop("virtualenv", None)
    else:
        options["virtualenv"] = str(Path(virtualenv).resolve())
    settings.runtime = auto.ProjectRuntimeInfo(name=runtime.name, options=options)
    workspace.save_project_settings(settings)
