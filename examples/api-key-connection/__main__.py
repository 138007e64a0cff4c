"""Connect an integration's API key without the key ever passing through Pulumi.

1. `pulumi up` declares the integration config (`IntegrationConfig`, auth method `api_key`)
   and mints a credential link for it (`CredentialLink`), exported as a secret.
2. A human opens the link and types the key into Fruxon, which publishes it as the config's
   next revision. Nobody who runs Pulumi sees it; it is in no stack config and no state.
3. `pulumi refresh` shows `filled: true` on the link and `live: true` on the config. Later runs
   send no request that writes, and never touch the key (the config's PATCH never sends `auth`).
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
integration = config.get("integration") or "stripe"

connection = fruxon.IntegrationConfig(
    "connection",
    integration=integration,
    display_name=config.get("displayName") or f"{integration} (Pulumi)",
    auth_method=config.get("authMethod") or "api_key",
)

# Change `rotation` (any string) to mint a fresh link, e.g. to send it to someone else.
link = fruxon.CredentialLink(
    "api-key",
    integration=integration,
    integration_config_id=connection.config_id,
    intended_for_email=config.get("intendedForEmail"),
    note=f"The {integration} API key for agents",
    rotation=config.get("rotation"),
)

pulumi.export("config_id", connection.config_id)
pulumi.export("credential_link", link.url)  # a secret: `pulumi stack output --show-secrets`
pulumi.export("link_expires_at", link.expires_at)
pulumi.export("link_filled", link.filled)
pulumi.export("live", connection.live)
