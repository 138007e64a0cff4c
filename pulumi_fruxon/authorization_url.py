"""`AuthorizationUrl`: an OAuth consent URL for application-level auth, minted once on create.

Its provider class path, type token, id and output names (`OUTPUTS`) are stored in users'
stacks: docs/state-format.md lists them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
)

from pulumi_fruxon._checks import Checker, comparable
from pulumi_fruxon._provider import FruxonProvider, refuse_import
from pulumi_fruxon.errors import FruxonError

__all__ = ["AuthorizationUrl", "AuthorizationUrlProvider"]

DEFAULT_AUTH_METHOD = "oauth2"
INPUTS = (
    "integration",
    "auth_method",
    "scopes",
    "config_parameters",
    "return_url",
    "rotation",
    "workspace",
)
OUTPUTS = (*INPUTS, "url")


def _comparable(key: str, value: Any) -> Any:
    """As `diff` compares an input: an unset `auth_method` is the default one."""
    if key == "auth_method" and value is None:
        return DEFAULT_AUTH_METHOD
    return comparable(value)


class AuthorizationUrlProvider(FruxonProvider):
    """Mints the consent URL on create only; any input change (`rotation` too) replaces it."""

    outputs = OUTPUTS

    def validate(self, checker: Checker) -> None:
        news = checker.news
        checker.slug("integration")
        if news.get("auth_method") is None:
            checker.inputs["auth_method"] = DEFAULT_AUTH_METHOD
        else:
            checker.slug("auth_method")
        checker.string_list("scopes")
        checker.string_map("config_parameters")
        checker.return_url("return_url")
        checker.scalar("rotation")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare new inputs with the old OUTPUTS: any change replaces. No network."""
        return self.replace_on_change(INPUTS, olds, news, _comparable)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Mint the URL (`POST …:authorize`). Runs on `pulumi up` only, never in preview."""
        client = self.client(props.get("workspace"))
        integration = str(props["integration"]).strip()
        auth_method = str(props.get("auth_method") or DEFAULT_AUTH_METHOD).strip()
        scopes = props.get("scopes") or None
        config_parameters = props.get("config_parameters") or None
        return_url = props.get("return_url")
        url = client.authorize(
            integration,
            auth_method,
            scopes=scopes,
            config_parameters=config_parameters,
            return_url=return_url,
        )
        outs = {
            "integration": integration,
            "auth_method": auth_method,
            "scopes": list(scopes) if scopes else None,
            "config_parameters": dict(config_parameters) if config_parameters else None,
            "return_url": return_url,
            "rotation": props.get("rotation"),
            "workspace": client.workspace,
            "url": url,
        }
        # The URL is a secret, so the id is not derived from it; a fresh suffix per mint.
        resource_id = f"{client.workspace}/{integration}/{auth_method}/{uuid.uuid4().hex[:12]}"
        return CreateResult(resource_id, {k: v for k, v in outs.items() if v is not None})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Echo the stored state: there is no API to read a minted URL back."""
        if not isinstance(props.get("integration"), str):
            raise FruxonError(
                f"AuthorizationUrl {id_!r} cannot be read from its id alone: Fruxon keeps no "
                "copy of a minted consent URL, so one cannot be imported or adopted. Declare an "
                "AuthorizationUrl to mint one."
            )
        outs = {k: v for k, v in props.items() if k in OUTPUTS}
        inputs = {k: v for k, v in outs.items() if k in INPUTS}
        # Stored inputs name a workspace only when the program set one; the configured workspace
        # is the usual case, so leave it out to hand back the inputs the program gave.
        if inputs.get("workspace") == self.configured_workspace:
            inputs.pop("workspace", None)
        return ReadResult(id_, outs, inputs=inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to do: a consent URL is not a server-side object; it expires by itself."""


class AuthorizationUrl(Resource, module="fruxon", name="AuthorizationUrl"):
    """An OAuth consent URL for an integration, minted on create and stable in state.

    Export `url` (a secret) and open it to consent; the success page shows a single-use credential
    key for `IntegrationAuth`. The URL changes only when an input changes: change `rotation` to mint
    a new one. It is unknown during the first preview.
    """

    integration: pulumi.Output[str]
    """The integration id, as declared."""
    auth_method: pulumi.Output[str]
    """The OAuth auth method the URL consents to (default `oauth2`)."""
    scopes: pulumi.Output[list[str] | None]
    """The scopes asked for; none means the method's defaults."""
    config_parameters: pulumi.Output[dict[str, str] | None]
    """Connection parameters sent with the consent (e.g. an instance URL)."""
    return_url: pulumi.Output[str | None]
    """Where Fruxon sends the browser after consent: a path on Fruxon's own site."""
    rotation: pulumi.Output[str | float | None]
    """Any value; changing it mints a new URL."""
    workspace: pulumi.Output[str]
    """The workspace (tenant id) the URL was minted in."""
    url: pulumi.Output[str]
    """The consent URL to open (a secret). Unknown until the first `pulumi up`."""

    def __init__(
        self,
        resource_name: str,
        *,
        integration: pulumi.Input[str],
        auth_method: pulumi.Input[str] = DEFAULT_AUTH_METHOD,
        scopes: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        config_parameters: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        return_url: pulumi.Input[str] | None = None,
        rotation: pulumi.Input[str | int] | None = None,
        workspace: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Mint an OAuth consent URL on `pulumi up`; it stays the same until an input changes.

        :param resource_name: The unique name of the resource in the stack.
        :param integration: The integration id (e.g. `salesforce`).
        :param auth_method: The integration's OAuth auth method (default `oauth2`);
            `get_integration(...).auth_methods` lists them.
        :param scopes: The scopes to ask for; by default the method's own defaults.
        :param config_parameters: Connection parameters the consent needs (e.g. an instance
            URL), as the integration's config metadata names them.
        :param return_url: A path on Fruxon's site (like `/integrations`) to return to after
            consent; anything that could leave Fruxon's origin is refused.
        :param rotation: Any string or number; change it to mint a new URL (e.g. after one
            was used).
        :param workspace: The workspace (tenant id); defaults to `fruxon:workspace` or
            `FRUXON_WORKSPACE`.
        :param opts: Pulumi resource options. `import_` is refused: a URL cannot be read back.
        """
        refuse_import(opts, "AuthorizationUrl")
        props: dict[str, Any] = {
            "integration": integration,
            "auth_method": auth_method,
            "scopes": scopes,
            "config_parameters": config_parameters,
            "return_url": return_url,
            "rotation": rotation,
            "workspace": workspace,
            "url": None,
        }
        super().__init__(
            AuthorizationUrlProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["url"])
            ),
        )
