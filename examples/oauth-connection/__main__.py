"""Connect an integration's application-level OAuth, declared and live, in two `pulumi up` runs.

1. The first run creates the integration config (`IntegrationConfig`, published) and mints a
   consent URL (`AuthorizationUrl`), exported as a secret.
2. An admin opens it and consents; the success page shows a single-use credential key.
3. `pulumi config set --secret credentialKey <key>`, then `pulumi up` again: `IntegrationAuth`
   consumes the key into the config and publishes it, so agents' tool calls use it (`live`).
   Later runs send no request.
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
integration = config.get("integration") or "salesforce"
credential_key = config.get_secret("credentialKey")

connection_config = fruxon.IntegrationConfig(
    "config",
    integration=integration,
    display_name=config.get("displayName") or f"{integration} (managed by Pulumi)",
    parameters=config.get_object("parameters"),
    publish_note="pulumi-fruxon: oauth-connection",
)
pulumi.export("config_id", connection_config.config_id)
pulumi.export("config_live", connection_config.live)

# Change `rotation` (any string) to mint a fresh URL, e.g. after the old one was used.
consent = fruxon.AuthorizationUrl(
    "consent",
    integration=integration,
    rotation=config.get("rotation"),
)
pulumi.export("authorization_url", consent.url)

if credential_key is None:
    next_step = (
        "Open the consent URL (`pulumi stack output authorization_url --show-secrets`) and "
        "consent, then run `pulumi config set --secret credentialKey <key from the success "
        "page>` and `pulumi up` again."
    )
    pulumi.log.info(next_step)
    pulumi.export("next_step", next_step)
else:
    connection = fruxon.IntegrationAuth(
        "connection",
        integration=integration,
        integration_config_id=connection_config.config_id,
        credential_key=credential_key,
        publish_note="pulumi-fruxon: bind OAuth credentials",
    )
    pulumi.export("credential_fingerprint", connection.credential_fingerprint)
    pulumi.export("auth_method_id", connection.auth_method_id)
    pulumi.export("granted_scopes", connection.granted_scopes)
    pulumi.export("published_version", connection.published_version)
    pulumi.export("live", connection.live)
