"""An IntegrationConfig and a function through the `fruxon` provider plugin, not the dynamic
providers: what an SDK generated from the plugin's schema registers."""

import pulumi

config = pulumi.Config()
secret = config.get_secret("webhookSecret")
crm = pulumi.CustomResource(
    "fruxon:index:IntegrationConfig",
    "crm",
    {
        "integration": "internal_crm",
        "displayName": config.get("displayName") or "CRM prod",
        "parameters": {"base_url": "https://crm.example"},
        "secretParameters": None if secret is None else {"webhook_secret": secret},
        "configId": None,
        "live": None,
        "publishedVersion": None,
    },
)
configs = pulumi.runtime.invoke(
    "fruxon:index:getIntegrationConfigs", {"integration": "internal_crm"}
)
pulumi.export("configId", crm.configId)  # type: ignore[attr-defined]
pulumi.export("live", crm.live)  # type: ignore[attr-defined]
pulumi.export("version", crm.publishedVersion)  # type: ignore[attr-defined]
pulumi.export("configsSeen", len(configs.value["configs"]))
