"""An IntegrationAuth that names a config the workspace does not have: `pulumi up` must fail."""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
fruxon.IntegrationAuth(
    "connection",
    integration="salesforce",
    integration_config_id=config.require("integrationConfigId"),
    credential_key=config.require_secret("credentialKey"),
)
