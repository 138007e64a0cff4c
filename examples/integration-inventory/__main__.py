"""An inventory of Fruxon integrations: ids, auth methods, tool counts, and one in detail.

Read-only: it uses the data sources only, so it creates no resources and runs in preview.
"""

import pulumi

import pulumi_fruxon as fruxon
from pulumi_fruxon.models import Integration

config = pulumi.Config()
focus = config.get("focus") or "salesforce"

found = fruxon.get_integrations(
    query=config.get("query"),
    tags=config.get_object("tags"),
)


def tool_count(integration: Integration) -> int:
    # Lists carry a count; fetch the tools only when the server left it out.
    if integration.tool_count is not None:
        return integration.tool_count
    return len(fruxon.get_integration_tools(integration.id).tools)


pulumi.export("integration_ids", found.ids)
pulumi.export(
    "auth_methods",
    {i.id: [method.id for method in i.auth_methods] for i in found.integrations},
)
pulumi.export("tool_counts", {i.id: tool_count(i) for i in found.integrations})
pulumi.export(
    "oauth2_integrations",
    [i.id for i in found.integrations if any(m.is_oauth2 for m in i.auth_methods)],
)

tools = fruxon.get_integration_tools(focus)
configs = fruxon.get_integration_configs(focus)
pulumi.export("focus_tools", [tool.id for tool in tools.tools])
pulumi.export(
    "focus_configs",
    {c.id: {"display_name": c.display_name, "has_auth": c.is_authorized} for c in configs.configs},
)
