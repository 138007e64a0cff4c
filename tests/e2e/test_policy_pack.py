"""The `fruxon` policy pack through the real CLI: `pulumi preview --policy-pack DIR`.

Each run of `programs/policy` breaks one rule (the `case` config value), against the emulator.
The pack folder is what `python -m pulumi_fruxon.policy new DIR` writes, bound to this
virtualenv, and the language host under test runs it through `RunPlugin`. A mandatory policy
refuses the preview, an advisory one warns; the secret the program puts in the wrong place is
never printed.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_fruxon._version import __version__
from pulumi_fruxon.policy.__main__ import main as policy_cli
from pulumi_fruxon.testing import FruxonEmulator
from pulumi_fruxon.testing.stack import local_stack
from tests.e2e.conftest import PROGRAMS, REPO

PROGRAM = PROGRAMS / "policy"
PASSED = f"✅ fruxon@v{__version__}"

# case: (policy, level, what the message says)
CASES = {
    "secret-key": (
        "fruxon-no-secrets-in-parameters",
        "mandatory",
        "`parameters` has the key 'clientSecret', and its name says it is a secret. "
        "Move it to `secret_parameters`",
    ),
    "secret-value": (
        "fruxon-no-secrets-in-parameters",
        "mandatory",
        "`parameters` has the key 'notes', and its value looks like a Stripe API key. "
        "Move it to `secret_parameters`",
    ),
    "absolute-return-url": (
        "fruxon-relative-return-url",
        "mandatory",
        "`return_url` must be a relative path starting with '/'",
    ),
    "no-sign-in": (
        "fruxon-credential-link-sign-in",
        "advisory",
        "`require_sign_in` is false: anyone who holds the link can set this config's credential",
    ),
    "long-ttl": (
        "fruxon-credential-link-ttl",
        "advisory",
        "`ttl_hours` is 720 hours, over this policy's limit of 168 hours (`maxTtlHours`)",
    ),
    "unpublished": (
        "fruxon-publish-changes",
        "advisory",
        "`publish` is false: the config's changes stay in the draft",
    ),
}


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policy") / "fruxon-policy"
    assert policy_cli(["new", str(folder)]) == 0
    return folder


@dataclass
class Run:
    passed: bool
    output: str  # what the CLI printed, and the error it ended with
    planted: str

    @property
    def violations(self) -> list[str]:
        """`[level]  policy` of each violation the CLI listed (the error repeats the output)."""
        printed = self.output.split("\n code: ", 1)[0]
        return re.findall(r"- (\[\w+\]  [\w-]+)", printed)


def run(
    case: str,
    emulator: FruxonEmulator,
    pulumi_bin: str,
    pack: Path,
    *,
    up: bool = False,
    policy_config: dict[str, Any] | None = None,
    tmp_path: Path | None = None,
) -> Run:
    """Preview (or `up`) the program's `case` with the pack; everything the CLI printed."""
    # A Stripe-shaped key where a value should give it away (alphanumeric after the prefix, as
    # Stripe's are: a `-` or `_` of token_urlsafe there broke the shape), a random token elsewhere.
    if case == "secret-value":
        planted = "sk_live_" + secrets.token_hex(12)
    else:
        planted = secrets.token_urlsafe(18)
    configs = []
    if policy_config is not None:
        assert tmp_path is not None
        config_file = tmp_path / "policy-config.json"
        config_file.write_text(json.dumps(policy_config))
        configs = [str(config_file)]
    printed: list[str] = []
    with local_stack(PROGRAM, emulator, pulumi_bin=pulumi_bin, config={"case": case}) as stack:
        stack.set_config("planted", auto.ConfigValue(planted, secret=True))
        options: dict[str, Any] = {
            "policy_packs": [str(pack)],
            "policy_pack_configs": configs,
            "on_output": printed.append,
        }
        try:
            if up:
                stack.up(show_secrets=False, **options)
            else:
                stack.preview(**options)
        except auto.CommandError as failed:
            return Run(False, "\n".join(printed) + str(failed), planted)
    return Run(True, "\n".join(printed), planted)


