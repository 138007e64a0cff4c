"""Resource ids: which config a resource is about, written and read in one place.

Every id starts with `<workspace>/<integration>/<config id>` (an `AuthorizationUrl`'s third part
is its auth method instead, and a `CredentialLink` adds its link id). Ids are stored in users'
stacks (docs/state-format.md), so their shape never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_fruxon.errors import FruxonError, IntegrationConfigNotFoundError, ResourceIdError


@dataclass(frozen=True)
class ConfigRef:
    """A config, as a resource names it. `workspace` is None when neither the outputs nor the
    id say (the configured one applies)."""

    workspace: str | None
    integration: str
    config_id: str

    def format(self, *more: str) -> str:
        """The resource id: `<workspace>/<integration>/<config id>[/<more>...]`."""
        if not self.workspace:
            raise ValueError("a resource id needs the workspace")
        return "/".join((self.workspace, self.integration, self.config_id, *more))

    @classmethod
    def parse(cls, resource_id: str, *, resource: str, parts: int = 3) -> ConfigRef:
        """The config a resource id names; `ResourceIdError` unless it has `parts` non-empty
        parts."""
        found = resource_id.split("/") if isinstance(resource_id, str) else []
        if len(found) != parts or not all(found):
            tail = "/<link_id>" if parts == 4 else ""
            raise ResourceIdError(
                f"Cannot tell which config {resource} {resource_id!r} refers to; expected an id "
                f"of the form <workspace>/<integration>/<config_id>{tail}."
            )
        return cls(found[0], found[1], found[2])

    def gone(self, cause: FruxonError, *, doing: str = "") -> IntegrationConfigNotFoundError:
        """The error for a config the stack holds that Fruxon no longer has: refresh drops it."""
        return IntegrationConfigNotFoundError(
            f"{doing}{': ' if doing else ''}Config {self.config_id} of integration "
            f"'{self.integration}' no longer exists in workspace '{self.workspace}' ({cause}). "
            "Run `pulumi refresh` to drop it (and what depends on it) from the stack, then "
            "`pulumi up` to create what is still declared."
        )

    @classmethod
    def of(
        cls, resource_id: str, props: Mapping[str, Any], *, config_key: str, resource: str
    ) -> ConfigRef:
        """From the stored outputs (a refresh), else from the id alone (a `.get`)."""
        integration, config_id = props.get("integration"), props.get(config_key)
        if isinstance(integration, str) and isinstance(config_id, str):
            workspace = props.get("workspace")
            return cls(workspace if isinstance(workspace, str) else None, integration, config_id)
        return cls.parse(resource_id, resource=resource)
