"""The `fruxon` policy pack's cases: `clean` breaks no rule, every other `case` breaks one.

The secret of the `secret-*` cases comes from secret stack config (`planted`), so that the test
can look for it in everything the CLI prints.
"""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
case = config.require("case")
planted = config.get_secret("planted") or pulumi.Output.secret("unset")

link_config = fruxon.IntegrationConfig(
    "stripe", integration="stripe", display_name="Stripe (Pulumi)", auth_method="api_key"
)
parameters: dict[str, pulumi.Input[str]] = {
    "base_url": "https://crm.example",
    "region_id": "9f1c3e2a-4b5d-4e6f-8a7b-0c1d2e3f4a5b",
    "token_url": "https://crm.example/oauth/token",
    "account_ref": link_config.config_id,  # unknown in a preview: no policy may fail on it
}
if case == "secret-key":
    parameters["clientSecret"] = planted
elif case == "secret-value":
    parameters["notes"] = planted

crm = fruxon.IntegrationConfig(
    "crm",
    integration="internal_crm",
    display_name="CRM prod",
    parameters=parameters,
    secret_parameters={"webhook_secret": planted},
    publish=case != "unpublished",
)

absolute = case == "absolute-return-url"
fruxon.AuthorizationUrl(
    "consent",
    integration="internal_crm",
    return_url="https://evil.example/integrations" if absolute else "/integrations",
)

fruxon.CredentialLink(
    "api-key",
    integration="stripe",
    integration_config_id=link_config.config_id,  # unknown in a first preview
    require_sign_in=case != "no-sign-in",
    ttl_hours=720 if case == "long-ttl" else 24,
    note=crm.config_id.apply(lambda _: "for the CRM team"),  # unknown too
)
pulumi.export("config_id", crm.config_id)
