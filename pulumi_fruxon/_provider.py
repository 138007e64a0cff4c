"""Plumbing shared by the dynamic providers: settings, pickling, clients, unknowns, shapes.

State format: each provider class's module path, each type token, id shape and output name is
stored in users' stacks. docs/state-format.md lists them all, and is the one list; never rename
or move one without an alias that keeps old stacks working.

Providers are pickled with no state: `__getstate__` keeps an allow-list that is empty today, and
returns None for it. Settings and HTTP clients are runtime-only; they are built by `configure()`
(the host calls it after unpickling) or lazily on first use. Every runtime attribute has a
class-level default so that a pickle written by an older version still loads.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar

import pulumi
from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    DiffResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from pulumi_fruxon import _constants
from pulumi_fruxon._checks import Checker, contains_unknown, is_unknown
from pulumi_fruxon._watchdog import watch_engine
from pulumi_fruxon.errors import ConfigurationError, FruxonError, with_next_step
from pulumi_fruxon.settings import FruxonSettings

if TYPE_CHECKING:
    # httpx and pydantic load with the first client: `check` and `diff` need neither, and the
    # host imports this module on every run (`client()` imports it).
    from pulumi_fruxon.client import FruxonClient

# The methods that talk to Fruxon, and so can fail with a FruxonError the user must read.
_REPORTED = ("create", "read", "update", "delete")

P = ParamSpec("P")
R = TypeVar("R")

# One lock for every provider object: the host runs 4 worker threads on one object, and a
# module-level lock is never pickled.
_CLIENTS_LOCK = threading.Lock()


ResourceT = TypeVar("ResourceT", bound=Resource)


def get_existing(
    resource_class: type[ResourceT],
    provider: ResourceProvider,
    resource_name: str,
    id_: Any,
    outputs: Iterable[str],
    opts: Any,
) -> ResourceT:
    """A resource `.get` returns: registered by id, read by `provider.read`, never managed."""
    resource = resource_class.__new__(resource_class)
    Resource.__init__(
        resource,
        provider,
        resource_name,
        dict.fromkeys(outputs),
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_)),
    )
    return resource


def refuse_import(opts: Any, resource: str, *, adopt: str | None = None) -> None:
    """Fail at registration when asked to import: a dynamic provider's `read` receives only the
    id then, without its pickled provider, and the host crashes (pulumi/pulumi#16175)."""
    if opts is None or getattr(opts, "import_", None) is None:
        return
    way = (
        f"To read an existing one, use `{adopt}`."
        if adopt
        else f"A {resource} cannot be read back from Fruxon; declare a new one instead."
    )
    raise FruxonError(
        f"{resource} does not support `import_` or `pulumi import`: Pulumi's dynamic providers "
        f"cannot import (https://github.com/pulumi/pulumi/issues/16175). {way}"
    )


class Changes(DiffResult):
    """A diff that changes something, naming what: `diffs`, the inputs that changed (the ones
    that replace included). The provider plugin shows them as the resource's detailed diff; the
    dynamic host reads only `DiffResult`'s own fields. An empty `diffs` says only that
    something changes (such as a publish that is due)."""

    def __init__(self, diffs: Iterable[str] = (), replaces: Iterable[str] = ()) -> None:
        replaced = list(replaces)
        super().__init__(changes=True, replaces=replaced)
        self.diffs = list(dict.fromkeys([*replaced, *diffs]))


class FruxonProvider(ResourceProvider):
    """Base class of the Fruxon dynamic providers: configuration, pickling and clients.

    The token is read in `configure()` from `fruxon:token`, else `FRUXON_TOKEN`, and is held only
    by this runtime object and its clients. It is never pickled and never checked before it is
    needed, so `check` and `diff` work offline in preview.
    """

    # Attributes that may be pickled into `__provider`. Empty: nothing a provider holds belongs
    # in state. Add a name here only for a non-sensitive, plain value.
    _PICKLED: ClassVar[tuple[str, ...]] = ()

    # Runtime-only attributes, with class-level defaults so that old pickles still load.
    _settings: FruxonSettings | None = None
    _settings_error: str | None = None  # why the configured settings are malformed
    _clients: dict[str, FruxonClient] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wrap each provider's own create/read/update/delete with `reported`."""
        super().__init_subclass__(**kwargs)
        for name in _REPORTED:
            method = cls.__dict__.get(name)
            if callable(method):
                setattr(cls, name, reported(method))

    def __getstate__(self) -> dict[str, Any] | None:
        """The allow-listed attributes, or None when there are none (today, always).

        None keeps the pickle free of an (empty) state dict. Pickling a dict goes through
        `_batch_setitems`, which Pulumi's `serialize_provider` wraps again on every call in a
        program and never unwraps: with a dict here, a program of about 985 resources hit a
        RecursionError. Pickles written with `{}` still load (`__setstate__`).
        """
        state = {k: v for k, v in self.__dict__.items() if k in self._PICKLED}
        return state or None

    def __setstate__(self, state: Mapping[str, Any] | None) -> None:
        self.__dict__.update({k: v for k, v in (state or {}).items() if k in self._PICKLED})

    def __repr__(self) -> str:
        workspace = self._settings.workspace if self._settings else None
        return f"{type(self).__name__}(workspace={workspace!r})"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate shapes only: no network, unknowns pass, never raises.

        Each provider checks its own inputs in `validate`; every resource also takes an optional
        `workspace`.
        """
        checker = Checker(news if isinstance(news, Mapping) else {})
        self.validate(checker)
        checker.slug("workspace", required=False)
        return CheckResult(checker.inputs, checker.failures)

    def validate(self, checker: Checker) -> None:
        """Check this resource's inputs other than `workspace` (`checker.news`)."""

    # The resource's output names: what `update` keeps when nothing is sent.
    outputs: ClassVar[tuple[str, ...]] = ()

    def admit(self, resource_name: str, inputs: Mapping[str, Any]) -> None:
        """Refuse what a program's registration refuses in the dynamic door, for a process that
        serves every resource of a deployment (the provider plugin calls it on Check and
        Create). Nothing by default."""

    def imported_inputs(self, outs: Mapping[str, Any]) -> dict[str, Any] | None:
        """The inputs a program declares to keep what `read` adopted by id (outputs `outs`) as it
        is: what `pulumi import` writes into the program. None: this resource cannot be
        imported, and its `read` by id alone says why. Only the provider plugin imports."""
        return None

    def declared_workspace(self, outs: Mapping[str, Any]) -> dict[str, Any]:
        """`workspace` as an input: only when it is not the configured one, which a program
        leaves unset."""
        workspace = outs.get("workspace")
        return {} if workspace in (None, self.configured_workspace) else {"workspace": workspace}

    def replace_on_change(
        self,
        keys: Iterable[str],
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        compare: Callable[[str, Any], Any],
    ) -> DiffResult:
        """The diff of a resource that any change of `keys` replaces: each new input against
        the stored output, as `compare(key, value)` shows it; unknown counts as changed, and an
        unset `workspace` means the configured one. No network."""
        replaces = [
            key
            for key in keys
            if (
                self.workspace_changed(news, olds)
                if key == "workspace"
                else contains_unknown(news.get(key))
                or compare(key, news.get(key)) != compare(key, olds.get(key))
            )
        ]
        return Changes(replaces=replaces) if replaces else DiffResult(False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """What a resource that `diff` only ever replaces returns if the engine updates it
        anyway: its outputs as they are, so nothing is wiped."""
        return UpdateResult({k: v for k, v in olds.items() if k in self.outputs})

    def workspace_changed(self, news: Mapping[str, Any], olds: Mapping[str, Any]) -> bool:
        """Whether the resource moves to another workspace: a replace.

        An unset `workspace` means the configured one. Before `configure` ran that is
        unknowable, so it counts as unchanged rather than forcing a replace.
        """
        workspace = news.get("workspace")
        if is_unknown(workspace):
            return True
        effective = self.effective_workspace(workspace)
        return effective is not None and effective != olds.get("workspace")

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve settings from stack config (`fruxon:*`), then the environment. Never fails:
        a malformed setting is raised by `client()`, so `check` and `diff` still work offline."""
        watch_engine()
        settings: FruxonSettings | None = None
        error: str | None = None
        try:
            settings = FruxonSettings.resolve(
                config=lambda key: _config_value(req, f"{_constants.CONFIG_NAMESPACE}:{key}")
            )
        except ConfigurationError as exc:
            error = str(exc)
        with _CLIENTS_LOCK:
            old, self._clients = self._clients, None
            self._settings, self._settings_error = settings, error
        for client in (old or {}).values():
            client.close()

    @property
    def configured_workspace(self) -> str | None:
        """The workspace from configuration, or None when `configure` has not run."""
        return self._settings.workspace if self._settings else None

    def effective_workspace(self, workspace: Any) -> str | None:
        """The resource's own workspace, else the configured one."""
        if isinstance(workspace, str) and workspace.strip():
            return workspace.strip()
        return self.configured_workspace

    def client(self, workspace: Any = None) -> FruxonClient:
        """A client for `workspace` (else the configured one), created once and reused.

        Raises `ConfigurationError` naming both ways to set a missing token or workspace, or
        naming the source of a malformed setting.
        """
        from pulumi_fruxon.client import FruxonClient

        with _CLIENTS_LOCK:
            if self._settings_error is not None:
                raise ConfigurationError(self._settings_error)
            if self._settings is None:
                # Called without `configure` (e.g. directly in a test): environment only.
                self._settings = FruxonSettings.resolve()
            settings = self._settings
            settings.require_token()
            chosen = self.effective_workspace(workspace)
            settings = dataclasses.replace(settings, workspace=chosen)
            key = settings.require_workspace()
            if self._clients is None:
                self._clients = {}
            existing = self._clients.get(key)
            if existing is None:
                existing = self._clients[key] = FruxonClient(settings=settings)
            return existing


def reported(method: Callable[P, R]) -> Callable[P, R]:
    """`method`, letting a `FruxonError` reach the host without our frames or chained causes.

    The host reports any exception as `traceback.format_exc()`, which `pulumi up` prints whole
    (docs/architecture.md#errors). A FruxonError's message already says what failed, why and what
    to do next, so the frames under this wrapper and the exceptions it was raised from are noise:
    the error is re-raised with its traceback cleared and its context suppressed. Any other
    exception is a bug and keeps its full traceback.
    """

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except FruxonError as error:
            raise with_next_step(error).with_traceback(None) from None

    return call


def _config_value(req: ConfigureRequest, key: str) -> str | None:
    value = req.config.get(key)
    return value if isinstance(value, str) else None
