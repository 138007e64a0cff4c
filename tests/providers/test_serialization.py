"""What `Resource` pickles into `__provider`: by reference, tiny, no token.

Layer 4 of docs/architecture.md#tests."""

from __future__ import annotations

import base64
import copyreg
import io
import os
import pickle
import pickletools
import subprocess
import sys
from pathlib import Path

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import import_path

PROVIDERS = [
    (IntegrationAuthProvider, "pulumi_fruxon.integration_auth", "IntegrationAuthProvider"),
    (AuthorizationUrlProvider, "pulumi_fruxon.authorization_url", "AuthorizationUrlProvider"),
    (CredentialLinkProvider, "pulumi_fruxon.credential_link", "CredentialLinkProvider"),
    (IntegrationConfigProvider, "pulumi_fruxon.integration_config", "IntegrationConfigProvider"),
]


def configured(cls: type[FruxonProvider], fx: FruxonEmulator) -> FruxonProvider:
    provider = cls()
    config = {"fruxon:token": fx.token, "fruxon:baseUrl": fx.base_url, "fruxon:workspace": "demo"}
    provider.configure(ConfigureRequest(Config(config, "proj")))
    return provider


def opcodes(pickled: bytes) -> list[str]:
    return [op.name for op, _, _ in pickletools.genops(pickled)]


@pytest.mark.parametrize(("cls", "module", "name"), PROVIDERS)
def test_pickled_by_reference_small_and_deterministic(
    cls: type[FruxonProvider], module: str, name: str
) -> None:
    serialized = serialize_provider(cls())
    pickled = base64.b64decode(serialized)

    # By reference: the module path and class name (a state format), and no code objects, which
    # dill emits only for by-value classes.
    assert module.encode() in pickled and name.encode() in pickled
    assert b"_create_type" not in pickled and b"_create_code" not in pickled
    # No state at all: not even an empty dict (see the next test).
    assert "BUILD" not in opcodes(pickled)
    assert len(serialized) < 1024
    assert serialize_provider(cls()) == serialized


@pytest.mark.parametrize(("cls", "module", "name"), PROVIDERS)
def test_no_token_in_the_pickle_after_configure_and_use(
    cls: type[FruxonProvider], module: str, name: str, emulator: FruxonEmulator
) -> None:
    provider = configured(cls, emulator)
    provider.client()  # a live httpx client must not be pickled either

    serialized = serialize_provider(provider)
    pickled = base64.b64decode(serialized)

    assert emulator.token.encode() not in pickled
    assert emulator.base_url.encode() not in pickled
    assert serialized == serialize_provider(cls())
    assert dill.loads(pickled).__dict__ == {}


def test_a_program_of_thousands_of_resources_pickles_them_all() -> None:
    # Pulumi's serialize_provider wraps pickle's `_batch_setitems` again on every call and never
    # unwraps it; a provider state that is a dict went through that chain, and the 985th
    # resource of a program failed with RecursionError. With no state, nothing reaches it.
    serialized = {serialize_provider(IntegrationConfigProvider()) for _ in range(1500)}
    assert len(serialized) == 1


@pytest.mark.parametrize(("cls", "module", "name"), PROVIDERS)
def test_a_pickle_with_the_old_empty_state_still_loads(
    cls: type[FruxonProvider], module: str, name: str
) -> None:
    class EarlierVersion(pickle.Pickler):
        """Pickles a provider as versions before 0.1.0 did: by reference, with state `{}`."""

        def reducer_override(self, obj: object) -> object:
            if isinstance(obj, FruxonProvider):
                return (copyreg.__newobj__, (type(obj),), {})
            return NotImplemented

    buffer = io.BytesIO()
    EarlierVersion(buffer, protocol=pickle.DEFAULT_PROTOCOL).dump(cls())
    pickled = buffer.getvalue()
    assert "BUILD" in opcodes(pickled)
    loaded = dill.loads(pickled)
    assert type(loaded) is cls and loaded.__dict__ == {}


def test_setstate_drops_anything_not_allow_listed() -> None:
    provider = IntegrationAuthProvider.__new__(IntegrationAuthProvider)
    provider.__setstate__({"_token": "fx_pat_old", "_settings": "stale"})
    assert provider.__dict__ == {}
    # Class-level defaults stand in for runtime attributes an old pickle never had.
    assert provider.configured_workspace is None
    assert provider.check({}, {"integration": "x"}).failures


@pytest.mark.parametrize(("cls", "module", "name"), PROVIDERS)
def test_unpickles_in_a_fresh_process_with_a_clean_environment(
    cls: type[FruxonProvider], module: str, name: str, emulator: FruxonEmulator, tmp_path: Path
) -> None:
    serialized = serialize_provider(configured(cls, emulator))
    script = (
        "import base64, sys, dill\n"
        "p = dill.loads(base64.b64decode(sys.argv[1]))\n"
        "print(type(p).__module__, type(p).__name__, p.__dict__)\n"
        "print(p.check({}, {'integration': 'salesforce'}).inputs['integration'])\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), **import_path()}

    done = subprocess.run(
        [sys.executable, "-c", script, serialized],
        env=env,
        cwd=tmp_path,  # `-c` imports from the working folder first: not the source tree
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{module} {name} {{}}", "salesforce"]
