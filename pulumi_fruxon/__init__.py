"""Pulumi dynamic providers for Fruxon integration credentials.

This module re-exports the public names and nothing else. The typed HTTP client is
`pulumi_fruxon.client.FruxonClient`; the local emulator is `pulumi_fruxon.testing.FruxonEmulator`.
"""

from pulumi_fruxon._version import __version__
from pulumi_fruxon.authorization_url import AuthorizationUrl
from pulumi_fruxon.credential_link import CredentialLink
from pulumi_fruxon.data_sources import (
    GetIntegrationConfigsResult,
    GetIntegrationResult,
    GetIntegrationsResult,
    GetIntegrationToolsResult,
    get_integration,
    get_integration_configs,
    get_integration_configs_output,
    get_integration_output,
    get_integration_tools,
    get_integration_tools_output,
    get_integrations,
    get_integrations_output,
)
from pulumi_fruxon.integration_auth import IntegrationAuth
from pulumi_fruxon.integration_config import IntegrationConfig

__all__ = [
    "AuthorizationUrl",
    "CredentialLink",
    "GetIntegrationConfigsResult",
    "GetIntegrationResult",
    "GetIntegrationToolsResult",
    "GetIntegrationsResult",
    "IntegrationAuth",
    "IntegrationConfig",
    "__version__",
    "get_integration",
    "get_integration_configs",
    "get_integration_configs_output",
    "get_integration_output",
    "get_integration_tools",
    "get_integration_tools_output",
    "get_integrations",
    "get_integrations_output",
]
