"""What an `IntegrationAuth` knows about bindings besides the consume itself.

- `claim`: one `IntegrationAuth` per config in a program, refused at registration otherwise
  (each would replace the other's credentials on every `up`); `check_claim` is the rule, which
  the provider plugin applies to the resources it serves.
- `binding_state`: what became of the binding a deleted `IntegrationAuth` made, for the message
  its delete prints. Fruxon exposes no identity for a binding, so "bound again since" is known
  only for a binding this process made with another key (a replacement creates the new
  resource before it deletes the old one, in the same provider host).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi.runtime import settings

from pulumi_fruxon.errors import FruxonError, NotFoundError

if TYPE_CHECKING:  # annotations only: the host imports the providers on every run
    from pulumi_fruxon._provider import FruxonProvider


# Which IntegrationAuth of this program binds each config, per deployment (keyed by the
# engine's monitor, so that several programs in one process, as in tests, do not meet).
_CLAIMS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def claim(config_id: Any, resource_name: str) -> Any:
    """Refuse a second IntegrationAuth on the same config in one program: each would overwrite
    the other's binding, the later one silently."""
    if not isinstance(config_id, str):
        return config_id
    try:
        claims = _CLAIMS.setdefault(settings.get_monitor(), {})
    except TypeError:  # a monitor that cannot be weakly referenced: no check
        return config_id
    check_claim(claims, config_id, resource_name)
    return config_id


def check_claim(claims: dict[str, str], config_id: str, resource_name: str) -> None:
    """Record that `resource_name` binds `config_id` in `claims` (config id -> resource name),
    or raise if another resource already does."""
    key = config_id.strip().lower()
    other = claims.setdefault(key, resource_name)
    if other != resource_name:
        raise FruxonError(
            f"IntegrationAuth '{resource_name}' and IntegrationAuth '{other}' both bind config "
            f"{config_id}. A config holds one binding, so each `pulumi up` would replace the "
            "other's credentials. Keep one IntegrationAuth per config (to rotate a key, change "
            "the `credential_key` of the one you have)."
        )


def binding_state(provider: FruxonProvider, props: Mapping[str, Any]) -> str:
    """What became of the binding a deleted IntegrationAuth made: "gone" (the config is),
    "unbound", "rebound" (bound again since, e.g. by its replacement), "bound", or "unknown"."""
    integration, config_id = props.get("integration"), props.get("integration_config_id")
    if not isinstance(integration, str) or not isinstance(config_id, str):
        return "unknown"
    try:
        config = provider.client(props.get("workspace")).get_integration_config(
            integration, config_id
        )
    except NotFoundError:
        return "gone"
    except FruxonError:
        return "unknown"
    if not config.is_authorized:
        return "unbound"
    others = _BOUND_HERE.get(_binding_key(config.integration_id or integration, config_id), set())
    if others - {props.get("credential_fingerprint")}:
        return "rebound"
    return "bound"


# The bindings this process made, by config: a replacement creates the new IntegrationAuth before
# the old one's delete, in the same provider host. That is the evidence that the config was bound
# again since; the config's `modifiedAt` is not, since every PATCH of the config moves it.
_BOUND_HERE: dict[tuple[str, str], set[str]] = {}


def _binding_key(integration: str, config_id: str) -> tuple[str, str]:
    return integration.lower(), config_id.lower()


def note_bound(integration: str, config_id: str, key_fingerprint: str) -> None:
    _BOUND_HERE.setdefault(_binding_key(integration, config_id), set()).add(key_fingerprint)
