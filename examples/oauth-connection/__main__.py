"""Connect an integration's application-level OAuth in two `pulumi up` runs.

1. The first run mints a consent URL (`AuthorizationUrl`) and exports it as a secret.
2. An admin opens it and consents; the success page shows a single-use credential key.
3. `pulumi config set --secret credentialKey <key>`, then `pulumi up` again: `IntegrationAuth`
   consumes the key into the integration config. Later runs send no request.
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
integration = config.get("integration") or "salesforce"
credential_key = config.get_secret("credentialKey")

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
        integration_config_id=config.require("integrationConfigId"),
        credential_key=credential_key,
    )
    pulumi.export("credential_fingerprint", connection.credential_fingerprint)
    pulumi.export("auth_method_id", connection.auth_method_id)
    pulumi.export("granted_scopes", connection.granted_scopes)
