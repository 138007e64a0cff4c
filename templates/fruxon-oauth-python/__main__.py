"""A Fruxon integration config and its OAuth credentials, declared and live in two `pulumi up`.

1. `pulumi up` creates and publishes the config and mints a consent URL (a secret output).
2. An admin opens it (`pulumi stack output authorization_url --show-secrets`) and consents; the
   success page shows a single-use credential key.
3. `pulumi config set --secret credentialKey <key>` and `pulumi up`: the key is bound to the
   config and published, so agents' tool calls use it (`live`). Later runs send nothing.

The token comes from `FRUXON_TOKEN` (kept out of state) or `pulumi config set --secret
fruxon:token`; the workspace from `fruxon:workspace`.
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
integration = config.get("integration") or "salesforce"

connection_config = fruxon.IntegrationConfig(
    "config",
    integration=integration,
    display_name=f"{integration} (managed by Pulumi)",
)
pulumi.export("config_id", connection_config.config_id)

# Change `rotation` (any string) to mint a fresh URL once this one is used.
consent = fruxon.AuthorizationUrl(
    "consent", integration=integration, rotation=config.get("rotation")
)
pulumi.export("authorization_url", consent.url)

credential_key = config.get_secret("credentialKey")
if credential_key is not None:
    auth = fruxon.IntegrationAuth(
        "auth",
        integration=integration,
        integration_config_id=connection_config.config_id,
        credential_key=credential_key,
    )
    pulumi.export("granted_scopes", auth.granted_scopes)
    pulumi.export("live", auth.live)
