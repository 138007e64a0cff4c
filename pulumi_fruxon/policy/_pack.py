"""The `fruxon` policy pack: the rules of `_rules.py` as policies of Pulumi's policy SDK
(`pulumi-policy`, the `policy` extra).

Each policy has a name, a description, a default enforcement level and a config schema; the
standard policy config (`pulumi preview --policy-pack-config FILE`) sets the level of each
(`disabled`, `advisory`, `mandatory`) and its settings. The engine reports a violation as the
policy's description followed by the rule's message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pulumi_fruxon.policy import _rules
from pulumi_fruxon.policy._rules import UNKNOWN, Resource

__all__ = ["PACK_NAME", "RULES", "Rule", "plain", "policies", "serve"]

PACK_NAME = "fruxon"


@dataclass(frozen=True)
class Rule:
    """One policy of the pack."""

    name: str
    description: str
    level: EnforcementLevel
    check: Callable[[Resource, Mapping[str, Any]], list[str]]
    settings: Mapping[str, Mapping[str, Any]]  # JSON schema of each setting besides the level


RULES: tuple[Rule, ...] = (
    Rule(
        "fruxon-no-secrets-in-parameters",
        "A secret in an IntegrationConfig's plain `parameters` is stored in clear text in the "
        "stack's state.",
        EnforcementLevel.MANDATORY,
        _rules.plain_secrets,
        {
            "allowedKeys": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Parameter keys never reported (a key that only looks secret).",
            },
            "secretWords": {
                "type": "array",
                "items": {"type": "string"},
                "description": "More words that make a key name a secret (e.g. 'pin').",
            },
            "checkValues": {
                "type": "boolean",
                "default": True,
                "description": "Also report values that look like credentials.",
            },
            "minRandomLength": {
                "type": "integer",
                "minimum": 8,
                "default": _rules.DEFAULT_MIN_RANDOM_LENGTH,
                "description": "How long a value must be before it can look generated.",
            },
        },
    ),
    Rule(
        "fruxon-relative-return-url",
        "An AuthorizationUrl's `return_url` must be a path on Fruxon's own site: anything a "
        "browser could read as another host is an open redirect.",
        EnforcementLevel.MANDATORY,
        _rules.relative_return_url,
        {},
    ),
    Rule(
        "fruxon-credential-link-sign-in",
        "A CredentialLink without `require_sign_in` lets anyone who has the link set the "
        "credential.",
        EnforcementLevel.ADVISORY,
        _rules.sign_in_required,
        {},
    ),
    Rule(
        "fruxon-credential-link-ttl",
        "A CredentialLink should not stay open longer than the organization allows.",
        EnforcementLevel.ADVISORY,
        _rules.long_lived_link,
        {
            "maxTtlHours": {
                "type": "integer",
                "minimum": 1,
                "maximum": 720,
                "default": _rules.DEFAULT_MAX_TTL_HOURS,
                "description": "The longest TTL allowed, in hours (Fruxon's default is 168).",
            },
        },
    ),
    Rule(
        "fruxon-publish-changes",
        "With `publish` false, agents do not see the change.",
        EnforcementLevel.ADVISORY,
        _rules.unpublished,
        {},
    ),
)


def plain(value: Any) -> Any:
    """What the SDK hands a policy (proxies that raise on an unknown value) as plain values,
    with `UNKNOWN` where the engine does not know one yet."""
    if isinstance(value, Mapping):
        return {key: _item(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [_item(value, index) for index in range(len(value))]
    return value


def _item(container: Any, key: Any) -> Any:
    try:
        return plain(container[key])
    except UnknownValueError:
        return UNKNOWN


def _validate(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = Resource.of(args.resource_type, plain(args.props))
        if resource is None:
            return
        for message in rule.check(resource, args.get_config() or {}):
            report_violation(message, None)

    return validate


def policies() -> list[ResourceValidationPolicy]:
    """The pack's policies, one per rule."""
    return [
        ResourceValidationPolicy(
            name=rule.name,
            description=rule.description,
            validate=_validate(rule),
            enforcement_level=rule.level,
            config_schema=PolicyConfigSchema(
                properties={k: dict(v) for k, v in rule.settings.items()}
            )
            if rule.settings
            else None,
        )
        for rule in RULES
    ]


def serve() -> None:
    """Serve the pack to the engine (what the pack folder's `__main__.py` runs); never returns."""
    PolicyPack(
        name=PACK_NAME,
        policies=list(policies()),
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Guardrails for Fruxon resources declared with pulumi-fruxon.",
    )
