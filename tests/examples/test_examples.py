"""The example programs under mocks, their resources running their real providers against the
emulator (docs/architecture.md#tests, layer 6)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import httpx
import pulumi
import pytest

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import AUTHORIZATION_URL, INTEGRATION_AUTH, INTEGRATION_CONFIG
from tests.support.mocks import HostMocks, RecordingMonitor, use_mocks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


pytestmark = pytest.mark.usefixtures("reset_pulumi_runtime")


def run_example(
    name: str,
    fx: FruxonEmulator,
    config: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    secret_keys: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, bool], RecordingMonitor, HostMocks]:
    """Run `examples/<name>/__main__.py` as `pulumi up` would; return its exports resolved,
    which of them are secret, the registrations, and the mocks."""
    fruxon = {
        "fruxon:token": fx.token,
        "fruxon:baseUrl": fx.base_url,
        "fruxon:workspace": fx.workspace,
    }
    mocks = HostMocks(fruxon)
    monitor = use_mocks(mocks, project=name)
    pulumi.runtime.set_all_config(
        {**fruxon, **{f"{name}:{k}": v for k, v in config.items()}},
        ["fruxon:token", *(f"{name}:{k}" for k in secret_keys)],
    )
    exports: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda key, value: exports.__setitem__(key, value))
    resolved: dict[str, Any] = {}
    secret: dict[str, bool] = {}

    @pulumi.runtime.test
    def program() -> Any:
        runpy.run_path(str(EXAMPLES / name / "__main__.py"), run_name="__main__")
        outputs = {k: pulumi.Output.from_input(v) for k, v in exports.items()}
        secrets = {k: pulumi.Output.from_input(v.is_secret()) for k, v in outputs.items()}
        return pulumi.Output.all(
            values=pulumi.Output.all(**outputs), secrets=pulumi.Output.all(**secrets)
        ).apply(lambda both: (resolved.update(both["values"]), secret.update(both["secrets"])))

    program()
    return resolved, secret, monitor, mocks


@pytest.mark.parametrize(
    "name", ["oauth-connection", "integration-inventory", "api-key-connection"]
)
def test_example_projects_are_complete(name: str) -> None:
    project = EXAMPLES / name
    assert f"name: {name}" in (project / "Pulumi.yaml").read_text()
    assert "runtime:" in (project / "Pulumi.yaml").read_text()
    assert "pulumi-fruxon" in (project / "requirements.txt").read_text()
    assert (project / "README.md").read_text().startswith(f"# {name}")


@pytest.mark.parametrize("name", ["yaml-oauth-connection", "yaml-api-key-connection"])
def test_yaml_example_projects_are_complete(name: str) -> None:
    """The YAML examples run with the YAML host and find the plugin on PATH (no `plugins:`);
    tests/e2e/test_yaml_examples.py runs them."""
    project = (EXAMPLES / name / "Pulumi.yaml").read_text()
    assert f"name: {name}\n" in project
    assert "runtime: yaml\n" in project
    assert "plugins:" not in project
    assert (EXAMPLES / name / "README.md").read_text().startswith(f"# {name}")


def test_readme_yaml_block_is_the_yaml_example() -> None:
    """The README's YAML program is examples/yaml-api-key-connection/Pulumi.yaml, whole, so the
    e2e test of that example runs it."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    programs = [block for block in blocks if "runtime: yaml" in block]
    assert programs == [(EXAMPLES / "yaml-api-key-connection" / "Pulumi.yaml").read_text()]


