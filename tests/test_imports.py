"""`import pulumi_fruxon`, and what the provider host does for `check` and `diff`, load neither
httpx nor pydantic: both wait for the first client or model. A correctness guard, not a timing
test (bench/import_time.py times the imports)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider

HEAVY = ("httpx", "pydantic", "pydantic_core")
CONFIG_ID = "0b6f1f0e-7c1a-4a59-9d43-3f2b8f6b1c11"
KEY = "fx_ck_single-use"

# Per provider: the inputs `check` gets, and the outputs of the last `up` that `diff` compares
# them with (unchanged, so each diff must say "no changes").
CASES: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {
    "IntegrationAuth": (
        IntegrationAuthProvider(),
        {"integration": "salesforce", "integration_config_id": CONFIG_ID, "credential_key": KEY},
        {
            "integration": "salesforce",
            "integration_config_id": CONFIG_ID,
            "workspace": "demo",
            "credential_fingerprint": fingerprint(KEY),
            "publish": True,
            "publish_note": None,
            "live": True,
        },
    ),
    "IntegrationConfig": (
        IntegrationConfigProvider(),
        {
            "integration": "salesforce",
            "display_name": "Salesforce prod",
            "parameters": {"instance_url": "https://example.my.salesforce.com"},
            "secret_parameters": {"client_secret": "s3cret"},
        },
        {
            "integration": "salesforce",
            "workspace": "demo",
            "display_name": "Salesforce prod",
            "parameters": {"instance_url": "https://example.my.salesforce.com"},
            "secret_parameter_fingerprints": {"client_secret": fingerprint("s3cret")},
            "publish": True,
            "publish_note": None,
            "live": True,
        },
    ),
    "CredentialLink": (
        CredentialLinkProvider(),
        {"integration": "stripe", "integration_config_id": CONFIG_ID},
        {
            "integration": "stripe",
            "integration_config_id": CONFIG_ID,
            "require_sign_in": True,
            "ttl_hours": None,
            "workspace": "demo",
            "expired": False,
            "filled": False,
        },
    ),
    "AuthorizationUrl": (
        AuthorizationUrlProvider(),
        {"integration": "salesforce", "scopes": ["api"]},
        {"integration": "salesforce", "scopes": ["api"], "workspace": "demo", "url": "https://x"},
    ),
}

# What the host does with each provider (pulumi/dynamic/__main__.py: get_provider, Check, Diff),
# in a fresh interpreter; prints what it found.
CHILD = textwrap.dedent(
    """
    import base64, json, sys

    import dill
    from pulumi.dynamic import Config, ConfigureRequest

    import pulumi_fruxon
    from pulumi_fruxon import *  # noqa: F403 -- every public name must resolve

    HEAVY = {heavy!r}
    cases = json.loads(sys.argv[1])
    config = {{"fruxon:workspace": "demo", "fruxon:token": "fx_pat_test"}}
    providers, changes = [], {{}}
    for name, (serialized, news, olds) in cases.items():
        provider = dill.loads(base64.b64decode(serialized))
        provider.configure(ConfigureRequest(Config(config, "proj")))
        checked = provider.check({{}}, news)
        assert not checked.failures, (name, checked.failures)
        changes[name] = provider.diff("id", olds, checked.inputs).changes
        providers.append(provider)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    # The first client loads them: the lazy import works.
    client = type(providers[0].client()).__name__
    print(json.dumps({{
        "loaded": loaded,
        "changes": changes,
        "client": client,
        "after_client": sorted({{m.split(".")[0] for m in sys.modules}} & set(HEAVY)),
    }}))
    """
)


def test_import_check_and_diff_load_neither_httpx_nor_pydantic() -> None:
    cases = {
        name: [serialize_provider(provider), news, olds]
        for name, (provider, news, olds) in CASES.items()
    }
    ran = subprocess.run(
        [sys.executable, "-c", CHILD.format(heavy=HEAVY), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout)

    assert found["loaded"] == []
    assert found["changes"] == dict.fromkeys(CASES, False)
    assert found["client"] == "FruxonClient"
    assert found["after_client"] == ["httpx", "pydantic", "pydantic_core"]


def test_fingerprint_is_the_sha256_a_state_keeps() -> None:
    # States written by earlier versions hold these values: the function must not change.
    assert fingerprint("x") == (
        "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    )
