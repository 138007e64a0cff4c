"""The package schema yields SDKs that compile: TypeScript (tsc), Go (go vet) and Python (import).

`gen-sdks` (scripts/pulumi-build/cmd/gen-sdks, built by `scripts/install-pulumi sdkgen`) writes
the three SDKs of the schema that `tests/sdks/schema.py` chooses. Then:

- TypeScript: the SDK, a program that uses it (`consumer.ts`) and the README's TypeScript block
  are type-checked by `tsc` with the SDK's own compiler options, against the npm packages that
  `node/package.json` pins (installed once into .tools/sdks/node); those pins must satisfy the
  ranges the SDK's package.json declares.
- Go: the SDK module and a program that uses it (`consumer.go.tmpl`) pass `go vet`. The SDK
  requires the `sdk/v3` that scripts/pulumi-build pins, whose modules the CLI's build downloaded.
- Python: every file compiles; the package installs (pip, into a folder), imports and builds its
  resources' arguments.

The layer needs Go, Node.js and npm; without them it skips, except with CI=true, where it fails.
Run it alone with `nox -s sdks` or `pytest -m sdks tests/sdks`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sdks.schema import Schema, package_schema

pytestmark = pytest.mark.sdks

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_CACHE = REPO / ".tools" / "sdks" / "node"
IN_CI = os.environ.get("CI", "").lower() in {"true", "1"}


@dataclass(frozen=True)
class Sdks:
    root: Path  # root/nodejs, root/go, root/python
    schema: Schema


def _tool(name: str, *fallbacks: str) -> str:
    found = shutil.which(name) or next((f for f in fallbacks if os.access(f, os.X_OK)), None)
    if found is None:
        message = f"`{name}` is not installed; the SDK tests need Go, Node.js and npm"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> str:
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(args)} (in {cwd}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _install_pulumi(part: str) -> str:
    done = subprocess.run(
        [str(REPO / "scripts" / "install-pulumi"), part],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        message = f"scripts/install-pulumi {part} failed:\n{done.stderr}"
        if IN_CI or (REPO / "scripts" / "pulumi-build").is_dir():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)  # an unpacked sdist, which has no scripts/pulumi-build
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdks(tmp_path_factory: pytest.TempPathFactory) -> Sdks:
    _install_pulumi("sdkgen")
    work_dir = tmp_path_factory.mktemp("sdks")
    schema = package_schema(work_dir, lambda: _install_pulumi("cli"))
    print(f"SDKs generated from {schema.origin}")  # shown with a failure, as its setup output
    root = work_dir / "out"
    _run(
        [str(REPO / ".tools" / "bin" / "gen-sdks"), "-schema", str(schema.path), "-out", str(root)],
        work_dir,
    )
    return Sdks(root, schema)


def _node_modules(node: str, npm: str) -> Path:
    """node/package.json's packages, installed with `npm ci` once per lockfile and Node.js."""
    sources = [HERE / "node" / "package.json", HERE / "node" / "package-lock.json"]
    version = _run([node, "--version"], HERE)
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sources) + version.encode()).hexdigest()
    if (NODE_CACHE / ".stamp").is_file() and (NODE_CACHE / ".stamp").read_text() == stamp:
        return NODE_CACHE / "node_modules"
    shutil.rmtree(NODE_CACHE, ignore_errors=True)
    NODE_CACHE.mkdir(parents=True)
    for source in sources:
        shutil.copy(source, NODE_CACHE / source.name)
    # Types only: no package's install script is needed (protobufjs has one).
    _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], NODE_CACHE)
    (NODE_CACHE / ".stamp").write_text(stamp)
    return NODE_CACHE / "node_modules"


def readme_typescript() -> str:
    """The README's one TypeScript block ("Use from any language")."""
    blocks = re.findall(r"```typescript\n(.*?)```", (REPO / "README.md").read_text(), re.DOTALL)
    assert len(blocks) == 1 and 'from "@pulumi/fruxon";' in blocks[0]
    return str(blocks[0])


