"""`count` resources of `kind`: `fruxon` (IntegrationConfig) or `floor` (sends nothing)."""

import pulumi

config = pulumi.Config()
count = config.require_int("count")

if config.require("kind") == "fruxon":
    import pulumi_fruxon as fruxon

    for n in range(count):
        fruxon.IntegrationConfig(f"r{n}", integration="salesforce", display_name=f"bench {n}")
else:
    from floor_provider import Floor

    for n in range(count):
        Floor(f"r{n}", integration="salesforce", display_name=f"bench {n}")
