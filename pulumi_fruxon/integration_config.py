"""`IntegrationConfig`: a Fruxon integration config declared in the stack, published by default.

Its provider class path, type token, id and output names (`OUTPUTS`) are stored in users'
stacks: docs/state-format.md lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from pulumi_fruxon._checks import Checker, comparable, contains_unknown, is_unknown
from pulumi_fruxon._config_auth import auth_to_send
from pulumi_fruxon._config_parameters import (
    UNREAD,
    carries,
    secret_names,
    secrets_changed,
    unmasked,
    unread,
)
from pulumi_fruxon._config_settings import (
    config_outputs,
    parameters_change,
    republish,
    setting_changed,
    settings,
)
from pulumi_fruxon._create import create_config, settle
from pulumi_fruxon._ids import ConfigRef
from pulumi_fruxon._provider import Changes, FruxonProvider, get_existing, refuse_import
from pulumi_fruxon._publishing import (
    PUBLISH_OUTPUTS,
    not_published,
    publish_if_wanted,
    refresh_live,
    wants_publish,
)
from pulumi_fruxon.errors import (
    APIError,
    FruxonError,
    IntegrationConfigNotFoundError,
    NotFoundError,
)

if TYPE_CHECKING:  # annotations only: the host imports this module on every run (see _provider)
    pass

__all__ = ["IntegrationConfig", "IntegrationConfigProvider"]

# Input keys whose change replaces the config; every other declared input updates in place.
IDENTITY = ("integration", "workspace")
SETTINGS = ("display_name", "parameters", "auth_method", "publish", "publish_note")
OUTPUTS = (
    *IDENTITY,
    *SETTINGS,
    "config_id",
    "has_auth",
    "secret_parameter_fingerprints",
    *PUBLISH_OUTPUTS,
)


class IntegrationConfigProvider(FruxonProvider):
    """Creates, updates, publishes and deletes one integration config."""

    def validate(self, checker: Checker) -> None:
        checker.slug("integration")
        checker.text("display_name")
        checker.string_map("parameters")
        checker.string_map("secret_parameters", secret=True)
        checker.slug("auth_method", required=False)
        checker.boolean("publish", default=True)
        checker.text("publish_note", required=False)
        plain, secret = checker.news.get("parameters"), checker.news.get("secret_parameters")
        if isinstance(plain, Mapping) and isinstance(secret, Mapping):
            both = sorted(set(plain) & set(secret))
            if both:
                checker.fail(
                    "secret_parameters",
                    f"{', '.join(both)} appear in both parameters and secret_parameters; "
                    "declare each parameter in one of them",
                )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare new inputs with the old OUTPUTS, offline. Identity replaces; settings update.

        The old outputs are the stack's state, so the create that made them is settled: its
        record is dropped (a local file, no request).
        """
        settle(olds.get("workspace"), olds.get("integration"), olds.get("display_name"))
        replaces: list[str] = []
        integration = news.get("integration")
        if is_unknown(integration) or comparable(integration) != comparable(
            olds.get("integration")
        ):
            replaces.append("integration")
        if self.workspace_changed(news, olds):
            replaces.append("workspace")
        if replaces:
            return Changes(replaces=replaces)
        changed = [key for key in SETTINGS if setting_changed(key, news.get(key), olds.get(key))]
        if "auth_method" in changed and olds.get("has_auth") is True:
            pulumi.log.warn(
                f"IntegrationConfig {olds.get('config_id')}: `auth_method` changes from "
                f"{olds.get('auth_method')!r} to {news.get('auth_method')!r}, which replaces the "
                "credentials bound to the config; agents lose them until something binds the "
                "new method (a credential link, a new IntegrationAuth key)."
            )
        secrets = news.get("secret_parameters")
        if contains_unknown(secrets) or secrets_changed(
            secrets, olds.get("secret_parameter_fingerprints")
        ):
            changed.append("secret_parameters")
        if changed or wants_publish(news, olds):
            return Changes(changed)
        return DiffResult(changes=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the config, then publish it unless `publish` is false. Never runs in preview."""
        client = self.client(props.get("workspace"))
        integration = str(props["integration"]).strip()
        config = create_config(
            client,
            integration,
            str(props["display_name"]).strip(),
            parameters=props.get("parameters") or None,
            secret_parameters=props.get("secret_parameters") or None,
            auth_method=props.get("auth_method") or None,
        )
        outs = config_outputs(client, integration, config, props)
        # From here on the config exists: always return it, so that it is never orphaned.
        what = f"Created IntegrationConfig {config.id}"
        outs.update(publish_if_wanted(client, integration, config.id, props, outs, what=what))
        return CreateResult(ConfigRef(client.workspace, integration, config.id).format(), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH only what changed, then publish.

        `auth` goes out only when the declared `auth_method` changed and the server holds
        another method: re-declaring the method that is bound sends nothing, and a method the
        stack never declared is never replaced (`BoundAuthConflictError`).
        """
        client = self.client(news.get("workspace"))
        integration = str(olds["integration"])
        config_id = str(olds["config_id"])
        change: dict[str, Any] = {}
        if setting_changed("display_name", news.get("display_name"), olds.get("display_name")):
            change["display_name"] = str(news["display_name"]).strip()
        change.update(parameters_change(config_id, news, olds))
        kept = unread(news.get("secret_parameters"), olds.get("secret_parameter_fingerprints"))
        auth_method = news.get("auth_method")
        if auth_method and setting_changed("auth_method", auth_method, olds.get("auth_method")):
            to_send = auth_to_send(client, integration, config_id, olds, news)
            if to_send is not None:
                change["auth_method"] = to_send
        if change:
            try:
                config = client.update_integration_config(integration, config_id, **change)
            except NotFoundError as exc:
                raise ConfigRef(client.workspace, integration, config_id).gone(exc) from None
            outs = config_outputs(client, integration, config, news)
            outs["secret_parameter_fingerprints"] = {
                **kept,
                **outs["secret_parameter_fingerprints"],
            }
        else:
            outs = {**{k: v for k, v in olds.items() if k in OUTPUTS}, **settings(news)}
        outs.update(not_published(olds) if change else {k: olds.get(k) for k in PUBLISH_OUTPUTS})
        if change or republish(olds, news):
            what = f"Updated IntegrationConfig {config_id}"
            outs.update(
                publish_if_wanted(
                    client, integration, config_id, news, outs, what=what, gone_is_error=True
                )
            )
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh, or `IntegrationConfig.get`.

        Drift in the display name or the plain parameters shows in the outputs, so the refresh
        diff shows it and the next `up` puts the declared values back. Secret values cannot be
        read (Fruxon masks them): their fingerprints are kept as they were. `auth_method` is kept
        as declared, so that a refresh never turns an auth that `IntegrationAuth` or a credential
        link bound into a change. `live` follows the published revision.
        """
        ref = ConfigRef.of(id_, props, config_key="config_id", resource="IntegrationConfig")
        workspace, integration, config_id = ref.workspace, ref.integration, ref.config_id
        settle(props.get("workspace"), props.get("integration"), props.get("display_name"))
        adopting = not isinstance(props.get("config_id"), str)
        client = self.client(workspace)
        try:
            config = client.get_integration_config(integration, config_id)
        except NotFoundError:
            if not adopting:
                return ReadResult(None, {})
            raise IntegrationConfigNotFoundError(
                f"IntegrationConfig.get({id_!r}): config {config_id} of integration "
                f"'{integration}' does not exist in workspace '{client.workspace}'. "
                "`fruxon.get_integration_configs(integration)` lists the configs."
            ) from None
        if adopting:
            secrets = secret_names(client, integration) & set(config.parameters)
            olds: dict[str, Any] = {
                "auth_method": config.auth_method_id,
                "publish": True,
                # Names only: Fruxon never returns their values (`UNREAD`).
                "secret_parameter_fingerprints": dict.fromkeys(sorted(secrets), UNREAD),
            }
        else:
            olds = {k: v for k, v in props.items() if k in OUTPUTS}
            secrets = set(olds.get("secret_parameter_fingerprints") or {})
        outs = {
            **olds,
            "integration": integration,
            "workspace": client.workspace,
            "config_id": config.id,
            "display_name": config.display_name,
            "parameters": unmasked(config.parameters, secrets, olds.get("parameters")),
            "has_auth": config.is_authorized,
        }
        outs.update(refresh_live(client, integration, config, olds, carries(outs)))
        # No `inputs=`: the engine keeps the stored inputs, `secret_parameters` included, which
        # the outputs cannot rebuild.
        return ReadResult(ConfigRef(client.workspace, integration, config.id).format(), outs)

    def imported_inputs(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """The settings `read` found, as a program declares them, so that the next preview is
        quiet. Secret parameter values cannot be read back (Fruxon masks them): declare them
        under `secret_parameters`, and the next `up` sets them."""
        hidden = unread({}, outs.get("secret_parameter_fingerprints"))
        if hidden:
            pulumi.log.warn(
                f"Config {outs.get('config_id')} has secret parameters "
                f"({', '.join(sorted(hidden))}) whose values Fruxon never returns, so the "
                "imported program cannot declare them. They stay as they are; before you change "
                "its parameters, declare them under secret_parameters with their values."
            )
        inputs = {key: outs.get(key) for key in SETTINGS if key != "publish"}
        if outs.get("publish") is False:
            inputs["publish"] = False
        inputs.update(integration=outs.get("integration"), **self.declared_workspace(outs))
        return {k: v for k, v in inputs.items() if v not in (None, {}, [])}

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """DELETE the config; one that is already gone counts as deleted."""
        settle(props.get("workspace"), props.get("integration"), props.get("display_name"))
        client = self.client(props.get("workspace"))
        integration = str(props["integration"])
        config_id = str(props["config_id"])
        try:
            client.delete_integration_config(integration, config_id)
        except NotFoundError:
            return
        except APIError as exc:
            raise FruxonError(
                f"Fruxon refused to delete config {config_id} of integration '{integration}' "
                f"in workspace '{client.workspace}': {exc}\nIf agents still use the config, "
                "point them at another config first and run `pulumi destroy` (or `up`) again. "
                "To drop it from the stack but keep it in Fruxon, run "
                "`pulumi state delete <urn>`."
            ) from None


class IntegrationConfig(Resource, module="fruxon", name="IntegrationConfig"):
    """A Fruxon integration config: its connection settings, declared in the stack.

    Creating it POSTs the config and publishes it, so that tool calls resolve it (`live`).
    A change to `display_name`, `parameters`, `secret_parameters`, `auth_method` or
    `publish_note` PATCHes only what changed and publishes again; a new `integration` or
    `workspace` replaces it. The PATCH sends `auth` only when `auth_method` changed and the
    config holds another method, so it never unbinds credentials that `IntegrationAuth` or a
    `CredentialLink` bound: declaring the bound method changes nothing in Fruxon, and declaring
    another one over a binding the stack did not declare is refused.

    `secret_parameters` is a secret input; outputs hold only `secret_parameter_fingerprints`
    (a SHA-256 per name). Fruxon masks secret values, so a refresh cannot notice a secret
    changed outside the stack. Deleting it deletes the config in Fruxon.
    """

    integration: pulumi.Output[str]
    """The integration id, as declared."""
    display_name: pulumi.Output[str]
    """The config's name in Fruxon, as last read."""
    parameters: pulumi.Output[dict[str, str]]
    """The plain connection parameters, as last read (secret ones are never outputs)."""
    auth_method: pulumi.Output[str | None]
    """The declared auth method, if any."""
    publish: pulumi.Output[bool]
    """Whether changes are published so that tool calls use them."""
    publish_note: pulumi.Output[str | None]
    """The note of the revisions this resource publishes."""
    workspace: pulumi.Output[str]
    """The workspace (tenant id) the config belongs to."""
    config_id: pulumi.Output[str]
    """The config's id (a UUID): what `IntegrationAuth` and `CredentialLink` take."""
    has_auth: pulumi.Output[bool]
    """Whether the config's draft has auth bound, as last read."""
    secret_parameter_fingerprints: pulumi.Output[dict[str, str]]
    """`sha256:<hex>` of each secret parameter, by name (a secret output); never the values."""
    published_revision_id: pulumi.Output[str | None]
    """The revision this resource last published (or a newer one still carrying its values)."""
    published_version: pulumi.Output[int | None]
    """The version number of `published_revision_id`."""
    live: pulumi.Output[bool]
    """Whether the revision tool calls resolve now carries what this resource declares."""

    def __init__(
        self,
        resource_name: str,
        *,
        integration: pulumi.Input[str],
        display_name: pulumi.Input[str],
        parameters: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        secret_parameters: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        auth_method: pulumi.Input[str] | None = None,
        publish: pulumi.Input[bool] = True,
        publish_note: pulumi.Input[str] | None = None,
        workspace: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a config; `pulumi up` creates or updates it and publishes it.

        :param resource_name: The unique name of the resource in the stack.
        :param integration: The integration id (e.g. `salesforce`). A change replaces the
            config.
        :param display_name: The config's name in Fruxon.
        :param parameters: Plain connection parameters (strings), as the integration's config
            metadata names them. Stored unencrypted in state: put secrets in
            `secret_parameters`.
        :param secret_parameters: Connection parameters that are secrets. A secret input; only
            their fingerprints are outputs.
        :param auth_method: The auth method to choose for the config (for example an API key
            method that a `CredentialLink` then fills). Leave it out for a config that an
            `IntegrationAuth` binds.
        :param publish: Publish each change so that tool calls use it (default true).
        :param publish_note: The note of the revisions this resource publishes.
        :param workspace: The workspace (tenant id); defaults to `fruxon:workspace` or
            `FRUXON_WORKSPACE`. A change replaces the config.
        :param opts: Pulumi resource options. `import_` is refused: use `IntegrationConfig.get`.
        """
        refuse_import(opts, "IntegrationConfig", adopt="IntegrationConfig.get(name, id)")
        props: dict[str, Any] = {
            "integration": integration,
            "display_name": display_name,
            "parameters": parameters,
            "secret_parameters": None
            if secret_parameters is None
            else pulumi.Output.secret(secret_parameters),
            "auth_method": auth_method,
            "publish": publish,
            "publish_note": publish_note,
            "workspace": workspace,
            **dict.fromkeys(
                ("config_id", "has_auth", "secret_parameter_fingerprints", *PUBLISH_OUTPUTS)
            ),
        }
        # The fingerprints too: a bare SHA-256 of a short secret in plain state can be
        # confirmed by guessing.
        secret_opts = pulumi.ResourceOptions(
            additional_secret_outputs=["secret_parameters", "secret_parameter_fingerprints"]
        )
        super().__init__(
            IntegrationConfigProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret_opts),
        )
        # An update never changes the config id, but in its preview the engine hands back the
        # new inputs as outputs, so `config_id` would be unknown and every dependent (an
        # IntegrationAuth, a CredentialLink) would preview as replaced, and a saved plan would
        # not apply. The resource id (`<workspace>/<integration>/<config_id>`) stays known, so
        # the outputs an update never changes are read from it.
        self.config_id = self.id.apply(lambda id_: id_.rsplit("/", 1)[-1])
        self.workspace = self.id.apply(lambda id_: id_.split("/", 1)[0])

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> IntegrationConfig:
        """Read an existing config without managing it: nothing is written or deleted.

        `id` is `<workspace>/<integration>/<config_id>`.
        """
        return get_existing(cls, IntegrationConfigProvider(), resource_name, id, OUTPUTS, opts)
