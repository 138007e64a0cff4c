"""The policy pack's rules (`pulumi_fruxon.policy._rules`) on plain inputs, through both doors."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from pulumi_fruxon.policy._rules import (
    UNKNOWN,
    Resource,
    long_lived_link,
    plain_secrets,
    relative_return_url,
    secret_key_reason,
    secret_value_reason,
    sign_in_required,
    unpublished,
)

DYNAMIC = "pulumi-python:dynamic/fruxon:"
PLUGIN = "fruxon:index:"


def dynamic(kind: str, **inputs: Any) -> Resource:
    resource = Resource.of(DYNAMIC + kind, inputs)
    assert resource is not None
    return resource


def plugin(kind: str, **inputs: Any) -> Resource:
    resource = Resource.of(PLUGIN + kind, inputs)
    assert resource is not None
    return resource


def test_only_fruxon_types_are_resources() -> None:
    assert Resource.of("aws:s3/bucket:Bucket", {}) is None
    assert Resource.of("pulumi-python:dynamic:Resource", {}) is None
    assert dynamic("CredentialLink").kind == "CredentialLink"
    assert plugin("CredentialLink").plugin


def test_each_door_spells_inputs_its_own_way() -> None:
    assert dynamic("X").spell("secret_parameters") == "secret_parameters"
    assert plugin("X").spell("secret_parameters") == "secretParameters"
    assert plugin("X").spell("require_sign_in") == "requireSignIn"
    assert plugin("X").spell("publish") == "publish"


@pytest.mark.parametrize(
    "key",
    [
        "api_key",
        "apiKey",
        "API-KEY",
        "ApiKey",
        "APIKey",
        "apikey",
        "x-api-key",
        "client_secret",
        "clientSecret",
        "CLIENT_SECRET",
        "password",
        "db_password",
        "dbPass",
        "passwd",
        "token",
        "access_token",
        "accessToken",
        "refresh-token",
        "bearerToken",
        "auth_token",
        "private_key",
        "privateKey",
        "private_key_pem",
        "ssh_key",
        "signing_key",
        "aws_secret_access_key",
        "webhook_secret",
        "secret",
        "credentials",
        "github_pat",
    ],
)
def test_a_key_that_names_a_secret(key: str) -> None:
    assert secret_key_reason(key) is not None


@pytest.mark.parametrize(
    "key",
    [
        "base_url",
        "instance_url",
        "token_url",
        "tokenUrl",
        "token_endpoint",
        "api_key_header",
        "apiKeyHeader",
        "secret_name",
        "password_policy",
        "access_key_id",
        "max_tokens",
        "token_limit",
        "key",
        "region",
        "account_id",
        "passthrough",
        "public_key",
        "tokenizer",
        "",
    ],
)
def test_a_key_that_names_no_secret(key: str) -> None:
    assert secret_key_reason(key) is None


def test_more_secret_words_come_from_the_config() -> None:
    assert secret_key_reason("door_pin") is None
    assert secret_key_reason("door_pin", extra_words=["PIN"]) is not None


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
        ("rk_test_" + "51H8xYzAbCdEfGhIjKlMn", "Stripe"),
        ("ghp_" + "a" * 36, "GitHub"),
        ("github_pat_" + "11AAAAAAA0" * 5, "GitHub"),
        ("xoxb-" + "123456789012-1234567890123-abcdefghijkl", "Slack"),
        ("AKIA" + "IOSFODNN7EXAMPLE", "AWS"),
        ("AIza" + "SyA-1234567890abcdefghijklmnopqrstu", "Google"),
        ("sk-ant-" + "api03-abcdefghijklmnopqrstuvwxyz", "Anthropic"),
        ("sk-proj-" + "abcdefghijklmnopqrstuvwxyz012345", "OpenAI"),
        ("glpat-" + "xxxxxxxxxxxxxxxxxxxx", "GitLab"),
        ("fx_pat_" + "abcdefgh1234", "Fruxon"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig", "JSON Web Token"),
        ("postgres://app:hunter2@db.example:5432/app", "password in it"),
    ],
)
def test_a_value_of_a_known_shape(value: str, what: str) -> None:
    reason = secret_value_reason(value)
    assert reason is not None and what in reason
    assert value not in reason


def test_generated_secrets_look_generated() -> None:
    found = [secret_value_reason(secrets.token_urlsafe(24)) for _ in range(200)]
    # A heuristic: random strings that happen to read as words are let through.
    assert sum(reason is not None for reason in found) >= 190
    assert secret_value_reason(secrets.token_hex(20)) is not None


@pytest.mark.parametrize(
    "value",
    [
        "https://example.my.salesforce.com",
        "9f1c3e2a-4b5d-4e6f-8a7b-0c1d2e3f4a5b",  # a UUID
        "my-service-account-production-2024",
        "projects/my-project/locations/us-central1",
        "arn:aws:iam::123456789012:role/MyRole",
        "ProductionServiceAccount2024",
        "SalesforceProductionOrg01Sandbox",
        "com.example.integration.connector.v2",
        "sk_live_...",  # a placeholder, too short to be a key
        "salesforce-prod-instance-eu-west-1-2024",
        "internal_crm_connector_v2_production",
        "MyCompanyProductionEnvironment01",
        "short1A",
        "",
    ],
)
def test_a_value_that_looks_like_no_secret(value: str) -> None:
    assert secret_value_reason(value) is None


def test_secret_parameters_are_named_never_shown() -> None:
    secret = "sk_live_" + secrets.token_hex(12)
    config = dynamic(
        "IntegrationConfig",
        parameters={"base_url": "https://crm.example", "label": secret, "apiKey": "x"},
    )

    messages = plain_secrets(config, {})

    assert len(messages) == 2
    assert "'apiKey'" in messages[0] and "its name says" in messages[0]
    assert "'label'" in messages[1] and "Stripe" in messages[1]
    assert all("`secret_parameters`" in m and secret not in m for m in messages)


def test_the_plugin_door_is_told_its_own_names() -> None:
    config = plugin("IntegrationConfig", parameters={"clientSecret": "x"})

    (message,) = plain_secrets(config, {})

    assert "`secretParameters`" in message and "`parameters`" in message


def test_allowed_keys_and_value_checks_come_from_the_config() -> None:
    config = dynamic("IntegrationConfig", parameters={"token": "x", "label": "ghp_" + "b" * 36})

    assert len(plain_secrets(config, {"allowedKeys": ["token"]})) == 1
    assert plain_secrets(config, {"allowedKeys": ["token"], "checkValues": False}) == []


def test_unknown_parameters_are_judged_by_what_is_known() -> None:
    # In a preview a value, or the whole map, may be unknown: keys still count.
    assert plain_secrets(dynamic("IntegrationConfig", parameters=UNKNOWN), {}) == []
    known_keys = dynamic("IntegrationConfig", parameters={"api_key": UNKNOWN, "label": UNKNOWN})
    (message,) = plain_secrets(known_keys, {})
    assert "'api_key'" in message
    assert plain_secrets(dynamic("IntegrationConfig"), {}) == []


@pytest.mark.parametrize(
    "url", ["https://evil.example/x", "//evil.example", "/\\evil.example", "/a b"]
)
def test_an_absolute_return_url_is_refused_with_the_providers_rule(url: str) -> None:
    (message,) = relative_return_url(dynamic("AuthorizationUrl", return_url=url), {})
    assert "`return_url`" in message and "/integrations" in message
    (camel,) = relative_return_url(plugin("AuthorizationUrl", returnUrl=url), {})
    assert "`returnUrl`" in camel


@pytest.mark.parametrize("url", ["/integrations", None, UNKNOWN])
def test_a_relative_unset_or_unknown_return_url_passes(url: Any) -> None:
    assert relative_return_url(dynamic("AuthorizationUrl", return_url=url), {}) == []


def test_a_link_without_sign_in() -> None:
    (message,) = sign_in_required(dynamic("CredentialLink", require_sign_in=False), {})
    assert "`require_sign_in` is false" in message
    (camel,) = sign_in_required(plugin("CredentialLink", requireSignIn=False), {})
    assert "`requireSignIn` is false" in camel and "`intendedForEmail`" in camel
    for value in (True, None, UNKNOWN):
        assert sign_in_required(dynamic("CredentialLink", require_sign_in=value), {}) == []


def test_a_long_lived_link() -> None:
    (message,) = long_lived_link(dynamic("CredentialLink", ttl_hours=720), {})
    assert "720 hours" in message and "limit of 168 hours" in message
    assert long_lived_link(dynamic("CredentialLink", ttl_hours=168), {}) == []
    # The plugin's numbers are floats; an unset TTL is Fruxon's default.
    (camel,) = long_lived_link(plugin("CredentialLink", ttlHours=48.0), {"maxTtlHours": 24})
    assert "`ttlHours` is 48 hours" in camel
    (unset,) = long_lived_link(dynamic("CredentialLink"), {"maxTtlHours": 24})
    assert "is unset" in unset and "168 hours" in unset
    assert long_lived_link(dynamic("CredentialLink", ttl_hours=UNKNOWN), {"maxTtlHours": 1}) == []


def test_unpublished_configs_and_bindings() -> None:
    (config,) = unpublished(dynamic("IntegrationConfig", publish=False), {})
    assert "the config's changes stay in the draft" in config
    (binding,) = unpublished(plugin("IntegrationAuth", publish=False), {})
    assert "the binding stays in the draft" in binding
    for value in (True, None, UNKNOWN):
        assert unpublished(dynamic("IntegrationConfig", publish=value), {}) == []
    assert unpublished(dynamic("CredentialLink", publish=False), {}) == []
