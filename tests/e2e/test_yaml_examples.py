"""End to end: the YAML examples (examples/yaml-oauth-connection, examples/yaml-api-key-connection)
with the real CLI, the YAML language host and the `fruxon` provider plugin, against the emulator.

The plugin is found as a user who ran `pip install pulumi-fruxon` finds it: the virtualenv's
`bin` (which holds the `pulumi-resource-fruxon` console script) is on the CLI's PATH, and the
projects' Pulumi.yaml has no `plugins:` section. The engine then says which one it uses.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from pulumi import automation as auto

from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon.testing import FruxonEmulator
from tests.e2e.conftest import PROGRAMS, REPO
from tests.e2e.test_cli import changes, exported, where

OAUTH = REPO / "examples" / "yaml-oauth-connection"
API_KEY_EXAMPLE = REPO / "examples" / "yaml-api-key-connection"
CONFIG = "fruxon:index:IntegrationConfig"
AUTH = "fruxon:index:IntegrationAuth"
URL = "fruxon:index:AuthorizationUrl"
LINK = "fruxon:index:CredentialLink"
# What the first `up` of the OAuth example leaves out: YAML has no `if`, so the binding waits
# for the key with `--exclude` (examples/yaml-oauth-connection/README.md).
NO_BINDING_YET = "**fruxon:index:IntegrationAuth::connection"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
API_KEY = "sk_live_yaml_e2e_typed_on_the_link_page_4242"
VENV_BIN = Path(sys.executable).parent
PLUGIN = VENV_BIN / "pulumi-resource-fruxon"


@contextmanager
def yaml_stack(
    program: Path,
    fx: FruxonEmulator,
    pulumi_bin: str,
    pulumi_yaml_path: str,
    tmp_path: Path,
    env: Mapping[str, str] | None = None,
) -> Iterator[auto.Stack]:
    """A stack of a copy of the YAML project `program`, on a file backend under `tmp_path`, with
    an empty plugin cache (its own PULUMI_HOME) and `env` added to the CLI's environment.

    The CLI's PATH is that of an activated virtualenv: this interpreter's `bin` (the plugin's
    console script) first, then the CLI's and the YAML host's folders (`pulumi_yaml_path`). The
    Pulumi.yaml is copied as it is: `local_stack` would rewrite it through the Automation API's
    project settings, which know nothing of `resources:`."""
    assert PLUGIN.is_file(), f"no {PLUGIN.name} console script beside {sys.executable}"
    work_dir = tmp_path / "program"
    shutil.copytree(program, work_dir)
    assert "plugins" not in yaml.safe_load((work_dir / "Pulumi.yaml").read_text())
    (tmp_path / "state").mkdir()
    env = {
        "PATH": os.pathsep.join([str(VENV_BIN), pulumi_yaml_path]),
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        # The Automation API runs the CLI with this process's environment under these: an
        # outer setting must not turn off the lookup on PATH that this test is about.
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "false",
        "FRUXON_TOKEN": fx.token,
        **(env or {}),
    }
    workspace = auto.LocalWorkspace(
        work_dir=str(work_dir),
        pulumi_home=str(tmp_path / "home"),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(Path(pulumi_bin).parent)),
    )
    stack = auto.Stack.create("dev", workspace)
    stack.set_all_config(
        {
            "fruxon:baseUrl": auto.ConfigValue(fx.base_url),
            "fruxon:workspace": auto.ConfigValue(fx.workspace),
        }
    )
    yield stack


def state(stack: auto.Stack, type_: str) -> list[dict[str, Any]]:
    """The resources of one type in the stack's state (secrets decrypted)."""
    deployment = stack.export_stack().deployment or {}
    return [r for r in deployment.get("resources") or [] if r["type"] == type_]


def found_on_path(log: list[str]) -> bool:
    """Whether the engine said it runs the plugin it found on PATH, in the virtualenv."""
    return f"using pulumi-resource-fruxon from $PATH at {PLUGIN}" in "\n".join(log)


