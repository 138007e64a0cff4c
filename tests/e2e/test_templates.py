"""How a newcomer starts: `pulumi new` from each template under templates/, or a copy of an
example; then the project against the emulator, with the real CLI on a file backend. No network.

A new project runs with this test's virtualenv (`--runtime-options virtualenv=...`), which has
this checkout installed editable: the package under test, offline. A fresh virtualenv would have
to download pulumi, httpx and pydantic from PyPI. A copied example runs with the active
virtualenv, as its README says. Outbound HTTP goes to a dead proxy, so any attempt to reach the
network fails the test instead of passing silently.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from pulumi_fruxon.testing import FruxonEmulator
from tests.e2e.conftest import REPO

TEMPLATES = REPO / "templates"
EXAMPLES = REPO / "examples"
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing answers there


@dataclass
class Shell:
    """A terminal with the CLI first on PATH, a file backend, and FRUXON_TOKEN exported."""

    env: dict[str, str] = field(repr=False)  # it holds FRUXON_TOKEN
    cwd: Path

    def pulumi(self, *args: str) -> subprocess.CompletedProcess[str]:
        ran = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, f"pulumi {' '.join(args)}:\n{ran.stdout}\n{ran.stderr}"
        return ran

    def new(self, template: str, fx: FruxonEmulator) -> Path:
        project = self.cwd / "my-fruxon"
        self.pulumi(
            "new",
            str(TEMPLATES / template),
            "--dir",
            str(project),
            "--yes",
            "--name",
            "my-fruxon",
            "--stack",
            "dev",
            "--runtime-options",
            f"virtualenv={sys.prefix}",
            "--config",
            f"fruxon:workspace={fx.workspace}",
            "--config",
            f"fruxon:baseUrl={fx.base_url}",
        )
        self.cwd = project
        return project


@pytest.fixture
def shell(tmp_path: Path, pulumi_bin: str, emulator: FruxonEmulator) -> Iterator[Shell]:
    (tmp_path / "state").mkdir()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([pulumi_bin, os.environ["PATH"]]),
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(16),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "FRUXON_TOKEN": emulator.token,
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    for name in ("FRUXON_BASE_URL", "FRUXON_WORKSPACE", "VIRTUAL_ENV"):
        env.pop(name, None)
    yield Shell(env, tmp_path)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.iterdir()))
def test_each_template_is_complete_and_names_no_path_outside_it(template: str) -> None:
    folder = TEMPLATES / template
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    assert project["name"] == "${PROJECT}"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "venv"  # inside the new project
    config = project["template"]["config"]
    assert config["fruxon:workspace"]["description"]
    assert config["integration"]["default"] == "salesforce"
    assert "pulumi-fruxon" in (folder / "requirements.txt").read_text().split()
    assert "venv/" in (folder / ".gitignore").read_text().split()
    assert (folder / "__main__.py").is_file()


README_NEW = [
    b
    for b in re.findall(r"```sh\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    if "pulumi new" in b
]


@pytest.mark.parametrize(
    ("which", "workspace"), [(0, "my-workspace"), (1, "demo")], ids=["first", "emulator"]
)
def test_readme_pulumi_new_lines_create_the_project(
    shell: Shell, tmp_path: Path, which: int, workspace: str
) -> None:
    """The README's two `pulumi new` commands, run by bash from a clone: the first plus what a
    terminal would ask, the second (for this repository's CLI and the emulator) as written."""
    assert len(README_NEW) == 2
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "templates").symlink_to(TEMPLATES)
    if which == 0:
        command = README_NEW[0].splitlines()[0]
        command += f" --yes --stack dev --non-interactive --runtime-options virtualenv={sys.prefix}"
    else:
        (clone / ".venv").symlink_to(sys.prefix)  # what `make install` makes
        command = README_NEW[1].replace("\\\n", " ").strip() + " --stack dev --non-interactive"

    ran = subprocess.run(
        ["bash", "-euc", command],
        cwd=clone,
        env=shell.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    project = tmp_path / "my-fruxon"
    assert yaml.safe_load((project / "Pulumi.yaml").read_text())["name"] == "my-fruxon"
    config = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())["config"]
    assert config == {"fruxon:workspace": workspace, "my-fruxon:integration": "salesforce"}


def test_oauth_template_from_new_to_a_bound_stack(shell: Shell, emulator: FruxonEmulator) -> None:
    project = shell.new("fruxon-oauth-python", emulator)

    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert settings["name"] == "my-fruxon"
    assert settings["runtime"]["options"]["virtualenv"] == sys.prefix
    assert {".gitignore", "__main__.py", "requirements.txt"} <= {p.name for p in project.iterdir()}
    config = yaml.safe_load((project / "Pulumi.dev.yaml").read_text())["config"]
    assert config["my-fruxon:integration"] == "salesforce"  # the template's default
    assert config["fruxon:workspace"] == emulator.workspace

    preview = shell.pulumi("preview")
    assert "+ 3 to create" in preview.stdout  # the stack, the config, the consent URL
    assert emulator.count("createConfig") == 0 and emulator.count("authorize") == 0

    shell.pulumi("up", "--yes")
    url = shell.pulumi("stack", "output", "authorization_url", "--show-secrets").stdout.strip()
    shell.pulumi("config", "set", "--secret", "credentialKey", emulator.approve(url))
    shell.pulumi("up", "--yes")
    shell.pulumi("preview", "--expect-no-changes")

    assert shell.pulumi("stack", "output", "live").stdout.strip() == "true"
    assert emulator.count("consumeOAuthCredentials") == 1
    config_id = shell.pulumi("stack", "output", "config_id").stdout.strip()
    assert emulator.get_config(config_id)["hasAuth"] is True


def test_minimal_template_previews_with_the_catalogue(
    shell: Shell, emulator: FruxonEmulator
) -> None:
    shell.new("fruxon-python", emulator)

    preview = shell.pulumi("preview", "--diff")

    assert "+ 2 to create" in preview.stdout  # the stack and the config
    assert '"oauth2"' in preview.stdout  # the data source read the catalogue during preview
    assert emulator.count("getIntegration") == 1
    assert emulator.count("createConfig") == 0
    assert emulator.token not in preview.stdout + preview.stderr


@pytest.mark.parametrize(
    ("example", "previewed"),
    [("oauth-connection", "+ 3 to create"), ("integration-inventory", '"salesforce"')],
)
def test_an_example_copied_elsewhere_runs_with_the_active_virtualenv(
    shell: Shell, emulator: FruxonEmulator, example: str, previewed: str
) -> None:
    shell.cwd = shell.cwd / "copy"
    shutil.copytree(EXAMPLES / example, shell.cwd)
    # What `. .venv/bin/activate` does.
    shell.env["VIRTUAL_ENV"] = sys.prefix
    shell.env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), shell.env["PATH"]])
    shell.pulumi("stack", "init", "dev")
    shell.pulumi("config", "set", "fruxon:baseUrl", emulator.base_url)
    shell.pulumi("config", "set", "fruxon:workspace", emulator.workspace)

    preview = shell.pulumi("preview", "--diff")

    assert previewed in preview.stdout
    assert emulator.count("createConfig") == 0
