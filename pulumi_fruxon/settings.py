"""Settings resolution: explicit values, then stack config, then the environment.

The same rules serve the program side (data sources read `pulumi.Config("fruxon")`) and the
provider side (resources read `configure()`'s config). The token never appears in `repr`.

Every value is checked when the settings are built, before any request: a malformed value
raises `ConfigurationError` naming where it came from (`FRUXON_TOKEN`, `fruxon:baseUrl`, ...).
A message never repeats the token, and never repeats a URL, which may carry credentials.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pulumi_fruxon import _constants
from pulumi_fruxon.errors import ConfigurationError

ConfigGetter = Callable[[str], "str | None"]
"""Looks up a key of the `fruxon` config namespace by its short name, e.g. `"token"`."""

_TRUTHY = {"1", "true", "yes"}


@dataclass(frozen=True)
class FruxonSettings:
    """Everything a client needs to reach Fruxon.

    `sources` maps a field name to where its value came from, for error messages; `resolve`
    fills it, and a field it does not name is called "the <field> setting".
    """

    token: str | None = field(default=None, repr=False)
    """The Fruxon API token (`fx_pat_...` or `fx_sat_...`), sent as a bearer token; set it as a
    secret. Falls back to the FRUXON_TOKEN environment variable."""
    workspace: str | None = None
    """The Fruxon workspace (tenant) id that resources and functions use unless they name their
    own. Falls back to FRUXON_WORKSPACE."""
    base_url: str = _constants.DEFAULT_BASE_URL
    """The Fruxon API's base URL. Falls back to FRUXON_BASE_URL, then https://api.fruxon.com."""
    ca_bundle: str | None = None
    """A CA bundle file to verify Fruxon's certificate with (FRUXON_CA_BUNDLE only)."""
    insecure: bool = False
    """Skip TLS verification (FRUXON_INSECURE only); never in production."""
    timeout: float = _constants.DEFAULT_TIMEOUT
    """The deadline of each request to Fruxon in seconds, every retry and wait included. Falls
    back to FRUXON_TIMEOUT."""
    sources: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.token is not None and not _is_header_safe(self.token):
            raise ConfigurationError(
                f"The Fruxon token from {self.source('token')} contains whitespace, a control "
                "character or a non-ASCII character, so no HTTP header can carry it. Set it "
                "again as the bare token: no quotes, spaces or line breaks."
            )
        problem = _base_url_problem(self.base_url)
        if problem:
            raise ConfigurationError(
                f"The Fruxon base URL from {self.source('base_url')} {problem}. Use a URL like "
                f"{_constants.DEFAULT_BASE_URL}, or http://127.0.0.1:<port> for the emulator."
            )
        if not (isinstance(self.timeout, int | float) and math.isfinite(self.timeout)) or (
            self.timeout <= 0
        ):
            raise ConfigurationError(
                f"The timeout from {self.source('timeout')} must be a positive number of "
                f"seconds, got {self.timeout!r}"
            )

    def __repr__(self) -> str:
        token = "<set>" if self.token else None
        return (
            f"FruxonSettings(token={token}, workspace={self.workspace!r}, "
            f"base_url={self.base_url!r}, ca_bundle={self.ca_bundle!r}, insecure={self.insecure}, "
            f"timeout={self.timeout})"
        )

    def source(self, name: str) -> str:
        """Where the value of field `name` came from, as a user would set it."""
        return self.sources.get(name, f"the {name} setting")

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
        """Resolve each setting: explicit argument, then `fruxon:<key>` config, then env.

        Raises `ConfigurationError` for a malformed value, naming its source.
        """
        environ = os.environ if env is None else env
        sources: dict[str, str] = {}

        def pick(field_name: str, explicit: str | None, key: str, variable: str) -> str | None:
            candidates = (
                (explicit, f"the {field_name} argument"),
                (config(key) if config else None, f"{_constants.CONFIG_NAMESPACE}:{key}"),
                (environ.get(variable), variable),
            )
            for value, source in candidates:
                if value is not None and value.strip():
                    sources[field_name] = source
                    return value.strip()
            return None

        timeout = _constants.DEFAULT_TIMEOUT
        timeout_text = pick("timeout", None, "timeout", _constants.ENV_TIMEOUT)
        if timeout_text is not None:
            try:
                timeout = float(timeout_text)
            except ValueError:
                raise ConfigurationError(
                    f"The timeout from {sources['timeout']} must be a number of seconds, "
                    f"got {timeout_text!r}"
                ) from None
        if environ.get(_constants.ENV_CA_BUNDLE):
            sources["ca_bundle"] = _constants.ENV_CA_BUNDLE
        return cls(
            token=pick("token", token, "token", _constants.ENV_TOKEN),
            workspace=pick("workspace", workspace, "workspace", _constants.ENV_WORKSPACE),
            base_url=(
                pick("base_url", base_url, "baseUrl", _constants.ENV_BASE_URL)
                or _constants.DEFAULT_BASE_URL
            ).rstrip("/"),
            ca_bundle=environ.get(_constants.ENV_CA_BUNDLE) or None,
            insecure=environ.get(_constants.ENV_INSECURE, "").strip().lower() in _TRUTHY,
            timeout=timeout,
            sources=sources,
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


def _is_header_safe(token: str) -> bool:
    """Visible ASCII only: what an `Authorization` header can carry without any escaping."""
    return all("!" <= ch <= "~" for ch in token)


def _base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a base URL, or None. Never quotes the URL itself."""
    if not _is_header_safe(url):
        return "contains whitespace, a control character or a non-ASCII character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- parses the port, raising ValueError when it is not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        shown = f"'{parts.scheme}://'" if parts.scheme else "none"
        return f"must start with http:// or https:// (its scheme is {shown})"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; set the token as fruxon:token or FRUXON_TOKEN"
    if parts.query or parts.fragment:
        return "must not have a query or a fragment"
    return None


def pulumi_config_getter() -> ConfigGetter:
    """A getter over the program's `fruxon` stack config (program side only)."""
    import pulumi

    config = pulumi.Config(_constants.CONFIG_NAMESPACE)
    return config.get
