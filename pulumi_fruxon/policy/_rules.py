"""The rules of the `fruxon` policy pack, as plain functions of a resource's inputs.

Nothing here imports the policy SDK: `_pack.py` turns what the engine sends into plain values
(`UNKNOWN` where the engine does not know one yet) and these functions return the messages to
report. A message names a property or a key, never a value: the engine unwraps secrets before a
policy sees them, so any value could be one.

Both doors are served: the dynamic resources (`pulumi-python:dynamic/fruxon:IntegrationConfig`,
snake_case inputs) and the provider plugin's (`fruxon:index:IntegrationConfig`, camelCase).
`Resource.spell` names a property as the resource's own door spells it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_fruxon._urls import return_url_problem

__all__ = [
    "DEFAULT_MAX_TTL_HOURS",
    "UNKNOWN",
    "Resource",
    "long_lived_link",
    "plain_secrets",
    "relative_return_url",
    "secret_key_reason",
    "secret_value_reason",
    "sign_in_required",
    "unpublished",
]


class _Unknown:
    """A value the engine does not know yet (a preview of an output of another resource)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

_DYNAMIC = "pulumi-python:dynamic/fruxon:"
_PLUGIN = "fruxon:index:"
# The dynamic providers' default TTL of a credential link (`credential_link.DEFAULT_TTL_HOURS`),
# repeated here so that the pack does not import the resource modules (and Pulumi's SDK).
FRUXON_DEFAULT_TTL_HOURS = 168
DEFAULT_MAX_TTL_HOURS = FRUXON_DEFAULT_TTL_HOURS


@dataclass(frozen=True)
class Resource:
    """A Fruxon resource as a policy sees it: its kind, its door and its inputs (plain values)."""

    kind: str  # IntegrationConfig, IntegrationAuth, AuthorizationUrl, CredentialLink
    plugin: bool  # the provider plugin's resource (camelCase), else a dynamic one
    inputs: Mapping[str, Any]

    @classmethod
    def of(cls, resource_type: str, inputs: Mapping[str, Any]) -> Resource | None:
        """The resource, or None for a type that is not Fruxon's."""
        for prefix, plugin in ((_DYNAMIC, False), (_PLUGIN, True)):
            if resource_type.startswith(prefix):
                return cls(resource_type[len(prefix) :], plugin, inputs)
        return None

    def spell(self, name: str) -> str:
        """A snake_case input name as this resource's door spells it."""
        if not self.plugin:
            return name
        first, *rest = name.split("_")
        return first + "".join(part.title() for part in rest)

    def get(self, name: str) -> Any:
        """The input `name` (snake_case) in this door's spelling; None when unset."""
        return self.inputs.get(self.spell(name))


# --- secrets in plain parameters -------------------------------------------------------------

# A key names a secret when one of its words is one of these...
_SECRET_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "token",
        "credential",
        "credentials",
        "apikey",
        "privatekey",
        "secretkey",
        "accesskey",
        "accesstoken",
        "refreshtoken",
        "authtoken",
        "bearertoken",
        "clientsecret",
        "pat",
    }
)
# ...or it has the word `key` after one of these (`api_key`, `privateKey`, `SSH-KEY`)...
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "secret",
        "access",
        "signing",
        "encryption",
        "master",
        "app",
        "auth",
        "license",
        "session",
        "subscription",
        "shared",
        "ssh",
        "pgp",
        "gpg",
        "rsa",
        "hmac",
        "jwt",
        "webhook",
    }
)
# ...unless its last word says that it is about a secret rather than one: `token_url`,
# `api_key_header`, `secret_name`, `password_policy`, `access_key_id`.
_DESCRIPTORS = frozenset(
    {
        "url",
        "uri",
        "urls",
        "endpoint",
        "host",
        "hostname",
        "domain",
        "path",
        "header",
        "name",
        "id",
        "ids",
        "type",
        "field",
        "param",
        "parameter",
        "prefix",
        "location",
        "format",
        "length",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "policy",
        "scope",
        "scopes",
        "mode",
        "version",
        "count",
        "limit",
        "max",
        "min",
        "file",
        "env",
        "var",
        "ref",
        "arn",
        "hint",
        "label",
        "rotation",
        "enabled",
        "required",
        "kind",
        "method",
        "algorithm",
        "alg",
        "size",
        "fingerprint",
    }
)
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def _words(key: str) -> list[str]:
    """`clientSecret`, `client_secret`, `CLIENT-SECRET`: ["client", "secret"]."""
    return [word.lower() for word in _WORD.findall(key)]


