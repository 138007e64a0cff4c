"""An IntegrationConfig with a secret parameter from secret stack config."""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
crm = fruxon.IntegrationConfig(
    "crm",
    integration="internal_crm",
    display_name=config.get("displayName") or "CRM prod",
    parameters={"base_url": "https://crm.example"},
    secret_parameters={"webhook_secret": config.require_secret("webhookSecret")},
)
pulumi.export("config_id", crm.config_id)
pulumi.export("live", crm.live)
pulumi.export("fingerprints", crm.secret_parameter_fingerprints)
