"""`count` resources of `kind`: `fruxon` (IntegrationConfig on the dynamic host), `plugin` (the
same through the provider plugin, as an SDK generated from its schema registers them; the
Pulumi.yaml needs `plugins: providers:`, which bench/plugin_stack.py adds) or `floor` (sends
nothing)."""

import pulumi

config = pulumi.Config()
count = config.require_int("count")
kind = config.require("kind")

if kind == "fruxon":
    import pulumi_fruxon as fruxon

    for n in range(count):
        fruxon.IntegrationConfig(f"r{n}", integration="salesforce", display_name=f"bench {n}")
elif kind == "plugin":
    for n in range(count):
        pulumi.CustomResource(
            "fruxon:index:IntegrationConfig",
            f"r{n}",
            {"integration": "salesforce", "displayName": f"bench {n}"},
        )
else:
    from floor_provider import Floor

    for n in range(count):
        Floor(f"r{n}", integration="salesforce", display_name=f"bench {n}")
