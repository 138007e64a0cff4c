"""A minimal Fruxon program: look an integration up in the catalogue and declare a config for it.

The token comes from `FRUXON_TOKEN` (kept out of state) or `pulumi config set --secret
fruxon:token`; the workspace from `fruxon:workspace`.
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
integration = config.get("integration") or "salesforce"

# A data source: it reads the catalogue in preview too.
found = fruxon.get_integration(integration).integration
pulumi.export("auth_methods", [method.id for method in found.auth_methods])

# Created and published on `pulumi up`, so that agents' tool calls resolve it.
integration_config = fruxon.IntegrationConfig(
    "config",
    integration=integration,
    display_name=f"{found.display_name or integration} (managed by Pulumi)",
)
pulumi.export("config_id", integration_config.config_id)
pulumi.export("live", integration_config.live)
