"""Wire models: pydantic, camelCase on the wire, snake_case in Python.

They are tolerant by design (docs/fruxon-http-api.md#unknowns): unknown fields are kept, enums are
plain strings so a value this package has never seen still parses, and optional fields default.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from pulumi_fruxon._fingerprint import fingerprint


class WireModel(BaseModel):
    """Base: camelCase aliases, populate by either name, keep unknown fields, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True
    )


class AuthMethod(WireModel):
    """One entry of `configMetadata.authMetadata`: a way to authenticate an integration."""

    id: str
    display_name: str | None = None
    description: str | None = None
    type: str = "UNSPECIFIED"
    sensitivity: str | None = None
    auth_provider_name: str | None = None
    config_test_supported: bool | None = None
    supported_levels: list[str] = []
    available_scopes: list[str | dict[str, Any]] = []
    user_credential_auth_type: str | None = None

    @property
    def is_oauth2(self) -> bool:
        return self.type.replace("_", "").upper() == "OAUTH2"

    @property
    def scope_names(self) -> list[str]:
        """`available_scopes` as strings, whatever shape the server sent."""
        names: list[str] = []
        for scope in self.available_scopes:
            if isinstance(scope, str):
                names.append(scope)
            else:
                name = scope.get("scope") or scope.get("id") or scope.get("name")
                if isinstance(name, str):
                    names.append(name)
        return names


class ConfigMetadata(WireModel):
    parameters_metadata: list[dict[str, Any]] = []
    auth_metadata: list[AuthMethod] = []


class Listed(WireModel):
    """An item of a paginated list: it has an `id`, which the client uses to drop repeats."""

    id: str


class Integration(Listed):
    """An integration, as listed or fetched. `tool_count` is only present in lists."""

    display_name: str | None = None
    description: str | None = None
    type: str | None = None
    tags: list[str] = []
    is_internal: bool | None = None
    config_metadata: ConfigMetadata = ConfigMetadata()
    tool_count: int | None = Field(
        default=None, validation_alias=AliasChoices("toolCount", "toolsCount", "tool_count")
    )
    created_at: int | None = None
    modified_at: int | None = None

    @property
    def auth_methods(self) -> list[AuthMethod]:
        return self.config_metadata.auth_metadata


class Tool(Listed):
    """A tool of an integration."""

    integration_id: str | None = None
    display_name: str | None = None
    description: str | None = None
    tool_type: str | None = None
    action_type: str | None = None
    result_type: str | None = None
    parameters_metadata: list[dict[str, Any]] = []
    is_async: bool | None = None
    created_at: int | None = None
    modified_at: int | None = None


class ConfigAuth(WireModel):
    """The auth summary of a config. Secrets are never returned here."""

    level: str | None = None
    integration_auth_metadata_id: str | None = None
    granted_scopes: list[str] = []


class ConfigRecord(Listed):
    """An integration config as Fruxon sends it: tenant-level credentials and connection
    settings (the draft). The resource that declares one is `pulumi_fruxon.IntegrationConfig`."""

    integration_id: str | None = None
    display_name: str | None = None
    parameters: dict[str, Any] = {}
    has_auth: bool = False
    has_auth_map: bool = False
    auth_method_id: str | None = None
    auth: ConfigAuth | None = None
    sandbox_mode: str | None = None
    published_revision_id: str | None = None
    created_by: str | None = None
    created_at: int | None = None
    modified_at: int | None = None

    @property
    def is_authorized(self) -> bool:
        """Whether the draft has auth bound."""
        return self.has_auth or bool(self.auth and self.auth.integration_auth_metadata_id)


class Revision(Listed):
    """A published revision of a config: its identity and non-secret fields only.

    Fruxon's `:publish` (and possibly `:rollback`) echo the whole snapshot with credentials
    unmasked. None of that may be kept: unknown fields are dropped, `auth` is reduced to whether
    one is bound and its method id, and `parameters` to a fingerprint per name.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )

    id: str
    config_id: str | None = None
    version: int | None = None
    note: str | None = None
    sandbox_mode: str | None = None
    egress_country: str | None = None
    created_by: str | None = None
    created_at: int | None = None
    has_auth: bool = False
    auth_method_id: str | None = None
    # The names of the credentials its auth carries (`auth.parameters` with a value, masked or
    # not); None when the server leaves `auth.parameters` out, so nobody can tell.
    credential_names: tuple[str, ...] | None = None
    parameter_fingerprints: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _drop_secrets(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        kept = {k: v for k, v in data.items() if k not in ("auth", "parameters")}
        auth = data.get("auth")
        method = auth.get("integrationAuthMetadataId") if isinstance(auth, dict) else None
        kept["hasAuth"] = isinstance(method, str) and bool(method)
        kept["authMethodId"] = method if isinstance(method, str) else None
        credentials = auth.get("parameters") if isinstance(auth, dict) else None
        if isinstance(credentials, dict):
            kept["credentialNames"] = tuple(sorted(str(k) for k, v in credentials.items() if v))
        elif not isinstance(auth, dict):
            kept["credentialNames"] = ()
        parameters = data.get("parameters")
        if isinstance(parameters, dict):
            kept["parameterFingerprints"] = {
                str(name): fingerprint(value if isinstance(value, str) else repr(value))
                for name, value in parameters.items()
            }
        return kept


ItemT = TypeVar("ItemT", bound=WireModel)


class Page(WireModel, Generic[ItemT]):
    """The `ListPage` envelope; a list walk checks that it reaches `total_count`."""

    items: list[ItemT] = []
    next_page_token: str | None = None
    total_count: int | None = None


class AuthorizeResponse(WireModel):
    authorization_url: str


class CredentialLinkResponse(WireModel):
    """A minted credential link. `url` is a secret (whoever holds it may fill the config's
    credentials), so it is kept out of `repr`; times are Unix ms."""

    id: str
    url: str = Field(repr=False)
    mode: str | None = None
    expires_at: int | None = None
    created_at: int | None = None
    intended_for_email: str | None = None
    note: str | None = None
