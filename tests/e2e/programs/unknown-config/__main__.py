"""The config id only becomes known once `consent` is created: preview sees it as unknown."""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
consent = fruxon.AuthorizationUrl("consent", integration="salesforce")
config_id = consent.url.apply(lambda _: config.require("integrationConfigId"))
connection = fruxon.IntegrationAuth(
    "connection",
    integration="salesforce",
    integration_config_id=config_id,
    credential_key=config.require_secret("credentialKey"),
)
pulumi.export("credential_fingerprint", connection.credential_fingerprint)
