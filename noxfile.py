"""The test sessions (https://nox.thea.codes). `make test` runs the linters, then all of them.

- `tests-3.10` to `tests-3.13`: the unit, emulator, data-source, provider, host and example
  layers (everything under tests/ but tests/e2e, tests/sdks and the fault matrix in
  tests/reliability) on each supported Python, against an editable install.
- `wheel`: builds the sdist and the wheel (`python -m build`, `twine check`), installs the wheel
  into a new virtualenv and runs every layer but e2e and sdks against it from outside the
  repository, where the source tree cannot shadow it: the fault matrix and the checks of what
  the two artifacts hold included. On the Python that runs nox it stands for that Python's
  `tests` session, which `make test` therefore leaves out (the same tests, run twice, cost
  minutes).
- `e2e`: tests/e2e, the real Pulumi CLI (scripts/install-pulumi finds or builds it), once, on the
  Python that runs nox.
- `sdks`: tests/sdks, the TypeScript, Go and Python SDKs generated from the package schema
  compile (Go, Node.js and npm; `scripts/install-pulumi sdkgen` builds the generator), once.
- `oldest-pulumi`: tests/plugin with the oldest `pulumi` SDK pyproject.toml accepts, whose
  modules the plugin imports (the gRPC stubs, `rpc`), once.

`nox -s tests-3.12` runs one Python, `nox -s tests` the matrix; arguments after `--` go to pytest.
A Python missing from this machine skips its session with nox's message, except with CI=true,
where that fails the run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

# The Pythons the package claims: pyproject.toml has one classifier for each (a test checks).
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# The Python running nox; `make test` runs nox from .venv, made with `python3`.
DEFAULT_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

ROOT = Path(__file__).resolve().parent
# The floor of `pulumi>=...` in pyproject.toml (a test keeps the two equal).
OLDEST_PULUMI = "3.216.0"
TESTS = ROOT / "tests"
# Every session ends with its slowest tests, so that where the time goes is one run away.
DURATIONS = "--durations=15"
# The folder holding the built sdist and wheel; tests/packaging reads it from this variable.
DIST_VARIABLE = "PULUMI_FRUXON_DIST"


def _find_pyenv_pythons() -> None:
    """Let nox find every Python of the matrix that pyenv installed, active or not.

    pyenv keeps them all under $PYENV_ROOT/versions but its shims answer only for the active ones
    (`pyenv global`), and nox, like pyenv, looks no further. The newest installed patch release
    of each goes at the END of PATH: it fills a gap and shadows nothing.
    """
    versions = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    folders = []
    for python in PYTHONS:
        found = [exe for exe in versions.glob(f"{python}.*/bin/python{python}") if exe.is_file()]
        if found:
            newest = max(found, key=lambda exe: int(exe.parents[1].name.split(".")[2]))
            folders.append(str(newest.parent))
    os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *folders])


_find_pyenv_pythons()

# uv creates and fills the virtualenvs in seconds, from one download cache shared by all of them;
# without uv, nox falls back to virtualenv and pip.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = os.environ.get("CI", "").lower() in {"true", "1"}
# What a bare `nox` runs; `make test` runs `e2e` beside them (see the Makefile), and
# `nox -s <session>` runs any one.
nox.options.sessions = [
    *(f"tests-{python}" for python in PYTHONS if python != DEFAULT_PYTHON),
    "wheel",
    "sdks",
    "oldest-pulumi",
]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The unit, emulator, data-source, provider, host and example layers, on one Python."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "-q",
        DURATIONS,
        str(TESTS),
        f"--ignore={TESTS / 'e2e'}",
        f"--ignore={TESTS / 'reliability'}",
        f"--ignore={TESTS / 'sdks'}",
        *session.posargs,
    )


@nox.session(python=DEFAULT_PYTHON, reuse_venv=False)
def wheel(session: nox.Session) -> None:
    """The same layers against the installed wheel, and what the sdist and the wheel hold."""
    tmp = Path(session.create_tmp()).resolve()
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.install("build", "twine")
    # The sdist first, then the wheel built from the unpacked sdist: a file missing from the sdist
    # breaks the wheel too.
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    artifacts = sorted(dist.iterdir())
    session.run("twine", "check", "--strict", *map(str, artifacts))
    (built,) = (path for path in artifacts if path.suffix == ".whl")
    session.install(f"pulumi-fruxon[test] @ {built.as_uri()}")
    # From an empty folder, with importlib imports (no rootdir put on sys.path), the tests import
    # the installed wheel; tests/support/host.py starts its subprocesses from the same copy.
    session.chdir(tmp)
    session.run(
        "pytest",
        "-q",
        DURATIONS,
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        str(TESTS),
        f"--ignore={TESTS / 'e2e'}",
        f"--ignore={TESTS / 'sdks'}",
        *session.posargs,
        env={DIST_VARIABLE: str(dist)},
    )


@nox.session(python=DEFAULT_PYTHON)
def e2e(session: nox.Session) -> None:
    """tests/e2e: programs run by the real Pulumi CLI against the emulator."""
    session.install("-e", ".[test]")
    # Finds the CLI, or waits for the build that .ci/run started, or builds it (minutes, once).
    # The YAML host's test asks for it itself, so the YAML build overlaps the Python programs.
    session.run(str(ROOT / "scripts" / "install-pulumi"), "cli", external=True)
    session.run("pytest", "-q", DURATIONS, str(TESTS / "e2e"), *session.posargs)


@nox.session(python=DEFAULT_PYTHON)
def sdks(session: nox.Session) -> None:
    """tests/sdks: the SDKs generated from the package schema compile (tsc, go vet, import)."""
    # pip installs the generated Python SDK (uv's virtualenvs come without it).
    session.install("-e", ".[test]", "pip")
    # Builds gen-sdks, or waits for the build that .ci/run started (seconds after the CLI's).
    session.run(str(ROOT / "scripts" / "install-pulumi"), "sdkgen", external=True)
    session.run("pytest", "-q", DURATIONS, "-m", "sdks", str(TESTS / "sdks"), *session.posargs)


@nox.session(name="oldest-pulumi", python=DEFAULT_PYTHON)
def oldest_pulumi(session: nox.Session) -> None:
    """tests/plugin on the floor of the `pulumi` range in pyproject.toml."""
    session.install("-e", ".[test]", f"pulumi=={OLDEST_PULUMI}")
    session.run("pytest", "-q", DURATIONS, str(TESTS / "plugin"), *session.posargs)
