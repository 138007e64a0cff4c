"""An `IntegrationConfig`'s parameters: compared by fingerprint, read back through masks.

Secret parameter values never reach the outputs: `secret_parameter_fingerprints` holds a SHA-256
per name. Fruxon masks secret values in every answer (docs/fruxon-http-api.md#emulator), so a
read cannot see them, and a plain parameter under a name the integration marks secret is masked
too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pulumi

from pulumi_fruxon import _constants
from pulumi_fruxon._fingerprint import fingerprint

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord, Revision


def fingerprints(secret_parameters: Any) -> dict[str, str]:
    if not isinstance(secret_parameters, Mapping):
        return {}
    return {str(k): fingerprint(v) for k, v in secret_parameters.items() if isinstance(v, str)}


# The fingerprint of a secret parameter that a config had when `pulumi import` adopted it:
# Fruxon never returns its value. It stays as it is until the program declares it.
UNREAD = ""


def secrets_changed(declared: Any, stored: Any) -> bool:
    """Whether the declared secret parameters differ from the stored fingerprints. One that was
    set outside the stack (`UNREAD`) counts only once the program declares it."""
    new = fingerprints(declared)
    stored = stored if isinstance(stored, Mapping) else {}
    return new != {k: v for k, v in stored.items() if v != UNREAD or k in new}


def unread(declared: Any, stored: Any) -> dict[str, str]:
    """The stored secret parameters set outside the stack that the program does not declare."""
    new = fingerprints(declared)
    stored = stored if isinstance(stored, Mapping) else {}
    return {k: UNREAD for k, v in stored.items() if v == UNREAD and k not in new}


def carries(outs: Mapping[str, Any]) -> Callable[[Revision], bool]:
    """Whether a published revision holds the declared parameters and auth method.

    Plain parameters are compared by fingerprint. Secret ones only by name: a server may mask
    them in revision reads, and an older revision is ruled out by version before this runs.
    """
    parameters = outs.get("parameters") or {}
    secret_names = set(outs.get("secret_parameter_fingerprints") or {})
    auth_method = outs.get("auth_method")

    def carries(revision: Revision) -> bool:
        found = revision.parameter_fingerprints
        if set(found) != set(parameters) | secret_names:
            return False
        if any(found.get(k) != fingerprint(v) for k, v in parameters.items()):
            return False
        return auth_method is None or revision.auth_method_id == auth_method

    return carries


def unmasked(found: Mapping[str, Any], secret_names: set[str], declared: Any) -> dict[str, Any]:
    """The plain parameters as read back, without the secret ones. A plain parameter that the
    server masks (the integration marks its name secret) keeps its declared value: the read
    cannot see it, and showing the mask would be drift that every `up` publishes again."""
    declared = declared if isinstance(declared, Mapping) else {}
    return {
        name: declared[name] if value == _constants.MASKED and name in declared else value
        for name, value in found.items()
        if name not in secret_names
    }


def warn_masked(config: ConfigRecord, integration: str, props: Mapping[str, Any]) -> None:
    """Say so when a plain parameter holds what the integration marks secret."""
    plain = props.get("parameters") or {}
    masked = sorted(
        name
        for name, value in config.parameters.items()
        if value == _constants.MASKED and name in plain and plain[name] != _constants.MASKED
    )
    if masked:
        pulumi.log.warn(
            f"Config {config.id} of '{integration}': integration '{integration}' marks "
            f"{', '.join(masked)} secret, but this IntegrationConfig declares "
            f"{'it' if len(masked) == 1 else 'them'} in plain `parameters`, which the stack's "
            "state keeps unencrypted (unless the program made the whole map a secret). Move "
            f"{'it' if len(masked) == 1 else 'them'} to `secret_parameters`."
        )


def secret_names(client: FruxonClient, integration: str) -> set[str]:
    """Parameter names the integration marks secret (adoption has no fingerprints to go by)."""
    metadata = client.get_integration(integration).config_metadata.parameters_metadata
    return {str(p.get("name")) for p in metadata if p.get("secret")}