def test_oauth_example_binds_goes_live_notices_a_rollback_and_is_destroyed(
    emulator: FruxonEmulator, pulumi_bin: str, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    fx = emulator
    log: list[str] = []
    with yaml_stack(OAUTH, fx, pulumi_bin, pulumi_yaml_path, tmp_path) as stack:
        # 1. The first `up`: the config (published) and the consent URL, not the binding yet.
        first = stack.up(
            on_output=log.append, on_error=log.append, show_secrets=False, exclude=[NO_BINDING_YET]
        )
        assert found_on_path(log)
        # The stack, the config and the URL; the excluded binding counts as a skipped `same`.
        assert changes(first.summary.resource_changes) == {"create": 3, "same": 1}
        config_id = first.outputs["config_id"].value
        assert first.outputs["config_live"].value is True
        assert first.outputs["authorization_url"].secret is True
        url = first.outputs["authorization_url"].value
        assert url.startswith(f"{fx.base_url}/")
        assert (fx.count("createConfig"), fx.count("consumeOAuthCredentials")) == (1, 0)
        assert state(stack, AUTH) == []
        assert fx.get_config(config_id)["displayName"] == "salesforce (managed by Pulumi)"

        # 2. The admin consents; the key goes into secret stack config; `up` binds it.
        key = fx.approve(url)
        stack.set_config("credentialKey", auto.ConfigValue(key, secret=True))
        second = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
        assert changes(second.summary.resource_changes) == {"create": 1, "same": 3}
        assert fx.count("consumeOAuthCredentials") == 1
        outputs = {name: value.value for name, value in second.outputs.items()}
        assert outputs["auth_method_id"] == "oauth2"
        assert outputs["granted_scopes"] == ["api", "refresh_token"]
        assert outputs["credential_fingerprint"] == fingerprint(key)
        assert (outputs["live"], outputs["published_version"]) == (True, 2)
        published = fx.published(config_id)
        assert published is not None and published["version"] == 2
        assert published["auth"]["integrationAuthMetadataId"] == "oauth2"
        oauth_tokens = list(published["auth"]["parameters"].values())
        assert len(oauth_tokens) == 2

        # 3. Nothing to do, and nothing sent.
        fx.clear_requests()
        stack.preview(on_output=log.append, on_error=log.append, expect_no_changes=True)
        assert fx.requests == []

        # 4. A rollback in the dashboard to the revision before the bind: `refresh` shows the
        #    binding not live, reading only; the next `up` publishes again, and only that.
        fx.rollback(config_id, fx.revisions(config_id)[0]["id"])
        refresh = stack.refresh(on_output=log.append, on_error=log.append, show_secrets=False)
        assert changes(refresh.summary.resource_changes).get("update") == 1
        assert [r.method for r in fx.requests if r.method in WRITES] == []
        (binding,) = state(stack, AUTH)
        assert binding["outputs"]["live"] is False
        fx.clear_requests()
        repaired = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
        assert changes(repaired.summary.resource_changes) == {"update": 1, "same": 3}
        assert [r.route for r in fx.requests if r.method in WRITES] == ["publishConfig"]
        assert (repaired.outputs["live"].value, repaired.outputs["published_version"].value) == (
            True,
            3,
        )
        stack.preview(on_output=log.append, on_error=log.append, expect_no_changes=True)

        # 5. The secrets: the token, the key, the consent URL's state and the OAuth tokens that
        #    Fruxon's publish answer echoes.
        revealed, plain = exported(stack)
        index = {r["type"]: i for i, r in enumerate(revealed["resources"])}
        consent_state = parse_qs(urlsplit(url).query)["state"][0]
        text = "\n".join(log)
        for secret in (fx.token, key, consent_state, *oauth_tokens):
            assert secret not in plain
            assert secret not in text
        assert where(revealed, fx.token) == []
        for token in oauth_tokens:
            assert where(revealed, token) == []
        # Decrypted, the key is only the binding's own secret input (a YAML program's config
        # reaches no provider's state), and the consent URL only the URL's output and the
        # stack output of it.
        assert where(revealed, key) == [f".resources[{index[AUTH]}].inputs.credentialKey.plaintext"]
        assert sorted(where(revealed, consent_state)) == [
            f".resources[{index['pulumi:pulumi:Stack']}].outputs.authorization_url.plaintext",
            f".resources[{index[URL]}].outputs.url.plaintext",
        ]

        # 6. `destroy` deletes the config, and the binding with it.
        fx.clear_requests()
        destroy = stack.destroy(on_output=log.append, on_error=log.append)
        assert changes(destroy.summary.resource_changes) == {"delete": 4}
        assert [r.route for r in fx.requests if r.method in WRITES] == ["deleteConfig"]
        with pytest.raises(KeyError):
            fx.get_config(config_id)
    assert key not in "\n".join(log)


def test_api_key_example_fills_its_link_and_the_key_stays_out_of_pulumi(
    emulator: FruxonEmulator, pulumi_bin: str, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    fx = emulator
    log: list[str] = []
    with yaml_stack(API_KEY_EXAMPLE, fx, pulumi_bin, pulumi_yaml_path, tmp_path) as stack:
        # 1. `up` declares the config and mints the link, a secret output.
        up = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
        assert found_on_path(log)
        assert changes(up.summary.resource_changes) == {"create": 3}
        assert (fx.count("createConfig"), fx.count("createCredentialLink")) == (1, 1)
        config_id = up.outputs["config_id"].value
        assert up.outputs["credential_link"].secret is True
        url = up.outputs["credential_link"].value
        assert url.startswith(f"{fx.base_url}/credential-links/")
        assert up.outputs["link_filled"].value is False
        link_token = url.rsplit("/", 1)[1]
        assert fx.get_config(config_id)["displayName"] == "stripe (Pulumi)"

        # 2. A human fills it; Fruxon binds the key and publishes it.
        filled = fx.fill_credential_link(url, {"api_key": API_KEY})

        # 3. `refresh` reads, and shows the link filled and the config live on that revision.
        fx.clear_requests()
        stack.refresh(on_output=log.append, on_error=log.append, show_secrets=False)
        assert [r.method for r in fx.requests if r.method in WRITES] == []
        (link,) = state(stack, LINK)
        assert (link["outputs"]["filled"], link["outputs"]["expired"]) == (True, False)
        (config,) = state(stack, CONFIG)
        assert config["outputs"]["live"] is True
        assert config["outputs"]["publishedRevisionId"] == filled["revisionId"]

        # 4. `up` changes nothing and writes nothing; the published revision carries the key.
        fx.clear_requests()
        again = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
        assert changes(again.summary.resource_changes) == {"same": 3}
        assert [r.route for r in fx.requests if r.method in WRITES] == []
        assert (again.outputs["link_filled"].value, again.outputs["live"].value) == (True, True)
        assert again.outputs["credential_link"].value == url
        published = fx.published(config_id)
        assert published is not None and published["id"] == filled["revisionId"]
        assert published["auth"]["parameters"] == {"api_key": API_KEY}
        fx.clear_requests()
        stack.preview(on_output=log.append, on_error=log.append, expect_no_changes=True)
        assert fx.requests == []

        # 5. The key is nowhere; the link's token only in the link's `url` and the stack output
        #    of it, decrypted.
        revealed, plain = exported(stack)
        index = {r["type"]: i for i, r in enumerate(revealed["resources"])}
        text = "\n".join(log)
        assert where(revealed, API_KEY) == []
        for secret in (API_KEY, fx.token, link_token):
            assert secret not in plain
            assert secret not in text
        assert where(revealed, fx.token) == []
        assert sorted(where(revealed, link_token)) == [
            f".resources[{index['pulumi:pulumi:Stack']}].outputs.credential_link.plaintext",
            f".resources[{index[LINK]}].outputs.url.plaintext",
        ]

        # 6. `destroy` deletes the config, and the key with it; the link needs no call.
        fx.clear_requests()
        stack.destroy(on_output=log.append, on_error=log.append)
        assert [r.route for r in fx.requests if r.method in WRITES] == ["deleteConfig"]
        assert config_id not in [c["id"] for c in fx.list_configs("stripe")]


def test_pulumi_import_into_a_yaml_project_then_a_quiet_preview(
    emulator: FruxonEmulator, pulumi_bin: str, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    """A config made in the dashboard, adopted with `pulumi import` into a YAML project that
    declares it: the preview after it is quiet, and nothing was written to Fruxon."""
    fx = emulator
    config_id = fx.add_config("internal_crm", display_name="CRM prod")
    fx.patch_config(config_id, parameters={"base_url": "https://crm.example"})
    fx.publish(config_id)
    fx.clear_requests()
    import_id = f"{fx.workspace}/internal_crm/{config_id}"
    log: list[str] = []
    with yaml_stack(
        PROGRAMS / "yaml-plugin-config", fx, pulumi_bin, pulumi_yaml_path, tmp_path
    ) as stack:
        imported = stack.workspace.pulumi_command.run(
            ["import", CONFIG, "crm", import_id, "--yes", "--stack", stack.name],
            stack.workspace.work_dir,
            stack.workspace.env_vars,
        )
        log.append(imported.stdout + imported.stderr)
        assert found_on_path(log)
        # The YAML host writes the code that declares it: what the project declares, with the
        # `protect` that `pulumi import` sets (and the short form of the type token).
        generated = yaml.safe_load(imported.stdout[imported.stdout.index("\nresources:") :])
        assert generated == {
            "resources": {
                "crm": {
                    "type": "fruxon:IntegrationConfig",
                    "properties": {
                        "displayName": "CRM prod",
                        "integration": "internal_crm",
                        "parameters": {"base_url": "https://crm.example"},
                    },
                    "options": {"protect": True},
                }
            }
        }
        stack.preview(on_output=log.append, on_error=log.append, expect_no_changes=True)
        (config,) = state(stack, CONFIG)
        up = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
    assert changes(up.summary.resource_changes) == {"same": 2}
    assert (up.outputs["configId"].value, up.outputs["live"].value) == (config_id, True)
    assert config["id"] == import_id
    assert config["inputs"] == {
        "integration": "internal_crm",
        "displayName": "CRM prod",
        "parameters": {"base_url": "https://crm.example"},
    }
    assert [r for r in fx.requests if r.method != "GET"] == []
    assert fx.token not in "\n".join(log)


def test_a_secret_parameter_from_yaml_stays_encrypted(
    emulator: FruxonEmulator, pulumi_bin: str, pulumi_yaml_path: str, tmp_path: Path
) -> None:
    fx = emulator
    secret = "whsec-yaml-e2e-0123456789"
    log: list[str] = []
    with yaml_stack(
        PROGRAMS / "yaml-config-secrets", fx, pulumi_bin, pulumi_yaml_path, tmp_path
    ) as stack:
        stack.set_config("webhookSecret", auto.ConfigValue(secret, secret=True))
        up = stack.up(on_output=log.append, on_error=log.append, show_secrets=False)
        config_id = up.outputs["configId"].value
        assert up.outputs["live"].value is True
        assert up.outputs["fingerprints"].secret is True
        published = fx.published(config_id)
        assert published is not None and published["parameters"]["webhook_secret"] == secret
        stack.preview(on_output=log.append, on_error=log.append, expect_no_changes=True)
        revealed, plain = exported(stack)
        stack.destroy(on_output=log.append, on_error=log.append)
    assert secret not in plain
    assert secret not in "\n".join(log)
    assert fx.token not in plain and fx.token not in "\n".join(log)
    (config,) = [r for r in revealed["resources"] if r["type"] == CONFIG]
    assert where(revealed, secret) == [
        f".resources[{revealed['resources'].index(config)}].inputs.secretParameters.plaintext"
    ]
    # The fingerprint of it is a secret output: encrypted in the plain export.
    digest = fingerprint(secret).removeprefix("sha256:")
    assert digest not in plain
    assert digest in json.dumps(config["outputs"])
