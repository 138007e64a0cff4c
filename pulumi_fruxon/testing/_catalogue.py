"""The emulator's catalogue builders: integrations, auth methods, parameters and tools as the
wire shows them, and a generator of lean integrations for benchmarks. The demo catalogue built
from them is data of its own (`_demo.py`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# A fixed instant (2026-01-01T00:00:00Z) so catalogue timestamps are stable between runs.
CATALOGUE_EPOCH_MS = 1_767_225_600_000

JSONObject = dict[str, Any]


@dataclass
class IntegrationSpec:
    """One integration to load: its wire object (as GET returns it) and what lists need."""

    wire: JSONObject
    tools: list[JSONObject] = field(default_factory=list)
    has_triggers: bool = False
    has_channels: bool = False


def oauth2_method(
    scopes: Sequence[str],
    *,
    default_scopes: Sequence[str] | None = None,
    provider: str = "",
    method_id: str = "oauth2",
    display_name: str = "OAuth 2.0",
) -> JSONObject:
    """An application-level OAuth2 auth method (`authMetadata[]` item)."""
    return {
        "id": method_id,
        "displayName": display_name,
        "description": f"Connect with {provider or 'the provider'} through OAuth 2.0 consent.",
        "type": "O_AUTH2",
        "sensitivity": "HIGH",
        "authProviderName": provider,
        "configTestSupported": True,
        "supportedLevels": ["APPLICATION"],
        "authMap": {"useMap": False, "keyTemplate": "", "parametersMetadata": []},
        # Where DefaultScopes lives upstream is undocumented (docs/fruxon-http-api.md#unknowns);
        # the emulator puts it here.
        "authSettings": {
            "parameters": {},
            "defaultScopes": list(default_scopes if default_scopes is not None else scopes),
        },
        "parametersMetadata": [],
        "availableScopes": list(scopes),
    }


def secret_method(
    method_type: str, *, method_id: str, display_name: str, header_name: str
) -> JSONObject:
    """A non-OAuth auth method (API key, bearer token) with one secret parameter."""
    return {
        "id": method_id,
        "displayName": display_name,
        "description": f"Authenticate with a {display_name.lower()}.",
        "type": method_type,
        "sensitivity": "HIGH",
        "authProviderName": "",
        "configTestSupported": True,
        "supportedLevels": ["APPLICATION"],
        "authMap": {"useMap": False, "keyTemplate": "", "parametersMetadata": []},
        "authSettings": {"parameters": {"header_name": header_name}},
        "parametersMetadata": [parameter("api_key", display_name, secret=True)],
        "availableScopes": [],
    }


def parameter(name: str, display_name: str, *, secret: bool = False) -> JSONObject:
    """A required string parameter (`parametersMetadata[]` item)."""
    return {
        "name": name,
        "index": 0,
        "type": "STRING",
        "typeName": "string",
        "integerRange": None,
        "floatRange": None,
        "options": [],
        "asset": None,
        "displayName": display_name,
        "description": "",
        "required": True,
        "secret": secret,
        "defaultValue": None,
        "jsonSchema": None,
        "uiHint": None,
        "rules": [],
    }


def integration_wire(
    integration_id: str,
    *,
    display_name: str,
    description: str = "",
    type: str = "CUSTOM",
    tags: Sequence[str] = (),
    auth_methods: Sequence[JSONObject] = (),
    parameters: Sequence[JSONObject] = (),
    created_at: int = CATALOGUE_EPOCH_MS,
) -> JSONObject:
    """The integration object exactly as GET /integrations/{id} returns it."""
    return {
        "id": integration_id,
        "displayName": display_name,
        "description": description,
        "type": type,
        "configMetadata": {
            "parametersMetadata": list(parameters),
            "authMetadata": list(auth_methods),
        },
        "tags": list(tags),
        "isInternal": False,
        "createdAt": created_at,
        "modifiedAt": created_at,
    }


def tool_wire(
    integration_id: str,
    tool_id: str,
    *,
    display_name: str | None = None,
    description: str = "",
    action_type: str = "READ_ONLY",
    tool_type: str = "API",
) -> JSONObject:
    """A tool object as the tools list returns it."""
    return {
        "id": tool_id,
        "integrationId": integration_id,
        "displayName": display_name or tool_id.replace("_", " ").capitalize(),
        "description": description,
        "toolType": tool_type,
        "actionType": action_type,
        "resultType": "JSON",
        "parametersMetadata": [],
        "descriptor": {"apiTool": {}, "predefinedTool": None, "mcpTool": None, "codeTool": None},
        "createdAt": CATALOGUE_EPOCH_MS,
        "modifiedAt": CATALOGUE_EPOCH_MS,
        "pricing": [],
        "isAsync": False,
    }


def generated_tools(integration_id: str, count: int) -> list[JSONObject]:
    """`count` plain tools: tool_001, tool_002, ..."""
    actions = ("READ_ONLY", "REVERSIBLE", "IRREVERSIBLE")
    return [
        tool_wire(
            integration_id,
            f"tool_{n:03d}",
            description=f"Generated tool {n} of {integration_id}.",
            action_type=actions[n % 3],
        )
        for n in range(1, count + 1)
    ]


def complete_tool(integration_id: str, tool: JSONObject) -> JSONObject:
    """A caller-supplied tool dict with every missing wire field filled in."""
    return {**tool_wire(integration_id, str(tool["id"])), **tool}


_GENERATED_TAGS = ("crm", "chat", "dev", "docs", "payments", "analytics", "storage", "support")


def generated_catalogue(count: int) -> Iterator[IntegrationSpec]:
    """`count` lean integrations, `integration-00001` onwards, varied deterministically."""
    for n in range(1, count + 1):
        integration_id = f"integration-{n:05d}"
        tags = [_GENERATED_TAGS[n % len(_GENERATED_TAGS)]]
        if n % 3 == 0:
            tags.append(_GENERATED_TAGS[(n // 3) % len(_GENERATED_TAGS)])
        yield IntegrationSpec(
            integration_wire(
                integration_id,
                display_name=f"Integration {n:05d}",
                description=f"Generated integration number {n}.",
                type="SYSTEM" if n % 4 == 0 else "CUSTOM",
                tags=sorted(set(tags)),
                auth_methods=[oauth2_method(["read", "write"], default_scopes=["read"])],
            ),
            generated_tools(integration_id, n % 4),
            has_triggers=n % 5 == 0,
            has_channels=n % 7 == 0,
        )