def secret_key_reason(key: str, extra_words: Iterable[str] = ()) -> str | None:
    """Why the parameter name `key` names a secret, or None when it does not seem to."""
    words = _words(key)
    if not words or words[-1] in _DESCRIPTORS:
        return None
    secret_words = _SECRET_WORDS | {word.lower() for word in extra_words}
    joined = "".join(words)
    if joined in secret_words or any(word in secret_words for word in words):
        return "its name says it is a secret"
    if words[-1] == "pass":  # db_pass, smtpPass
        return "its name says it is a password"
    if any(q in _KEY_QUALIFIERS and k == "key" for q, k in itertools.pairwise(words)):
        return "its name says it is a key"
    return None


# Well-known shapes of credentials: (pattern, what it is). Each pattern asks for enough
# characters after the prefix that a placeholder such as `sk_live_...` does not match.
_KNOWN_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), label)
    for pattern, label in (
        (r"^[sr]k_(live|test)_[0-9A-Za-z]{16,}", "a Stripe API key"),
        (r"^whsec_[0-9A-Za-z+/=]{16,}", "a Stripe webhook signing secret"),
        (r"^gh[pousr]_[0-9A-Za-z]{30,}", "a GitHub token"),
        (r"^github_pat_[0-9A-Za-z_]{40,}", "a GitHub token"),
        (r"^glpat-[0-9A-Za-z_\-]{20,}", "a GitLab token"),
        (r"^xox[abposr]-[0-9A-Za-z\-]{10,}", "a Slack token"),
        (r"^xapp-[0-9]-[0-9A-Za-z\-]{10,}", "a Slack app token"),
        (r"^(AKIA|ASIA)[0-9A-Z]{16}$", "an AWS access key"),
        (r"^AIza[0-9A-Za-z_\-]{35}$", "a Google API key"),
        (r"^sk-ant-[0-9A-Za-z_\-]{20,}", "an Anthropic API key"),
        (r"^sk-(proj-)?[0-9A-Za-z_\-]{20,}", "an OpenAI API key"),
        (r"^SG\.[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}", "a SendGrid API key"),
        (r"^npm_[0-9A-Za-z]{36}$", "an npm token"),
        (r"^pypi-[0-9A-Za-z_\-]{50,}", "a PyPI token"),
        (r"^fx_(pat|sat)_[0-9A-Za-z_\-]{8,}", "a Fruxon token"),
        (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "a private key"),
        (r"^eyJ[0-9A-Za-z_\-]{8,}\.eyJ[0-9A-Za-z_\-]{8,}\.", "a JSON Web Token"),
        (r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]+:[^/\s@]+@", "a URL with a password in it"),
    )
)
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-+/=.~]+$")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Runs of letters that read as words: a capital and four or more lower case letters, or five
# capitals. Shorter runs are common in random text: counting them let through about one random
# 32-character token in twenty (one in a hundred now).
_WORDLIKE = re.compile(r"[A-Z]?[a-z]{4,}|[A-Z]{5,}")
DEFAULT_MIN_RANDOM_LENGTH = 24