def test_oauth_connection_first_run_declares_the_config_and_exports_the_url(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports, secret, monitor, _ = run_example("oauth-connection", emulator, {}, monkeypatch)

    assert exports["authorization_url"].startswith(f"{emulator.base_url}/oauth/consent?")
    assert secret["authorization_url"] is True
    assert "pulumi config set --secret credentialKey" in exports["next_step"]
    assert sorted(r.type for r in monitor.program_resources) == [
        AUTHORIZATION_URL,
        INTEGRATION_CONFIG,
    ]
    config = emulator.get_config(exports["config_id"])
    assert config["displayName"] == "salesforce (managed by Pulumi)"
    assert exports["config_live"] is True
    assert emulator.published(exports["config_id"]) is not None
    assert emulator.count("authorize") == 1
    assert emulator.count("consumeOAuthCredentials") == 0
    # The exported URL is a working consent URL.
    assert emulator.approve(exports["authorization_url"])


def test_oauth_connection_with_a_key_binds_it(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = emulator.mint_credential_key("salesforce")

    exports, _, monitor, mocks = run_example(
        "oauth-connection",
        emulator,
        {"credentialKey": key},
        monkeypatch,
        secret_keys=("credentialKey",),
    )

    assert sorted(r.type for r in monitor.program_resources) == [
        AUTHORIZATION_URL,
        INTEGRATION_AUTH,
        INTEGRATION_CONFIG,
    ]
    config_id = exports["config_id"]
    assert exports["live"] is True
    assert exports["published_version"] == 2  # the config's publish, then the binding's
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["integrationAuthMetadataId"] == "oauth2"
    assert "next_step" not in exports
    assert exports["credential_fingerprint"] == fingerprint(key)
    assert exports["granted_scopes"] == emulator.get_config(config_id)["auth"]["grantedScopes"]
    assert exports["auth_method_id"] == "oauth2"
    assert emulator.count("consumeOAuthCredentials") == 1
    assert key not in repr(exports)
    assert key not in repr(mocks.created)


def test_api_key_connection_declares_the_config_and_exports_a_working_link(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports, secret, monitor, _ = run_example(
        "api-key-connection", emulator, {"intendedForEmail": "ops@example.com"}, monkeypatch
    )

    assert sorted(r.type for r in monitor.program_resources) == [
        "pulumi-python:dynamic/fruxon:CredentialLink",
        "pulumi-python:dynamic/fruxon:IntegrationConfig",
    ]
    config_id = exports["config_id"]
    assert emulator.get_config(config_id)["authMethodId"] == "api_key"
    assert exports["credential_link"].startswith(f"{emulator.base_url}/credential-links/")
    assert secret["credential_link"] is True
    assert exports["link_filled"] is False
    assert emulator.credential_links(config_id)[0]["intendedForEmail"] == "ops@example.com"
    # The exported link is a working link: filling it publishes the key.
    assert emulator.fill_credential_link(exports["credential_link"], {"api_key": "sk_1"})
    published = emulator.published(config_id)
    assert published is not None and published["auth"]["parameters"] == {"api_key": "sk_1"}


def test_integration_inventory_exports_ids_auth_methods_and_tool_counts(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports, _, monitor, _ = run_example("integration-inventory", emulator, {}, monkeypatch)

    listed = [i["id"] for i in _catalogue(emulator)]
    assert exports["integration_ids"] == listed
    assert exports["auth_methods"]["internal_crm"] == ["oauth2", "api_key"]
    assert exports["auth_methods"]["weather_api"] == []
    assert exports["tool_counts"]["salesforce"] == 4
    assert "stripe" not in exports["oauth2_integrations"]
    assert len(exports["focus_tools"]) == 4
    assert list(exports["focus_configs"].values()) == [
        {"display_name": "Salesforce sandbox", "has_auth": False}
    ]
    assert monitor.program_resources == []


def test_integration_inventory_filters_by_tag(
    emulator: FruxonEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports, _, _, _ = run_example(
        "integration-inventory", emulator, {"tags": '["crm"]', "focus": "hubspot"}, monkeypatch
    )

    crm = [i["id"] for i in _catalogue(emulator, tags="crm")]
    assert "salesforce" in crm and "slack" not in crm
    assert exports["integration_ids"] == crm
    assert len(exports["focus_tools"]) == 2


def _catalogue(fx: FruxonEmulator, **filters: str) -> list[dict[str, Any]]:
    """The emulator's list, in server order, read with bare httpx."""
    response = httpx.get(
        f"{fx.base_url}/v1/tenants/{fx.workspace}/integrations",
        params={"pageSize": "100", **filters},
        headers={"Authorization": f"Bearer {fx.token}"},
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items
