"""Settings resolution: explicit values, then stack config, then the environment.

The same rules serve the program side (data sources read `pulumi.Config("fruxon")`) and the
provider side (resources read `configure()`'s config). The token never appears in `repr`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pulumi_fruxon import _constants as c
from pulumi_fruxon.errors import ConfigurationError

ConfigGetter = Callable[[str], "str | None"]
"""Looks up a key of the `fruxon` config namespace by its short name, e.g. `"token"`."""

_TRUTHY = {"1", "true", "yes"}


@dataclass(frozen=True)
class FruxonSettings:
    """Everything a client needs to reach Fruxon."""

    token: str | None = field(default=None, repr=False)
    workspace: str | None = None
    base_url: str = c.DEFAULT_BASE_URL
    ca_bundle: str | None = None
    insecure: bool = False

    def __repr__(self) -> str:
        token = "<set>" if self.token else None
        return (
            f"FruxonSettings(token={token}, workspace={self.workspace!r}, "
            f"base_url={self.base_url!r}, ca_bundle={self.ca_bundle!r}, insecure={self.insecure})"
        )

    @classmethod
    def resolve(
        cls,
        *,
        config: ConfigGetter | None = None,
        env: Mapping[str, str] | None = None,
        token: str | None = None,
        workspace: str | None = None,
        base_url: str | None = None,
    ) -> FruxonSettings:
        """Resolve each setting: explicit argument, then `fruxon:<key>` config, then env."""
        environ = os.environ if env is None else env

        def pick(explicit: str | None, key: str, variable: str) -> str | None:
            for value in (explicit, config(key) if config else None, environ.get(variable)):
                if value is not None and value.strip():
                    return value.strip()
            return None

        return cls(
            token=pick(token, "token", c.ENV_TOKEN),
            workspace=pick(workspace, "workspace", c.ENV_WORKSPACE),
            base_url=(pick(base_url, "baseUrl", c.ENV_BASE_URL) or c.DEFAULT_BASE_URL).rstrip("/"),
            ca_bundle=environ.get(c.ENV_CA_BUNDLE) or None,
            insecure=environ.get(c.ENV_INSECURE, "").strip().lower() in _TRUTHY,
        )

    def require_token(self) -> str:
        """The token, or a ConfigurationError that names both ways to set it."""
        if not self.token:
            raise ConfigurationError(
                "No Fruxon token is configured. Set it as a secret stack config value with "
                "`pulumi config set --secret fruxon:token fx_pat_...`, or export FRUXON_TOKEN."
            )
        return self.token

    def require_workspace(self) -> str:
        """The workspace, or a ConfigurationError that names both ways to set it."""
        if not self.workspace:
            raise ConfigurationError(
                "No Fruxon workspace is configured. Set it with "
                "`pulumi config set fruxon:workspace <workspace-id>`, or export FRUXON_WORKSPACE."
            )
        return self.workspace


def pulumi_config_getter() -> ConfigGetter:
    """A getter over the program's `fruxon` stack config (program side only)."""
    import pulumi

    config = pulumi.Config(c.CONFIG_NAMESPACE)
    return config.get
