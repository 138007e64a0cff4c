"""One user mistake per run (the `mistake` config value); each must fail with a message that says
what to do, and no traceback."""

import pulumi

import pulumi_fruxon as fruxon

config = pulumi.Config()
mistake = config.require("mistake")
config_id = config.get("integrationConfigId") or "00000000-0000-4000-8000-000000000000"

if mistake == "two-bindings":
    for name in ("first", "second"):
        fruxon.IntegrationAuth(
            name,
            integration="salesforce",
            integration_config_id=config_id,
            credential_key=config.require_secret("credentialKey"),
        )
elif mistake == "import":
    fruxon.IntegrationConfig(
        "adopted",
        integration="salesforce",
        display_name="Salesforce",
        opts=pulumi.ResourceOptions(import_=f"demo/salesforce/{config_id}"),
    )
elif mistake == "data-source-404":
    pulumi.export("integration", fruxon.get_integration("no-such-integration").display_name)
elif mistake == "unknown-integration":
    fruxon.IntegrationConfig("config", integration="no-such-integration", display_name="X")
elif mistake == "bad-auth-method":
    fruxon.IntegrationConfig(
        "config", integration="salesforce", display_name="X", auth_method="no_such_method"
    )
elif mistake == "bad-scope":
    fruxon.AuthorizationUrl("consent", integration="salesforce", scopes=["no-such-scope"])
elif mistake == "wrong-workspace":
    fruxon.IntegrationConfig(
        "config", integration="salesforce", display_name="X", workspace="someone-else"
    )
else:
    raise ValueError(f"unknown mistake {mistake!r}")