def test_the_typescript_sdk_type_checks(sdks: Sdks) -> None:
    node, npm = _tool("node"), _tool("npm")
    sdk = sdks.root / "nodejs"
    (sdk / "node_modules").symlink_to(_node_modules(node, npm), target_is_directory=True)

    # The pinned packages are ones the SDK's package.json accepts (semver: from @pulumi/pulumi).
    check_ranges = textwrap.dedent(
        """
        const semver = require("semver");
        const sdk = require("./package.json");
        const wanted = {...sdk.dependencies, ...sdk.devDependencies};
        const wrong = Object.entries(wanted)
            .map(([name, range]) => [name, range, require(`${name}/package.json`).version])
            .filter(([, range, version]) => !semver.satisfies(version, range));
        for (const [name, range, version] of wrong) console.log(`${name}@${version}: not ${range}`);
        process.exit(wrong.length ? 1 : 0);
        """
    )
    _run([node, "-e", check_ranges], sdk)

    # The SDK's own compiler options (strict), over every file of the SDK, the program and the
    # README's TypeScript block, which imports the SDK under the name `pulumi package add` gives.
    shutil.copy(HERE / "consumer.ts", sdk / "consumer.ts")
    (sdk / "readme.ts").write_text(readme_typescript().replace('"@pulumi/fruxon"', '"./index"'))
    files = sorted(
        p.relative_to(sdk).as_posix() for p in sdk.rglob("*.ts") if "node_modules" not in p.parts
    )
    (sdk / "tsconfig.check.json").write_text(
        json.dumps({"extends": "./tsconfig.json", "files": files})
    )
    tsc = str(sdk / "node_modules" / "typescript" / "bin" / "tsc")
    _run([node, tsc, "--noEmit", "-p", "tsconfig.check.json"], sdk)


def test_the_go_sdk_vets(sdks: Sdks) -> None:
    go = _tool("go", "/usr/local/go/bin/go")
    sdk = sdks.root / "go"
    module = re.search(r"^module\s+(\S+)", (sdk / "go.mod").read_text(), re.MULTILINE)
    assert module, f"{sdk / 'go.mod'} names no module"
    # The root package is the folder with the provider resource.
    (root,) = {p.parent for p in sdk.rglob("provider.go")}
    import_path = f"{module[1]}/{root.relative_to(sdk).as_posix()}".rstrip("/")
    consumer = (HERE / "consumer.go.tmpl").read_text().replace("SDK_IMPORT_PATH", import_path)
    (sdk / "cmd" / "consumer").mkdir(parents=True)
    (sdk / "cmd" / "consumer" / "main.go").write_text(consumer)

    env = {"GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    _run([go, "mod", "tidy"], sdk, env)
    _run([go, "vet", "./..."], sdk, env)


def test_the_python_sdk_installs_and_imports(sdks: Sdks, tmp_path: Path) -> None:
    sdk = sdks.root / "python"
    _run([sys.executable, "-m", "compileall", "-q", str(sdk)], sdk)
    (package,) = {p.parent for p in sdk.glob("*/__init__.py")}
    # Installed, not only put on sys.path: the SDK reads its own version from its installed
    # metadata. Into a folder of its own, first on sys.path.
    site = tmp_path / "site"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            ".",
        ],
        sdk,
    )
    installed = site / package.name
    program = textwrap.dedent(
        f"""
        import importlib, pathlib
        sdk = importlib.import_module({package.name!r})
        assert pathlib.Path(sdk.__file__).parent == pathlib.Path({str(installed)!r}), sdk.__file__
        args = sdk.IntegrationConfigArgs(
            integration="salesforce",
            display_name="Salesforce (production)",
            parameters={{"instanceUrl": "https://example.my.salesforce.com"}},
            secret_parameters={{"clientSecret": "s3cret"}},
            publish=True,
        )
        assert args.integration == "salesforce"
        sdk.IntegrationAuthArgs(
            integration="salesforce", integration_config_id="c1", credential_key="k"
        )
        sdk.AuthorizationUrlArgs(integration="salesforce")
        sdk.CredentialLinkArgs(integration="openai", integration_config_id="c1")
        for function in ("get_integrations", "get_integration", "get_integration_tools",
                         "get_integration_configs"):
            assert callable(getattr(sdk, function)) and callable(getattr(sdk, function + "_output"))
        assert sdk.Provider and sdk.config
        """
    )
    _run([sys.executable, "-c", program], tmp_path, {"PYTHONPATH": str(site)})
