"""What the plugin serves: each resource type and function, and the code behind it.

Each resource type is served by the provider class that the dynamic door pickles, and described
by the dynamic resource class (its source; see `_source`). Each function is the call its data
source makes (`pulumi_fruxon.data_sources.FETCHERS`), described by the data source function.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.credential_link import CredentialLinkProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider

PACKAGE = "fruxon"
DATA_SOURCES = "pulumi_fruxon.data_sources"
MODELS = "pulumi_fruxon.models"


@dataclass(frozen=True)
class ResourceKind:
    """One resource type: its dynamic class (`module.name`), its provider class, and the outputs
    that an update never changes (kept known in an update's preview; the rest turn unknown)."""

    module: str
    name: str
    provider: type[FruxonProvider]
    stable: tuple[str, ...]

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.name}"


RESOURCES = (
    ResourceKind(
        "pulumi_fruxon.integration_config",
        "IntegrationConfig",
        IntegrationConfigProvider,
        stable=("integration", "workspace", "config_id"),
    ),
    ResourceKind(
        "pulumi_fruxon.integration_auth",
        "IntegrationAuth",
        IntegrationAuthProvider,
        stable=(
            "integration",
            "integration_config_id",
            "workspace",
            "credential_fingerprint",
            "auth_method_id",
            "level",
            "granted_scopes",
            "config_modified_at",
            "bound_at",
        ),
    ),
    ResourceKind(
        "pulumi_fruxon.authorization_url",
        "AuthorizationUrl",
        AuthorizationUrlProvider,
        stable=("integration", "workspace", "url"),
    ),
    ResourceKind(
        "pulumi_fruxon.credential_link",
        "CredentialLink",
        CredentialLinkProvider,
        stable=(
            "integration",
            "integration_config_id",
            "workspace",
            "url",
            "link_id",
            "mode",
            "created_at",
            "expires_at",
            "expired",
            "filled",
        ),
    ),
)


@dataclass(frozen=True)
class FunctionKind:
    """One function: its data source (`pulumi_fruxon.data_sources.<python>`)."""

    python: str

    @property
    def name(self) -> str:
        head, *rest = self.python.split("_")
        return head + "".join(part.title() for part in rest)

    @property
    def token(self) -> str:
        return f"{PACKAGE}:index:{self.name}"


FUNCTIONS = tuple(
    FunctionKind(name)
    for name in (
        "get_integrations",
        "get_integration",
        "get_integration_tools",
        "get_integration_configs",
    )
)

# Provider configuration: the `fruxon:*` stack config keys that `FruxonSettings.resolve` reads
# (field of `FruxonSettings`, config key), each also read from its FRUXON_* variable.
CONFIG = (
    ("token", "token"),
    ("workspace", "workspace"),
    ("base_url", "baseUrl"),
    ("timeout", "timeout"),
)
SECRET_CONFIG = frozenset({"token"})
