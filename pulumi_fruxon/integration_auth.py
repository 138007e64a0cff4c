"""`IntegrationAuth`: bind the credentials behind a single-use OAuth key to an integration config.

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

from pulumi_fruxon._auth_outputs import (
    PUBLISH_SETTINGS,
    READ_BACK,
    carries,
    changed_publish_settings,
    publish_binding,
    publish_settings,
    read_back,
)
from pulumi_fruxon._bindings import binding_state, check_claim, claim, note_bound
from pulumi_fruxon._checks import Checker, comparable, is_unknown
from pulumi_fruxon._consume import PENDING_CONSUME, consume_keeping_state, settle
from pulumi_fruxon._fingerprint import fingerprint
from pulumi_fruxon._ids import ConfigRef
from pulumi_fruxon._provider import Changes, FruxonProvider, get_existing, refuse_import
from pulumi_fruxon._publishing import (
    PUBLISH_OUTPUTS,
    refresh_live,
    wants_publish,
)
from pulumi_fruxon.errors import (
    FruxonError,
    IntegrationConfigNotFoundError,
    NotFoundError,
)

if TYPE_CHECKING:  # annotations only: the host imports this module on every run (see _provider)
    from pulumi_fruxon.client import FruxonClient
    from pulumi_fruxon.models import ConfigRecord

# Its errors live in `pulumi_fruxon.errors`, the one module that exports errors.
__all__ = ["IntegrationAuth", "IntegrationAuthProvider"]

# Input keys that force a replace when they change. The key itself is compared by fingerprint.
IDENTITY = ("integration", "integration_config_id", "workspace")
OUTPUTS = (
    *IDENTITY,
    "credential_fingerprint",
    *READ_BACK,
    *PUBLISH_SETTINGS,
    # The config's modifiedAt right after the bind; a revision published since carries it.
    "bound_at",
    *PUBLISH_OUTPUTS,
)


class IntegrationAuthProvider(FruxonProvider):
    """Consumes a credential key into a config on create; never in preview, never twice."""

    # Config id -> the IntegrationAuth that binds it, in this process (`admit`); runtime only.
    _claims: dict[str, str] | None = None

    def admit(self, resource_name: str, inputs: Mapping[str, Any]) -> None:
        """One IntegrationAuth per config, as `IntegrationAuth` checks at registration."""
        config_id = inputs.get("integration_config_id")
        if isinstance(config_id, str) and config_id.strip():
            if self._claims is None:
                self._claims = {}
            check_claim(self._claims, config_id, resource_name)

    def validate(self, checker: Checker) -> None:
        checker.slug("integration")
        checker.uuid("integration_config_id")
        checker.secret_string(
            "credential_key",
            when_empty="The key is what the success page shows after an admin consents at your "
            "AuthorizationUrl's `url`; set it (`pulumi config set --secret credentialKey <key>` "
            "for a key read from stack config), or leave this IntegrationAuth out of the "
            "program, or out of this run with `pulumi up --exclude`, until then.",
        )
        checker.boolean("publish", default=True)
        checker.text("publish_note", required=False)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare new inputs with the old OUTPUTS. Any difference replaces; no network.

        The old outputs are the stack's state, so the binding they hold is settled: its consume
        record is dropped (a local file, no request).
        """
        settle(olds.get("credential_fingerprint"))
        replaces = [
            key
            for key in ("integration", "integration_config_id")
            if is_unknown(news.get(key)) or comparable(news.get(key)) != comparable(olds.get(key))
        ]
        if self.workspace_changed(news, olds):
            replaces.append("workspace")
        credential_key = news.get("credential_key")
        if is_unknown(credential_key) or (
            isinstance(credential_key, str)
            and credential_key.strip()
            and fingerprint(credential_key.strip()) != olds.get("credential_fingerprint")
        ):
            replaces.append("credential_key")
        if replaces:
            if "credential_key" not in replaces and olds.get("credential_fingerprint"):
                # The replacement consumes the same key again, which Fruxon refuses: say so now.
                pulumi.log.warn(
                    f"IntegrationAuth for config {olds.get('integration_config_id')} of "
                    f"'{olds.get('integration')}' will be replaced ({', '.join(replaces)} "
                    "changed), but its `credential_key` was already consumed, and keys are "
                    "single-use: the replacement will fail. Give it a new key from a fresh "
                    "consent (an AuthorizationUrl for the new config) in the same `pulumi up`."
                )
            return Changes(replaces=replaces)
        # Publishing settings update in place, and so does a binding that is not live: the
        # update publishes again and never consumes.
        changed = changed_publish_settings(news, olds)
        if changed or wants_publish(news, olds):
            return Changes(changed)
        return DiffResult(changes=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Consume the key into the config, then read the config back for the outputs."""
        integration = str(props["integration"]).strip()
        config_id = str(props["integration_config_id"]).strip()
        credential_key = str(props["credential_key"]).strip()
        client = self.client(props.get("workspace"))
        workspace = client.workspace
        outs: dict[str, Any] = {
            "integration": integration,
            "integration_config_id": config_id,
            "workspace": workspace,
            "credential_fingerprint": fingerprint(credential_key),
            **publish_settings(props),
            "published_revision_id": None,
            "published_version": None,
            "live": False,
        }
        resource_id = ConfigRef(workspace, integration, config_id).format()
        return CreateResult(resource_id, self._consume(client, resource_id, outs, credential_key))

    @staticmethod
    def _consume(
        client: FruxonClient,
        resource_id: str,
        outs: dict[str, Any],
        credential_key: str,
        pending: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Consume the key (`pending`: again, after a send whose outcome is unknown), then the
        outputs of the bind: read back from the config, then published if wanted."""
        after = consume_keeping_state(client, resource_id, outs, credential_key, pending)
        # From here on the key is spent: always return a result, since raising would orphan the
        # binding.
        note_bound(
            outs["integration"], outs["integration_config_id"], outs["credential_fingerprint"]
        )
        if after is not None:
            outs = {**outs, **read_back(after), "bound_at": after.modified_at}
        return {**outs, **publish_binding(client, outs, "Bound IntegrationAuth to")}

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh, or `IntegrationAuth.get`.

        On refresh, a deleted config, or one without auth, makes the resource leave the state; for
        a get, that is an error, since there is nothing to adopt.
        """
        ref = ConfigRef.of(
            id_, props, config_key="integration_config_id", resource="IntegrationAuth"
        )
        integration, config_id, workspace = ref.integration, ref.config_id, ref.workspace
        # `IntegrationAuth.get` reads with the id alone; a refresh has the stored outputs.
        adopting = not isinstance(props.get("integration"), str)
        client = self.client(workspace)
        try:
            config: ConfigRecord | None = client.get_integration_config(integration, config_id)
        except NotFoundError:
            config = None
        if config is None or not config.is_authorized:
            if not adopting:
                return ReadResult(None, {})
            problem = "does not exist" if config is None else "has no auth bound"
            raise IntegrationConfigNotFoundError(
                f"IntegrationAuth.get({id_!r}): integration config {config_id} of integration "
                f"'{integration}' in workspace '{client.workspace}' {problem}, so there is no "
                "binding to read. `fruxon.get_integration_configs(integration)` lists the configs; "
                "to bind credentials, declare an IntegrationAuth with a credential key instead."
            )
        settle(props.get("credential_fingerprint"))
        # A pending consume stays in the state until an update finishes it.
        outs = {k: v for k, v in props.items() if k in OUTPUTS or k == PENDING_CONSUME}
        outs.update(
            integration=integration,
            integration_config_id=config_id,
            workspace=client.workspace,
            **read_back(config),
        )
        if adopting:
            outs.setdefault("publish", True)
        outs.update(refresh_live(client, integration, config, outs, carries(outs)))
        # No `inputs=` on purpose. The host hands `read` only the old outputs (dynamic/__main__.py
        # Read), so the inputs it could rebuild would lack `credential_key`. Leaving them unset
        # makes the engine keep the stored inputs, key included (deploy/step.go RefreshStep:
        # "Otherwise, retain the current inputs"). `diff` compares new inputs with these refreshed
        # outputs (fingerprint, ids), so the refresh diff and the next preview stay quiet.
        return ReadResult(id_, outs)

    def imported_inputs(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse `pulumi import`: an IntegrationAuth is its key, and Fruxon never returns the
        key that made a binding, so the imported resource could be neither declared as it is
        nor kept quiet."""
        raise FruxonError(
            f"An IntegrationAuth cannot be imported: Fruxon never returns the credential key "
            f"that made the binding of config {outs.get('integration_config_id')}, and the "
            "resource is that key. The binding stays as it is; to manage it from this stack, "
            "declare an IntegrationAuth with a key from a fresh consent (an AuthorizationUrl), "
            "which binds the config again."
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Publish again when asked to (a binding that is not live, or new publish settings).

        Every other change replaces, so an update consumes a key only to finish a create whose
        consume's outcome was unknown: the state the plugin kept holds `pending_consume`, and
        the engine updates such a resource on the next `pulumi up` (the key is the same one, or
        `diff` would have replaced it).
        """
        outs = {k: v for k, v in olds.items() if k in OUTPUTS}
        outs.update(publish_settings(news))
        pending = olds.get(PENDING_CONSUME)
        if isinstance(pending, Mapping):
            client = self.client(olds.get("workspace"))
            key = str(news["credential_key"]).strip()
            return UpdateResult(self._consume(client, id_, outs, key, pending))
        if outs["publish"]:
            client = self.client(olds.get("workspace"))
            outs.update(publish_binding(client, outs, "IntegrationAuth on", gone_is_error=True))
        return UpdateResult(outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Leave the binding in place (no API revokes it) and say what that means here.

        One GET tells the cases apart: the config is gone (nothing stays bound); it has no auth;
        this process bound it again since with another key (a key rotation replaces the resource
        that way: the new binding stays, nothing to do); or it has auth bound, which Fruxon cannot
        attribute, so it may be this binding (warn, and say how to disconnect).
        """
        settle(props.get("credential_fingerprint"))
        integration = str(props.get("integration", "?"))
        config_id = str(props.get("integration_config_id", "?"))
        where = f"config {config_id} of '{integration}' (workspace '{props.get('workspace')}')"
        state = binding_state(self, props)
        if state == "gone":
            pulumi.log.info(f"IntegrationAuth for {where} left the stack; the config is gone.")
            return
        if state == "unbound":
            return
        if state == "rebound":
            pulumi.log.info(
                f"IntegrationAuth for {where} left the stack; the config was bound again since "
                "(a new key replaces the resource this way), and that binding stays."
            )
            return
        # pulumi.log.warn prints on stderr in the provider host, which the CLI shows.
        pulumi.log.warn(
            f"IntegrationAuth for {where} left the stack, but Fruxon has no API to revoke a "
            "binding: the config's credentials stay bound for as long as the config exists. To "
            "disconnect, delete the config (destroying its IntegrationConfig does), or "
            "re-authorize it with other credentials."
        )


class IntegrationAuth(Resource, module="fruxon", name="IntegrationAuth"):
    """OAuth credentials bound to a Fruxon integration config, from a single-use credential key.

    The key is consumed once, on create. Outputs hold its SHA-256 `credential_fingerprint`, never
    the key. A new key, integration, config or workspace replaces the resource. Deleting leaves
    the binding in place (Fruxon has no API to revoke it).

    The consume writes the config's draft; with `publish` (the default) the draft is then
    published, so that tool calls use the credentials, and `live` says whether the published
    revision carries the binding. A publish that fails, or a rollback that refresh finds, makes
    `live` false, and the next `pulumi up` publishes again (an update: it never consumes).
    """

    integration: pulumi.Output[str]
    """The integration id, as declared (e.g. `salesforce`)."""
    integration_config_id: pulumi.Output[str]
    """The id (a UUID) of the config the credentials are bound to."""
    workspace: pulumi.Output[str]
    """The workspace (tenant id) the config belongs to: the declared one, else the configured."""
    credential_fingerprint: pulumi.Output[str]
    """`sha256:<hex>` of the credential key that was consumed; never the key itself."""
    auth_method_id: pulumi.Output[str | None]
    """The auth method the config holds after the bind (e.g. `oauth2`), as last read."""
    level: pulumi.Output[str | None]
    """The level of the bound auth (`APPLICATION` for a key from a consent), as last read."""
    granted_scopes: pulumi.Output[list[str]]
    """The scopes the provider granted at consent, as last read."""
    config_modified_at: pulumi.Output[int | None]
    """The config's `modifiedAt` (Unix ms) as last read."""
    publish: pulumi.Output[bool]
    """Whether the bind is published so that tool calls use it."""
    publish_note: pulumi.Output[str | None]
    """The note of the revision the bind publishes."""
    bound_at: pulumi.Output[int | None]
    """The config's `modifiedAt` (Unix ms) right after the bind; a revision since carries it."""
    published_revision_id: pulumi.Output[str | None]
    """The revision this binding was last published in (or a newer one still carrying it)."""
    published_version: pulumi.Output[int | None]
    """The version number of `published_revision_id`."""
    live: pulumi.Output[bool]
    """Whether the revision tool calls resolve now carries this binding."""

    def __init__(
        self,
        resource_name: str,
        *,
        integration: pulumi.Input[str],
        integration_config_id: pulumi.Input[str],
        credential_key: pulumi.Input[str],
        workspace: pulumi.Input[str] | None = None,
        publish: pulumi.Input[bool] = True,
        publish_note: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Bind the credentials behind `credential_key` to a config, once.

        :param resource_name: The unique name of the resource in the stack.
        :param integration: The integration id (e.g. `salesforce`). A change replaces the
            resource.
        :param integration_config_id: The id (a UUID) of the config to bind the credentials to.
            A change replaces the resource.
        :param credential_key: The single-use key from the consent success page. A secret: it
            is consumed on create and only its fingerprint is stored. A new key replaces the
            resource (a rotation).
        :param workspace: The workspace (tenant id); defaults to `fruxon:workspace` or
            `FRUXON_WORKSPACE`. A change replaces the resource.
        :param publish: Publish the config after the bind, so that tool calls use the
            credentials (default true).
        :param publish_note: The note of the revision the bind publishes.
        :param opts: Pulumi resource options. `import_` is refused: use `IntegrationAuth.get`.
        """
        refuse_import(opts, "IntegrationAuth", adopt="IntegrationAuth.get(name, id)")
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=["credential_key"])
        props: dict[str, Any] = {
            **dict.fromkeys(OUTPUTS),
            "integration": integration,
            "integration_config_id": pulumi.Output.from_input(integration_config_id).apply(
                lambda config_id: claim(config_id, resource_name)
            ),
            "credential_key": pulumi.Output.secret(credential_key),
            "workspace": workspace,
            "publish": publish,
            "publish_note": publish_note,
        }
        super().__init__(
            IntegrationAuthProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret_opts),
        )

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> IntegrationAuth:
        """Read an existing binding, without managing it: nothing is consumed, nothing deleted.

        `id` is `<workspace>/<integration>/<integration_config_id>`. The config must exist and
        have auth bound; `credential_fingerprint` is unknown to Fruxon and stays empty.
        """
        return get_existing(cls, IntegrationAuthProvider(), resource_name, id, OUTPUTS, opts)
