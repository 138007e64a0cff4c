"""The policy pack as the engine drives it: the pack folder's program, started with this
Python's virtualenv, over the analyzer gRPC interface. The provider plugin's door
(`fruxon:index:*`, camelCase) is tested here; tests/e2e/test_policy_pack.py runs the dynamic
door through the real CLI."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.json_format import ParseDict
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from pulumi_fruxon._version import __version__
from pulumi_fruxon.policy import PACK_DIR
from pulumi_fruxon.policy.__main__ import main as policy_cli
from pulumi_fruxon.policy._pack import RULES

# What the engine sends for a secret and for a value it does not know yet (a preview).
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"
LEVELS = {"advisory": 0, "mandatory": 1, "disabled": 2}


def secret(value: Any) -> dict[str, Any]:
    return {**SECRET_SIG, "value": value}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A pack folder written by `python -m pulumi_fruxon.policy new`, bound to this virtualenv."""
    assert policy_cli(["new", str(tmp_path / "pack")]) == 0
    return tmp_path / "pack"


@pytest.fixture
def analyzer(pack: Path) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack's program, started as the language host starts it: `python -u DIR ARGS`."""
    process = subprocess.Popen(
        [sys.executable, "-u", str(pack), "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.kill()
        process.wait()


def analyze(stub: analyzer_pb2_grpc.AnalyzerStub, type_: str, props: dict[str, Any]) -> list[Any]:
    request = analyzer_pb2.AnalyzeRequest(
        type=type_,
        properties=ParseDict(props, struct_pb2.Struct()),
        urn=f"urn:pulumi:dev::p::{type_}::r",
        name="r",
    )
    return list(stub.Analyze(request).diagnostics)


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, Any]) -> None:
    policy_config = {}
    for name, value in config.items():
        settings = dict(value)
        level = settings.pop("enforcementLevel", None)
        policy_config[name] = analyzer_pb2.PolicyConfig(
            enforcementLevel=LEVELS[level] if level else 0,
            properties=ParseDict(settings, struct_pb2.Struct()),
        )
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=policy_config))


def test_the_shipped_folder_is_a_standard_python_policy_pack() -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    # No runtime options: what `pulumi policy publish` wants, the pack then runs in a `venv` of
    # its own. `new` writes a copy that names one.
    assert manifest["runtime"] == "python"
    assert manifest["description"]
    assert (PACK_DIR / "requirements.txt").read_text().split() == ["pulumi-fruxon[policy]"]
    assert (PACK_DIR / "__main__.py").is_file()


def test_new_writes_a_pack_bound_to_this_virtualenv(pack: Path) -> None:
    manifest = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    named = manifest["runtime"]["options"]["virtualenv"]
    assert not Path(named).is_absolute()  # the folder can move with the project
    assert (pack / named).resolve() == Path(sys.prefix).resolve()
    assert manifest["version"] == __version__
    requirements = (pack / "requirements.txt").read_text().split()
    assert requirements == [f"pulumi-fruxon[policy]=={__version__}"]
    assert policy_cli(["new", str(pack)]) == 2  # an existing pack is kept without --force


def test_the_pack_describes_each_policy(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())

    assert info.name == "fruxon" and info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels == {
        "fruxon-no-secrets-in-parameters": LEVELS["mandatory"],
        "fruxon-relative-return-url": LEVELS["mandatory"],
        "fruxon-credential-link-sign-in": LEVELS["advisory"],
        "fruxon-credential-link-ttl": LEVELS["advisory"],
        "fruxon-publish-changes": LEVELS["advisory"],
    }
    assert all(p.description for p in info.policies)
    ttl = next(p for p in info.policies if p.name == "fruxon-credential-link-ttl")
    assert "maxTtlHours" in ttl.configSchema.properties
    assert len(RULES) == len(info.policies)


def test_the_plugin_door_with_secrets_and_unknowns(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    planted = "sk_live_" + secrets.token_hex(12)
    found = analyze(
        analyzer,
        "fruxon:index:IntegrationConfig",
        {
            "integration": "internal_crm",
            "parameters": {
                "baseUrl": "https://crm.example",
                "label": secret(planted),  # a secret the user marked, in the wrong place
                "clientSecret": UNKNOWN_STRING,  # known by its name alone
            },
            "secretParameters": secret({"webhookSecret": planted}),
            "publish": False,
        },
    )

    by_policy = sorted((d.policyName, d.enforcementLevel) for d in found)
    assert by_policy == [
        ("fruxon-no-secrets-in-parameters", LEVELS["mandatory"]),
        ("fruxon-no-secrets-in-parameters", LEVELS["mandatory"]),
        ("fruxon-publish-changes", LEVELS["advisory"]),
    ]
    text = "\n".join(d.message for d in found)
    assert "'clientSecret'" in text and "'label'" in text and "`secretParameters`" in text
    assert planted not in text


def test_unknown_values_never_fail_a_policy(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    found = analyze(
        analyzer,
        "fruxon:index:CredentialLink",
        {
            "integration": "stripe",
            "integrationConfigId": UNKNOWN_STRING,
            "requireSignIn": UNKNOWN_STRING,
            "ttlHours": UNKNOWN_STRING,
        },
    )
    found += analyze(analyzer, "fruxon:index:IntegrationConfig", {"parameters": UNKNOWN_OBJECT})
    found += analyze(analyzer, "fruxon:index:AuthorizationUrl", {"returnUrl": UNKNOWN_STRING})

    # The SDK turns an unknown that a policy reads into an advisory "can't run policy": none.
    assert [d.message for d in found] == []


def test_levels_and_settings_come_from_the_policy_config(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    configure(
        analyzer,
        {
            "fruxon-credential-link-ttl": {"enforcementLevel": "mandatory", "maxTtlHours": 12},
            "fruxon-credential-link-sign-in": {"enforcementLevel": "disabled"},
            "fruxon-relative-return-url": {"enforcementLevel": "advisory"},
        },
    )

    link = analyze(
        analyzer,
        "fruxon:index:CredentialLink",
        {"integration": "stripe", "requireSignIn": False, "ttlHours": 24.0},
    )
    consent = analyze(analyzer, "fruxon:index:AuthorizationUrl", {"returnUrl": "//evil.example"})

    assert [(d.policyName, d.enforcementLevel) for d in link] == [
        ("fruxon-credential-link-ttl", LEVELS["mandatory"])
    ]
    assert "limit of 12 hours" in link[0].message and "`ttlHours` is 24 hours" in link[0].message
    assert [(d.policyName, d.enforcementLevel) for d in consent] == [
        ("fruxon-relative-return-url", LEVELS["advisory"])
    ]


def test_other_types_are_left_alone(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    props = {"parameters": {"api_key": "x"}, "publish": False, "return_url": "//x"}
    assert analyze(analyzer, "aws:s3/bucket:Bucket", props) == []
    assert analyze(analyzer, "pulumi-python:dynamic:Resource", props) == []