def flat(text: str) -> str:
    """The output with the CLI's line breaks and indents folded into single spaces."""
    return " ".join(text.split())


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_refuses_or_warns_with_what_to_do(
    case: str, emulator: FruxonEmulator, pulumi_bin: str, pack: Path
) -> None:
    policy, level, message = CASES[case]

    result = run(case, emulator, pulumi_bin, pack)

    assert result.passed is (level == "advisory"), result.output
    assert f"[{level}]  {policy}" in result.output
    assert flat(message) in flat(result.output)
    assert result.planted not in result.output
    assert emulator.token not in result.output
    # Nothing else was reported, and no policy failed on a value unknown in the preview.
    assert result.violations == [f"[{level}]  {policy}"]
    assert "can't run policy" not in result.output


def test_a_clean_program_passes_preview_and_up(
    emulator: FruxonEmulator, pulumi_bin: str, pack: Path
) -> None:
    preview = run("clean", emulator, pulumi_bin, pack)
    assert preview.passed, preview.output
    assert PASSED in preview.output

    # `up` analyzes again, with the values a preview did not know.
    up = run("clean", emulator, pulumi_bin, pack, up=True)
    assert up.passed, up.output
    assert PASSED in up.output
    assert up.planted not in up.output


def test_the_policy_config_sets_levels_and_settings(
    emulator: FruxonEmulator, pulumi_bin: str, pack: Path, tmp_path: Path
) -> None:
    config = {
        "fruxon-no-secrets-in-parameters": {"allowedKeys": ["clientSecret"]},
        "fruxon-credential-link-ttl": {"enforcementLevel": "mandatory", "maxTtlHours": 12},
        "fruxon-publish-changes": "disabled",
    }

    result = run("secret-key", emulator, pulumi_bin, pack, policy_config=config, tmp_path=tmp_path)

    assert not result.passed
    assert result.violations == ["[mandatory]  fruxon-credential-link-ttl"]
    assert "`ttl_hours` is 24 hours, over this policy's limit of 12 hours" in flat(result.output)
    assert result.planted not in result.output

    quiet = run(
        "unpublished",
        emulator,
        pulumi_bin,
        pack,
        policy_config={"fruxon-publish-changes": "disabled"},
        tmp_path=tmp_path,
    )
    assert quiet.passed and PASSED in quiet.output, quiet.output
    assert quiet.violations == []


def test_a_pack_folder_without_a_virtualenv_says_how_to_make_one(
    emulator: FruxonEmulator, pulumi_bin: str
) -> None:
    from pulumi_fruxon.policy import PACK_DIR

    result = run("clean", emulator, pulumi_bin, PACK_DIR)

    assert not result.passed
    assert "names no virtualenv" in result.output
    assert f"python3 -m venv {PACK_DIR / 'venv'}" in result.output


README = (REPO / "README.md").read_text()
README_PROGRAM = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
README_OUTPUTS = re.findall(r"```\n(Policies:\n.*?)```", README, re.DOTALL)
README_CONFIGS = re.findall(r"```json\n(.*?)```", README, re.DOTALL)


def shown_lines(block: str) -> list[str]:
    """The lines of a README output block that any run prints as they are (the pack's path
    differs, and `...` stands for lines left out)."""
    lines = [line.strip() for line in block.splitlines()]
    return [line for line in lines if line and line != "..." and "(local: " not in line]


def test_the_readme_example_prints_what_the_readme_shows(
    emulator: FruxonEmulator, pulumi_bin: str, pack: Path, tmp_path: Path
) -> None:
    (source,) = [b for b in README_PROGRAM if "belongs in secret_parameters" in b]
    (config,) = README_CONFIGS
    refused, configured = README_OUTPUTS
    program = tmp_path / "crm"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: crm\nruntime: python\n")
    (program / "__main__.py").write_text(source)
    (tmp_path / "policy-config.json").write_text(config)
    planted = secrets.token_urlsafe(18)
    outputs = []
    with local_stack(program, emulator, pulumi_bin=pulumi_bin) as stack:
        stack.set_config("crmSecret", auto.ConfigValue(planted, secret=True))
        for configs in ([], [str(tmp_path / "policy-config.json")]):
            printed: list[str] = []
            with pytest.raises(auto.CommandError):
                stack.preview(
                    policy_packs=[str(pack)], policy_pack_configs=configs, on_output=printed.append
                )
            outputs.append("\n".join(printed))

    for block, output in zip((refused, configured), outputs, strict=True):
        printed_lines = {line.strip() for line in output.splitlines()}
        assert [line for line in shown_lines(block) if line not in printed_lines] == []
        assert planted not in output
