"""`python -m pulumi_fruxon.testing` as a shell user runs it: real subprocesses, real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import APITimeoutError
from pulumi_fruxon.testing import FruxonEmulator

MODULE = [sys.executable, "-m", "pulumi_fruxon.testing"]
TIMEOUT = 30


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MODULE, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture
def served() -> Iterator[dict[str, Any]]:
    """`python -m pulumi_fruxon.testing serve --json` in its own process, as in a terminal."""
    process = subprocess.Popen([*MODULE, "serve", "--json"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def client_for(info: dict[str, Any]) -> FruxonClient:
    return FruxonClient(info["token"], info["workspace"], info["base_url"])


def test_approve_prints_only_a_key_that_binds(served: dict[str, Any]) -> None:
    with client_for(served) as client:
        url = client.authorize("salesforce", scopes=["api"])
        config_id = next(client.list_integration_configs("salesforce")).id

        approved = run("approve", url)

        assert approved.returncode == 0, approved.stderr
        assert approved.stderr == ""
        key = approved.stdout.removesuffix("\n")
        assert key and "\n" not in key and " " not in key  # `$(...)` captures exactly the key
        client.consume_oauth_credentials("salesforce", config_id, key)
        config = client.get_integration_config("salesforce", config_id)
    assert config.auth is not None and config.auth.granted_scopes == ["api"]


def test_approve_of_a_used_url_fails_on_stderr(emulator: FruxonEmulator) -> None:
    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        url = client.authorize("salesforce")
    assert run("approve", url).returncode == 0

    again = run("approve", url)

    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr.startswith("approve: consent failed: 400 ")
    assert "already approved" in again.stderr


def test_approve_of_an_unreachable_url_fails_in_one_line() -> None:
    with FruxonEmulator() as emulator:
        dead = f"{emulator.base_url}/oauth/consent?state=x"
    # The emulator is stopped: nothing listens on its port any more.
    failed = run("approve", dead)

    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("approve: ") and failed.stderr.count("\n") == 1
    assert "Traceback" not in failed.stderr


def test_approve_without_a_url_is_a_usage_error() -> None:
    failed = run("approve")
    assert failed.returncode == 2
    assert "usage: python -m pulumi_fruxon.testing approve" in failed.stderr


def test_serve_is_the_default_and_the_explicit_subcommand(served: dict[str, Any]) -> None:
    # `served` ran `serve --json`; tests/emulator/test_emulator.py runs the bare `--json` form.
    assert set(served) == {"base_url", "token", "workspace"}
    with client_for(served) as client:
        assert "salesforce" in [i.id for i in client.list_integrations()]


def test_help_names_both_subcommands() -> None:
    shown = run("--help")
    assert shown.returncode == 0
    assert "approve URL" in shown.stdout
    assert "--port" in shown.stdout


@pytest.mark.parametrize(("latency", "answers"), [("0", True), ("10", False)])
def test_serve_latency_delays_every_answer(latency: str, answers: bool) -> None:
    """With `--latency 10`, a read with a 2-second deadline gets no answer in time; without, it
    does. The outcome is checked, not a duration."""
    command = [*MODULE, "serve", "--json", "--latency", latency]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        with FruxonClient(
            info["token"], info["workspace"], info["base_url"], timeout=2.0
        ) as client:
            if answers:
                assert client.get_integration("salesforce").id == "salesforce"
            else:
                with pytest.raises(APITimeoutError):
                    client.get_integration("salesforce")
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
