"""The demo catalogue `FruxonEmulator()` serves: integrations modelled on real services, built
with `_catalogue.py`'s builders, and the configs the demo starts with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from ._catalogue import (
    IntegrationSpec,
    JSONObject,
    integration_wire,
    oauth2_method,
    parameter,
    secret_method,
    tool_wire,
)


@dataclass(frozen=True)
class DemoConfig:
    """A config the demo catalogue starts with; `auth_method_id` set means auth is bound."""

    display_name: str
    auth_method_id: str | None = None


# (tool id, description, actionType)
_Tool = tuple[str, str, str]


def _demo(
    integration_id: str,
    display_name: str,
    description: str,
    *,
    tags: Sequence[str],
    auth: Sequence[JSONObject],
    tools: Sequence[_Tool],
    type: str = "SYSTEM",
    parameters: Sequence[JSONObject] = (),
    has_triggers: bool = False,
    has_channels: bool = False,
) -> IntegrationSpec:
    return IntegrationSpec(
        integration_wire(
            integration_id,
            display_name=display_name,
            description=description,
            type=type,
            tags=tags,
            auth_methods=auth,
            parameters=parameters,
        ),
        [
            tool_wire(integration_id, tid, description=desc, action_type=action)
            for tid, desc, action in tools
        ],
        has_triggers=has_triggers,
        has_channels=has_channels,
    )


def demo_catalogue() -> list[IntegrationSpec]:
    """The realistic catalogue `FruxonEmulator()` serves."""
    return [
        _demo(
            "salesforce",
            "Salesforce",
            "CRM: accounts, contacts, opportunities and custom objects.",
            tags=["crm", "sales"],
            parameters=[parameter("instance_url", "Instance URL")],
            auth=[
                oauth2_method(
                    ["api", "refresh_token", "offline_access", "id", "profile", "email", "full"],
                    default_scopes=["api", "refresh_token"],
                    provider="Salesforce",
                )
            ],
            tools=[
                ("query_records", "Run a SOQL query.", "READ_ONLY"),
                ("create_record", "Create a record of any object type.", "REVERSIBLE"),
                ("update_record", "Update fields on a record.", "REVERSIBLE"),
                ("delete_record", "Delete a record.", "IRREVERSIBLE"),
            ],
            has_triggers=True,
        ),
        _demo(
            "slack",
            "Slack",
            "Team chat: post messages, read channels, react.",
            tags=["chat", "messaging"],
            auth=[
                oauth2_method(
                    [
                        "channels:read",
                        "channels:history",
                        "chat:write",
                        "users:read",
                        "im:write",
                        "reactions:write",
                    ],
                    default_scopes=["channels:read", "chat:write"],
                    provider="Slack",
                )
            ],
            tools=[
                ("send_message", "Post a message to a channel.", "REVERSIBLE"),
                ("list_channels", "List public channels.", "READ_ONLY"),
                ("add_reaction", "React to a message with an emoji.", "REVERSIBLE"),
            ],
            has_triggers=True,
            has_channels=True,
        ),
        _demo(
            "github",
            "GitHub",
            "Code hosting: issues, pull requests and workflows.",
            tags=["dev"],
            auth=[
                oauth2_method(
                    ["repo", "read:org", "workflow", "read:user", "user:email"],
                    default_scopes=["repo", "read:user"],
                    provider="GitHub",
                )
            ],
            tools=[
                ("create_issue", "Open an issue.", "REVERSIBLE"),
                ("list_pull_requests", "List pull requests of a repository.", "READ_ONLY"),
                ("comment_on_issue", "Comment on an issue or pull request.", "REVERSIBLE"),
            ],
            has_triggers=True,
        ),
        _demo(
            "hubspot",
            "HubSpot",
            "Marketing and sales CRM: contacts, deals, companies.",
            tags=["crm", "marketing"],
            auth=[
                oauth2_method(
                    [
                        "oauth",
                        "crm.objects.contacts.read",
                        "crm.objects.contacts.write",
                        "crm.objects.deals.read",
                    ],
                    default_scopes=["oauth", "crm.objects.contacts.read"],
                    provider="HubSpot",
                )
            ],
            tools=[
                ("search_contacts", "Search contacts by name or email.", "READ_ONLY"),
                ("create_contact", "Create a contact.", "REVERSIBLE"),
            ],
        ),
        _demo(
            "google_drive",
            "Google Drive",
            "Files and folders in Google Drive.",
            tags=["docs", "storage"],
            auth=[
                oauth2_method(
                    [
                        "https://www.googleapis.com/auth/drive.readonly",
                        "https://www.googleapis.com/auth/drive.file",
                        "https://www.googleapis.com/auth/drive",
                    ],
                    default_scopes=["https://www.googleapis.com/auth/drive.readonly"],
                    provider="Google",
                )
            ],
            tools=[
                ("search_files", "Search files by name or content.", "READ_ONLY"),
                ("get_file", "Download a file's content.", "READ_ONLY"),
                ("upload_file", "Upload a file.", "REVERSIBLE"),
            ],
        ),
        _demo(
            "jira",
            "Jira",
            "Issue tracking and project management by Atlassian.",
            tags=["dev", "project-management"],
            auth=[
                oauth2_method(
                    ["read:jira-work", "write:jira-work", "read:jira-user", "offline_access"],
                    default_scopes=["read:jira-work", "offline_access"],
                    provider="Atlassian",
                )
            ],
            tools=[
                ("create_issue", "Create an issue.", "REVERSIBLE"),
                ("search_issues", "Search issues with JQL.", "READ_ONLY"),
                ("transition_issue", "Move an issue to another status.", "REVERSIBLE"),
            ],
            has_triggers=True,
        ),
        _demo(
            "notion",
            "Notion",
            "Pages and databases in a Notion workspace.",
            tags=["docs"],
            auth=[
                oauth2_method(
                    ["read_content", "update_content", "insert_content"], provider="Notion"
                )
            ],
            tools=[
                ("search_pages", "Search pages by title.", "READ_ONLY"),
                ("create_page", "Create a page.", "REVERSIBLE"),
            ],
        ),
        _demo(
            "zendesk",
            "Zendesk",
            "Customer support tickets and help-center articles.",
            tags=["support", "crm"],
            parameters=[parameter("subdomain", "Subdomain")],
            auth=[
                oauth2_method(
                    ["read", "write", "tickets:read", "tickets:write"],
                    default_scopes=["read"],
                    provider="Zendesk",
                )
            ],
            tools=[
                ("create_ticket", "Open a support ticket.", "REVERSIBLE"),
                ("list_tickets", "List tickets by status.", "READ_ONLY"),
            ],
        ),
        _demo(
            "stripe",
            "Stripe",
            "Payments: charges, refunds and customers.",
            tags=["payments"],
            auth=[
                secret_method(
                    "API_KEY",
                    method_id="api_key",
                    display_name="API key",
                    header_name="Authorization",
                )
            ],
            tools=[
                ("list_charges", "List recent charges.", "READ_ONLY"),
                ("create_refund", "Refund a charge.", "IRREVERSIBLE"),
            ],
        ),
        _demo(
            "telegram",
            "Telegram",
            "Telegram bots: send and receive chat messages.",
            tags=["chat", "messaging"],
            auth=[
                secret_method(
                    "BEARER_TOKEN",
                    method_id="bot_token",
                    display_name="Bot token",
                    header_name="Authorization",
                )
            ],
            tools=[("send_message", "Send a message to a chat.", "REVERSIBLE")],
            has_triggers=True,
            has_channels=True,
        ),
        _demo(
            "internal_crm",
            "Internal CRM",
            "The company's own customer database, behind OAuth2 or an API key.",
            type="CUSTOM",
            tags=["crm"],
            parameters=[
                parameter("base_url", "Base URL"),
                parameter("webhook_secret", "Webhook signing secret", secret=True),
            ],
            auth=[
                oauth2_method(["customers:read", "customers:write"], provider="Internal CRM"),
                secret_method(
                    "API_KEY", method_id="api_key", display_name="API key", header_name="X-Api-Key"
                ),
            ],
            tools=[("lookup_customer", "Find a customer by email.", "READ_ONLY")],
        ),
        _demo(
            "weather_api",
            "Weather API",
            "Public weather forecasts; no authentication.",
            type="CUSTOM",
            tags=["data"],
            auth=[],
            tools=[("get_forecast", "Forecast for a city.", "READ_ONLY")],
        ),
    ]


# Configs the demo catalogue starts with, by integration id.
DEMO_CONFIGS: dict[str, list[DemoConfig]] = {
    "slack": [DemoConfig("Slack workspace", auth_method_id="oauth2")],
    "salesforce": [DemoConfig("Salesforce sandbox")],
    "stripe": [DemoConfig("Stripe live", auth_method_id="api_key")],
}

_DEMO_NAMESPACE = uuid.UUID("6f1d2c58-7d0e-4c55-9d7b-0c2f7b8e9a11")


def demo_config_id(integration_id: str, n: int) -> str:
    """The id of the integration's `n`th demo config (from 0): the same in every run."""
    return str(uuid.uuid5(_DEMO_NAMESPACE, f"{integration_id}/{n}"))