def _entropy(value: str) -> float:
    """Shannon entropy of the characters, in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str, min_length: int) -> bool:
    """A long run of token characters that mixes letters and digits, has high entropy and
    does not read as words: how API keys and client secrets look, and how ids, URLs, host
    names and resource paths do not. A heuristic: `allowedKeys` exempts what it gets wrong."""
    if len(value) < min_length or not _TOKEN_CHARS.match(value) or _UUID.match(value):
        return False
    if not (re.search(r"[0-9]", value) and re.search(r"[A-Za-z]", value)):
        return False
    if _HEX.match(value):
        return len(value) >= max(min_length, 32) and _entropy(value) >= 3.0
    wordlike = sum(len(m.group()) for m in _WORDLIKE.finditer(value)) / len(value)
    return wordlike < 0.5 and _entropy(value) >= 3.5


def secret_value_reason(value: str, min_length: int = DEFAULT_MIN_RANDOM_LENGTH) -> str | None:
    """Why `value` looks like a credential, or None. The reason never quotes the value."""
    for pattern, label in _KNOWN_SHAPES:
        if pattern.search(value):
            return f"its value looks like {label}"
    if _looks_random(value, min_length):
        return "its value looks like a generated secret (long, random)"
    return None


def plain_secrets(resource: Resource, config: Mapping[str, Any]) -> list[str]:
    """IntegrationConfig: a key of `parameters` that names a secret or holds one.

    `config`: `allowedKeys` (keys never reported), `secretWords` (more words that name a secret),
    `checkValues` (false: judge by the key alone), `minRandomLength` (how long a value must be
    before it can look generated)."""
    if resource.kind != "IntegrationConfig":
        return []
    parameters = resource.get("parameters")
    if not isinstance(parameters, Mapping):
        return []  # unset, or unknown in a preview: `up` checks it again once it is known
    allowed = {str(key) for key in config.get("allowedKeys") or ()}
    extra_words = [str(word) for word in config.get("secretWords") or ()]
    check_values = config.get("checkValues", True) is not False
    min_length = _int(config.get("minRandomLength"), DEFAULT_MIN_RANDOM_LENGTH)
    target = resource.spell("secret_parameters")
    messages = []
    for key in sorted(parameters, key=str):
        if key in allowed:
            continue
        value = parameters[key]
        reason = secret_key_reason(str(key), extra_words)
        if reason is None and check_values and isinstance(value, str):
            reason = secret_value_reason(value, min_length)
        if reason is not None:
            messages.append(
                f"`{resource.spell('parameters')}` has the key {str(key)!r}, and {reason}. "
                f"Move it to `{target}`, which the stack keeps encrypted and Fruxon masks in "
                "its answers. If it is not a secret, add the key to this policy's `allowedKeys`."
            )
    return messages


# --- the other rules ---------------------------------------------------------------------------


def relative_return_url(resource: Resource, config: Mapping[str, Any]) -> list[str]:
    """AuthorizationUrl: `return_url` must be a path on Fruxon's own site (`return_url_problem`,
    the rule the provider enforces)."""
    if resource.kind != "AuthorizationUrl":
        return []
    value = resource.get("return_url")
    if not isinstance(value, str):
        return []  # unset (Fruxon's default page), or unknown in a preview
    problem = return_url_problem(value)
    if problem is None:
        return []
    name = resource.spell("return_url")
    return [
        f"`{name}` {problem}. Use a path on Fruxon's own site, such as '/integrations', or "
        f"leave `{name}` out."
    ]


def sign_in_required(resource: Resource, config: Mapping[str, Any]) -> list[str]:
    """CredentialLink: `require_sign_in` false lets whoever holds the link set the credential."""
    if resource.kind != "CredentialLink" or resource.get("require_sign_in") is not False:
        return []
    name = resource.spell("require_sign_in")
    return [
        f"`{name}` is false: anyone who holds the link can set this config's credential, "
        f"without signing in to Fruxon. Leave `{name}` at its default (true), and name the "
        f"person with `{resource.spell('intended_for_email')}`."
    ]


def long_lived_link(resource: Resource, config: Mapping[str, Any]) -> list[str]:
    """CredentialLink: a link that stays open longer than `maxTtlHours` (default 168, Fruxon's
    own default TTL). An unset `ttl_hours` counts as Fruxon's default."""
    if resource.kind != "CredentialLink":
        return []
    limit = _int(config.get("maxTtlHours"), DEFAULT_MAX_TTL_HOURS)
    name = resource.spell("ttl_hours")
    value = resource.get("ttl_hours")
    ttl: float
    if value is None:
        ttl = FRUXON_DEFAULT_TTL_HOURS
        said = f"`{name}` is unset, so the link lasts Fruxon's default"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ttl, said = value, f"`{name}` is"
    else:
        return []  # unknown in a preview, or not a number (the provider's check says so)
    if ttl <= limit:
        return []
    return [
        f"{said} {ttl:g} hours, over this policy's limit of {limit} hours (`maxTtlHours`). "
        f"Set `{name}` to {limit} or less: an open link is a way in for as long as it lasts, "
        "and a new one is minted by changing `rotation`."
    ]


def unpublished(resource: Resource, config: Mapping[str, Any]) -> list[str]:
    """IntegrationConfig or IntegrationAuth with `publish` false: agents keep using the last
    published revision."""
    if resource.kind not in ("IntegrationConfig", "IntegrationAuth"):
        return []
    if resource.get("publish") is not False:
        return []
    what = (
        "the config's changes stay" if resource.kind == "IntegrationConfig" else "the binding stays"
    )
    return [
        f"`publish` is false: {what} in the draft, and agents' tool calls keep using the "
        "last published revision. Leave `publish` at its default (true), or publish the draft "
        "in the Fruxon dashboard."
    ]


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return int(value)
