"""The fault matrix: each fault the emulator injects, against each operation, as data; one runner.

`tests/reliability/test_fault_matrix.py` runs every cell and compares it with `EXPECTED`;
`scripts/fault_matrix.py` runs the same cells with the same code and prints `render` of what it
saw, which the README's "Reliability" section shows. A cell is:

1. A fresh emulator (on a fixed port when the fault restarts it) and, for the operations that go
   through a provider, a real provider host (`python -m pulumi.dynamic`) with its own consume
   journal folder and `fruxon:timeout` set short for the fault.
2. The first run with the fault armed, aimed at the operation's own route (`Operation.route`):
   the outcome is the error class it ended with, or what it did ("ok after 1 retry", "adopted
   (reconciled)", "bound, not live (warned)").
3. The fault is over (`clear_faults()`), as when a user runs again after an incident; the next
   run must converge: the list comes back whole, the get reads the config, and a resource's next
   `up` succeeds and the one after it is "same". For `IntegrationAuth` it must be live, and what
   the next `up` did is part of the outcome ("next up adopts it").
4. Over both runs, the consumes Fruxon processed (answered 200, or processed and then dropped):
   exactly one for the operations that bind a key, none for the others.
5. No secret (the token, the credential key, the config's secret parameter, the OAuth tokens a
   publish echoes) in any output, error, log line or host stderr.

Every check that fails is flagged in the cell text (`Observed.cell`), so a broken cell can never
print like a good one. Nothing in a cell depends on timing: retries are counted from the
emulator's log, and deadlines are wide enough around the injected delays.

The restart is the same `FruxonEmulator` stopped and started again: same port, same state (its
store is in memory and survives `stop()`/`start()`). It happens while the operation's request is
in flight: the request is held unanswered (`hang_next`, unprocessed), then the stop closes its
connection, and the emulator is back `RESTART_DOWNTIME` later; meanwhile connections are
refused.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import pulumi.runtime

import pulumi_fruxon as fruxon
from pulumi_fruxon._provider import FruxonProvider
from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.errors import FruxonError
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.integration_config import IntegrationConfigProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    AUTHORIZATION_URL,
    INTEGRATION_AUTH,
    INTEGRATION_CONFIG,
    HostError,
    ProviderHost,
    Stack,
    clean_env,
    program_inputs,
    stack_config,
)

INTEGRATION = "internal_crm"
SECRET_PARAMETER = "whsec-matrix-0123456789"
# Integrations in the list operation's catalogue: three pages of 100.
LIST_SIZE = 250
RESTART_DOWNTIME = 0.3
CONSUME = "consumeOAuthCredentials"


# -- the matrix as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    key: str  # the column's key and the test id
    title: str  # the column heading
    route: str  # the emulator route that counted faults aim at
    binds: bool = False  # an IntegrationAuth create, which consumes a key once


OPERATIONS = (
    Operation("list", "list (`get_integrations`)", "listIntegrations"),
    Operation("get", "get (`IntegrationConfig.get`)", "getConfig"),
    Operation("authorize", "authorize (`AuthorizationUrl`)", "authorize"),
    Operation("consume", "consume (`IntegrationAuth`)", CONSUME, binds=True),
    Operation("publish", "publish (`IntegrationAuth`)", "publishConfig", binds=True),
    Operation("create", "create (`IntegrationConfig`)", "createConfig"),
)


@dataclass(frozen=True)
class Fault:
    key: str  # the row's key and the test id
    title: str  # the row heading
    timeout: str  # `fruxon:timeout` for the cell, in seconds
    arm: Callable[[FruxonEmulator, str], None]  # inject it, aimed at a route where it can be
    not_for: tuple[str, ...] = ()  # operations it does not apply to ("n/a")
    why_not: str = ""
    restart: bool = False  # stop and start the emulator while the request is held
    # The CLI dies once the host answered: the engine never records the result.
    killed: bool = False


def _retry_after_date() -> str:
    return formatdate(time.time() + 1, usegmt=True)


_NO_CONSUME = ("list", "get", "authorize", "create")
_NO_PAGES = ("get", "authorize", "consume", "publish", "create")

FAULTS = (
    Fault(
        "429-seconds",
        "429, `Retry-After: 1`",
        "3",
        lambda fx, route: fx.rate_limit_next(1, retry_after="1", route=route),
    ),
    Fault(
        "429-date",
        "429, `Retry-After: <HTTP-date>`",
        "3",
        lambda fx, route: fx.rate_limit_next(1, retry_after=_retry_after_date(), route=route),
    ),
    Fault(
        "5xx-burst",
        "503, twice",
        "3",
        lambda fx, route: fx.fail_next(2, status=503, route=route),
    ),
    Fault(
        "latency",
        "latency 1.5 s, deadline 1 s",
        "1",
        lambda fx, _route: fx.set_latency(1.5),
    ),
    Fault(
        "drop",
        "dropped after the consume",
        "2",
        lambda fx, _route: fx.drop_after_consume(1),
        not_for=(*_NO_CONSUME, "publish"),
        why_not="they hit a consume, which the consume column shows",
    ),
    Fault(
        "drop-outage",
        "dropped after the consume, re-read fails",
        "1",
        lambda fx, _route: fx.drop_after_consume(1, outage=50),
        not_for=(*_NO_CONSUME, "publish"),
        why_not="they hit a consume, which the consume column shows",
    ),
    Fault(
        "malformed-json",
        "malformed JSON",
        "2",
        lambda fx, route: fx.malformed_json_next(1, route=route),
        not_for=("consume",),
        why_not="a consume answers an empty 200, so there is no JSON to break",
    ),
    Fault(
        "page-token-echo",
        "page-token echo",
        "2",
        lambda fx, _route: fx.set_echo_page_tokens(True),
        not_for=_NO_PAGES,
        why_not="only list walks have pages",
    ),
    Fault(
        "item-cycle",
        "item cycle",
        "2",
        lambda fx, _route: fx.set_page_cycle(True),
        not_for=_NO_PAGES,
        why_not="only list walks have pages",
    ),
    Fault(
        "hang",
        "no answer, deadline 1 s",
        "1",
        lambda fx, route: fx.hang_next(1, route=route),
    ),
    Fault(
        "trickle",
        "trickle, a byte per 50 ms, deadline 1 s",
        "1",
        lambda fx, route: fx.trickle_next(1, route=route, interval=0.05),
        not_for=("consume",),
        why_not="a consume answers an empty 200, so there is no body to trickle",
    ),
    Fault(
        "restart",
        "restart mid-request",
        "3",
        lambda fx, route: fx.hang_next(1, route=route),
        restart=True,
    ),
    Fault(
        "drop-create",
        "dropped after the create",
        "2",
        lambda fx, route: fx.drop_after_next(1, route=route),
        not_for=("list", "get", "authorize", "consume", "publish"),
        why_not="they send no create, which the create column shows",
    ),
    Fault(
        "drop-create-outage",
        "dropped after the create, re-list fails",
        "1",
        lambda fx, route: fx.drop_after_next(1, route=route, outage=50),
        not_for=("list", "get", "authorize", "consume", "publish"),
        why_not="they send no create, which the create column shows",
    ),
    Fault(
        "killed",
        "`pulumi` killed once the host answered",
        "2",
        lambda _fx, _route: None,
        not_for=("list", "get", "authorize", "publish"),
        why_not="nothing is lost: they write nothing, or write again safely",
        killed=True,
    ),
)

_NOT_LIVE = "bound, not live (warned); next up publishes"
_UNKNOWN = "ConsumeOutcomeUnknownError; next up binds"
_TIMED_OUT_FIRST = "APITimeoutError before the consume; next up binds"

# What each cell must show, per fault, per operation; absent operations are the fault's `not_for`.
EXPECTED: dict[str, dict[str, str]] = {
    "429-seconds": dict.fromkeys(
        ("list", "get", "authorize", "consume", "publish", "create"), "ok after 1 retry"
    ),
    "429-date": dict.fromkeys(
        ("list", "get", "authorize", "consume", "publish", "create"), "ok after 1 retry"
    ),
    "5xx-burst": {
        "list": "ok after 2 retries",
        "get": "ok after 2 retries",
        "authorize": "ok after 2 retries",
        "consume": _UNKNOWN,
        "publish": _NOT_LIVE,
        "create": "ok after 2 retries",
    },
    "latency": {
        "list": "APITimeoutError",
        "get": "APITimeoutError",
        "authorize": "APITimeoutError",
        "consume": _TIMED_OUT_FIRST,
        "publish": _TIMED_OUT_FIRST,
        "create": "APITimeoutError before the create; next up creates it",
    },
    "drop": {"consume": "adopted (reconciled)"},
    "drop-outage": {"consume": "ConsumeOutcomeUnknownError; next up adopts it"},
    "malformed-json": {
        "list": "InvalidResponseError",
        "get": "InvalidResponseError",
        "authorize": "InvalidResponseError",
        "publish": _NOT_LIVE,
        "create": "adopted (reconciled)",
    },
    "page-token-echo": {"list": "PaginationError"},
    "item-cycle": {"list": "PaginationError"},
    "hang": {
        "list": "APITimeoutError",
        "get": "APITimeoutError",
        "authorize": "APITimeoutError",
        "consume": _UNKNOWN,
        "publish": _NOT_LIVE,
        "create": "ok after 1 retry",
    },
    "trickle": {
        "list": "APITimeoutError",
        "get": "APITimeoutError",
        "authorize": "APITimeoutError",
        "publish": _NOT_LIVE,
        "create": "adopted (reconciled)",
    },
    "restart": {
        "list": "ok after the restart",
        "get": "ok after the restart",
        "authorize": "ok after the restart",
        "consume": _UNKNOWN,
        "publish": _NOT_LIVE,
        "create": "ok after the restart",
    },
    "drop-create": {"create": "adopted (reconciled)"},
    "drop-create-outage": {"create": "ConfigCreateOutcomeUnknownError; next up adopts it"},
    "killed": {"consume": "killed; next up adopts it", "create": "killed; next up adopts it"},
}

NOT_APPLICABLE = "n/a"


def applies(fault: Fault, operation: Operation) -> bool:
    return operation.key not in fault.not_for


def cells() -> list[tuple[Fault, Operation]]:
    """Every pair the matrix runs, row by row."""
    return [(f, o) for f in FAULTS for o in OPERATIONS if applies(f, o)]


def expected_cells() -> dict[tuple[str, str], str]:
    """The table as `EXPECTED` says it must come out, "n/a" included."""
    return {
        (f.key, o.key): EXPECTED[f.key][o.key] if applies(f, o) else NOT_APPLICABLE
        for f in FAULTS
        for o in OPERATIONS
    }


def render(table: Mapping[tuple[str, str], str]) -> str:
    """The Markdown table (rows: faults, columns: operations), then why each n/a is one."""
    lines = [
        "| Fault | " + " | ".join(o.title for o in OPERATIONS) + " |",
        "|---" * (len(OPERATIONS) + 1) + "|",
    ]
    for f in FAULTS:
        row = [table.get((f.key, o.key), "(not run)") for o in OPERATIONS]
        lines.append(f"| {f.title} | " + " | ".join(row) + " |")
    lines.append("")
    reasons: dict[str, list[str]] = {}
    for f in FAULTS:
        if f.not_for:
            reasons.setdefault(f.why_not, []).append(f.title)
    for why_not, titles in reasons.items():
        lines.append(f"- n/a for *{'* and *'.join(titles)}*: {why_not}.")
    return "\n".join(lines) + "\n"


# -- what a cell saw ------------------------------------------------------------------------------


@dataclass
class Observed:
    """What one cell saw. `outcome` is the first run (and, for a binding, what the next did)."""

    outcome: str
    consumes: int  # consumes Fruxon processed, over both runs
    expected_consumes: int
    converged: str | None  # None, or how the next run failed to converge
    leaks: list[str] = field(default_factory=list)  # names of the secrets found, never values

    def cell(self) -> str:
        """The table cell: the outcome, and a flag for every check that failed."""
        flags = []
        if self.consumes != self.expected_consumes:
            flags.append(f"consumed {self.consumes}x")
        if self.converged is not None:
            flags.append(f"did not converge: {self.converged}")
        if self.leaks:
            flags.append("leaked " + ", ".join(self.leaks))
        return self.outcome + "".join(f" **[{flag}]**" for flag in flags)


def run_cell(fault: Fault, operation: Operation) -> Observed:
    """Run one cell from scratch and say what it saw."""
    driver = _DRIVERS[operation.key]
    fx = FruxonEmulator(
        integrations=LIST_SIZE if operation.key == "list" else None,
        port=_free_port() if fault.restart else 0,
    )
    with fx, contextlib.ExitStack() as cleanup:
        return driver(_Cell(fault, operation, fx, cleanup))


def run_all(progress: Callable[[str], None] = lambda _line: None) -> dict[tuple[str, str], str]:
    """Every cell's text, "n/a" included, in the shape `render` takes."""
    table: dict[tuple[str, str], str] = {}
    for f in FAULTS:
        for o in OPERATIONS:
            if not applies(f, o):
                table[(f.key, o.key)] = NOT_APPLICABLE
                continue
            table[(f.key, o.key)] = run_cell(f, o).cell()
            progress(f"{f.key} x {o.key}: {table[(f.key, o.key)]}")
    return table


# -- running a cell -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _warm_host() -> ProviderHost:
    """A started provider host with the package imported, and its own empty folder for the
    consume journal. A Check with the base provider imports the package; the host keeps that
    provider apart from the cells' (one per pickle), since it configures each on first use."""
    state_dir = tempfile.mkdtemp(prefix="fruxon-matrix-")
    started = ProviderHost(clean_env(FRUXON_STATE_DIR=state_dir)).start()
    started.check(AUTHORIZATION_URL, program_inputs(FruxonProvider()))
    started.transcript.clear()
    return started


def _close(started: ProviderHost) -> None:
    started.close()
    shutil.rmtree(started.env["FRUXON_STATE_DIR"], ignore_errors=True)


class _Hosts:
    """Each cell gets a fresh host, started while the previous cell runs: a host takes about a
    second to start and import the package, which would otherwise be most of a cell's time."""

    def __init__(self) -> None:
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="matrix-host")
        self._spare: Future[ProviderHost] | None = None
        atexit.register(self.close)

    def take(self) -> ProviderHost:
        taken = self._spare or self._starter.submit(_warm_host)
        self._spare = self._starter.submit(_warm_host)
        return taken.result()

    def close(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            _close(spare.result())
        self._starter.shutdown()


_HOSTS = _Hosts()


class _Restart:
    """Once a request on `route` is held unanswered, stop the emulator (which closes it) and
    start it again on the same port, with the same state, `RESTART_DOWNTIME` later."""

    def __init__(self, fx: FruxonEmulator, route: str) -> None:
        self.fx = fx
        self.route = route
        self.done = False
        self._quit = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="matrix-restart", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._quit.wait(0.005):
            if any(r.route == self.route and r.fault == "hang" for r in self.fx.requests):
                self.fx.stop()
                time.sleep(RESTART_DOWNTIME)
                self.fx.start()
                self.done = True
                return

    def finish(self) -> None:
        self._quit.set()
        self._thread.join(timeout=10)


@dataclass
class _Cell:
    """One cell's emulator, fault and bookkeeping; the drivers below run the operation."""

    fault: Fault
    operation: Operation
    fx: FruxonEmulator
    cleanup: contextlib.ExitStack
    texts: list[str] = field(default_factory=list)  # everything the user could see
    secrets: dict[str, str] = field(default_factory=dict)  # name -> value
    restart: _Restart | None = None
    first_requests: int | None = None  # where the next run starts in the emulator's log

    def __post_init__(self) -> None:
        self.secrets["the token"] = self.fx.token

    def host(self) -> ProviderHost:
        """A provider host configured for the emulator, with this cell's deadline."""
        started = _HOSTS.take()
        self.cleanup.callback(_close, started)
        config = {**stack_config(self.fx), "fruxon:timeout": self.fault.timeout}
        started.configure(config, secret_keys=["fruxon:token"])
        return started

    def next_host(self, previous: ProviderHost) -> ProviderHost:
        """A new host on the same machine as `previous` (its journal folder), as the next `up`
        after a killed `pulumi` starts."""
        started = ProviderHost(clean_env(FRUXON_STATE_DIR=previous.env["FRUXON_STATE_DIR"]))
        self.cleanup.callback(started.close)
        started.start()
        config = {**stack_config(self.fx), "fruxon:timeout": self.fault.timeout}
        started.configure(config, secret_keys=["fruxon:token"])
        return started

    def after_a_kill(
        self, host: ProviderHost, stack: Stack, stored_secret: str
    ) -> tuple[ProviderHost, Stack]:
        """`pulumi` died once the host answered: the engine never recorded the result, and the
        next `up` starts a new host on the same machine, with the same resource not in state."""
        self.texts.append(host.produced_text(except_check_inputs=[stored_secret]))
        started = self.next_host(host)
        return started, Stack(started, stack.type)

    def config_with_secret(self) -> str:
        config_id = self.fx.add_config(INTEGRATION)
        self.fx.patch_config(
            config_id,
            parameters={"base_url": "https://crm.example", "webhook_secret": SECRET_PARAMETER},
        )
        self.secrets["the secret parameter"] = SECRET_PARAMETER
        return config_id

    def arm(self) -> None:
        self.fx.clear_requests()
        self.fault.arm(self.fx, self.operation.route)
        if self.fault.restart:
            self.restart = _Restart(self.fx, self.operation.route)

    def disarm(self) -> None:
        """The fault is over: what the next run sees is a healthy Fruxon again."""
        if self.restart is not None:
            self.restart.finish()
        self.fx.clear_faults()
        self.first_requests = len(self.fx.requests)

    def first_run(self) -> list[Any]:
        """The requests of the first run (all so far, until `disarm`)."""
        return self.fx.requests[: self.first_requests]

    def next_run(self) -> list[Any]:
        return [] if self.first_requests is None else self.fx.requests[self.first_requests :]

    def success(self) -> str:
        """ "ok", with the failed answers on the operation's route that were retried past (429s,
        5xx, and a create that got no answer), or the restart it rode out."""
        retried = sum(
            1
            for r in self.first_run()
            if r.route == self.operation.route and r.fault in ("rate_limit", "fail", "hang")
        )
        if self.restart is not None and self.restart.done:
            return "ok after the restart"
        if retried:
            return f"ok after {retried} retr{'y' if retried == 1 else 'ies'}"
        return "ok"

    def consumes(self) -> int:
        """Consumes Fruxon processed: answered 200, or processed and then dropped."""
        return sum(
            1
            for r in self.fx.requests
            if r.route == CONSUME and (r.status == 200 or r.fault == "drop_after_consume")
        )

    def leaks(self) -> list[str]:
        seen = "\n".join(self.texts)
        return [name for name, value in self.secrets.items() if value and value in seen]

    def observed(self, outcome: str, converged: str | None) -> Observed:
        return Observed(
            outcome=outcome,
            consumes=self.consumes(),
            expected_consumes=1 if self.operation.binds else 0,
            converged=converged,
            leaks=self.leaks(),
        )


_ERROR_CLASS = re.compile(r"^pulumi_fruxon\.errors\.(\w+): ", re.MULTILINE)
_LAST_EXCEPTION = re.compile(r"^(\w[\w.]*): ", re.MULTILINE)


def _host_error_class(error: HostError) -> str:
    """The class of the error the provider raised, from the traceback the host reports."""
    ours = _ERROR_CLASS.findall(error.details)
    if ours:
        return str(ours[-1])
    others = _LAST_EXCEPTION.findall(error.details)
    return f"crash ({others[-1] if others else error.code.name})"


def _error_class(error: BaseException) -> str:
    if isinstance(error, FruxonError):
        return type(error).__name__
    return f"crash ({type(error).__name__})"


# -- the operations -------------------------------------------------------------------------------


class _LogLines(logging.Handler):
    """Every line the package and httpx log in this process, formatted as a user would see it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


@contextlib.contextmanager
def _program(cell: _Cell) -> Iterator[_LogLines]:
    """The program side: the stack config a data source reads, and its log lines captured."""
    pulumi.runtime.set_all_config(
        {**stack_config(cell.fx), "fruxon:timeout": cell.fault.timeout}, ["fruxon:token"]
    )
    handler = _LogLines()
    loggers = [logging.getLogger(name) for name in ("pulumi_fruxon", "httpx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        pulumi.runtime.set_all_config({}, [])
        cell.texts.extend(handler.lines)


def _list(cell: _Cell) -> Observed:
    """`get_integrations()` in the program process: a data source walks every page."""

    def walk() -> list[str]:
        ids = fruxon.get_integrations().ids
        cell.texts.append(repr(ids))
        return ids

    with _program(cell):
        cell.arm()
        try:
            walk()
            outcome = cell.success()
        except Exception as error:
            cell.texts += [str(error), repr(error)]
            outcome = _error_class(error)
        cell.disarm()
        try:
            ids = walk()
            whole = len(ids) == len(set(ids)) == LIST_SIZE
            converged = None if whole else f"the list held {len(ids)} items"
        except Exception as error:
            cell.texts += [str(error), repr(error)]
            converged = f"the list failed again ({_error_class(error)})"
    return cell.observed(outcome, converged)


def _get(cell: _Cell) -> Observed:
    """`IntegrationConfig.get(name, id)`: a Read through the host, with the id alone."""
    host = cell.host()
    config_id = cell.config_with_secret()
    resource_id = f"{cell.fx.workspace}/{INTEGRATION}/{config_id}"
    inputs = program_inputs(IntegrationConfigProvider())
    cell.arm()
    try:
        host.read(INTEGRATION_CONFIG, resource_id, {}, inputs)
        outcome = cell.success()
    except HostError as error:
        outcome = _host_error_class(error)
    cell.disarm()
    try:
        read = host.read(INTEGRATION_CONFIG, resource_id, {}, inputs)
        converged = None if read.outputs.get("config_id") == config_id else "read another config"
    except HostError as error:
        converged = f"the next get failed ({_host_error_class(error)})"
    cell.texts.append(host.produced_text())
    return cell.observed(outcome, converged)


def _up_until_same(stack: Stack, news: Mapping[str, Any]) -> tuple[str, str | None]:
    """The next `up`, then one more that must change nothing: (the first's step, a problem)."""
    try:
        step = stack.up(news)
        again = stack.up(news)
    except HostError as error:
        return "failed", f"the next up failed ({_host_error_class(error)})"
    return step, None if again == "same" else f"the up after the next was {again!r}"


def _authorize(cell: _Cell) -> Observed:
    """An `AuthorizationUrl` created through the host: one POST `:authorize`."""
    host = cell.host()
    stack = Stack(host, AUTHORIZATION_URL)
    news = program_inputs(AuthorizationUrlProvider(), integration=INTEGRATION)
    cell.arm()
    try:
        stack.up(news)
        outcome = cell.success()
    except HostError as error:
        outcome = _host_error_class(error)
    cell.disarm()
    _, converged = _up_until_same(stack, news)
    url = stack.state.outputs.get("url") if stack.state else None
    if converged is None and not (isinstance(url, str) and url.startswith(cell.fx.base_url)):
        converged = "no consent URL in state"
    cell.texts.append(host.produced_text())
    return cell.observed(outcome, converged)


def _bind(cell: _Cell) -> Observed:
    """An `IntegrationAuth` created through the host: read the config, consume, read it back,
    publish. The consume and the publish columns differ in the route the fault aims at."""
    host = cell.host()
    config_id = cell.config_with_secret()
    key = cell.fx.mint_credential_key(INTEGRATION)
    cell.secrets["the credential key"] = key
    stack = Stack(host, INTEGRATION_AUTH)
    news = program_inputs(
        IntegrationAuthProvider(),
        integration=INTEGRATION,
        integration_config_id=config_id,
        credential_key=key,
    )
    cell.arm()
    try:
        stack.up(news)
        outcome = _bound(cell, host.stderr, stack)
        if cell.fault.killed:
            outcome = "killed"
            host, stack = cell.after_a_kill(host, stack, "credential_key")
    except HostError as error:
        outcome = _host_error_class(error)
        if not any(r.route == CONSUME for r in cell.fx.requests):
            outcome += " before the consume"
    stderr_before = len(host.stderr)
    cell.disarm()
    step, converged = _up_until_same(stack, news)
    outcome += _what_the_next_up_did(cell, step, host.stderr[stderr_before:])
    if converged is None:
        converged = _bound_and_live(cell, stack, config_id)
    for revision in cell.fx.revisions(config_id):
        auth = revision.get("auth") or {}
        for name, value in (auth.get("parameters") or {}).items():
            cell.secrets[f"the published {name}"] = str(value)
    # Inputs are stored (encrypted) by design; every other response, error and line is scanned.
    cell.texts.append(host.produced_text(except_check_inputs=["credential_key"]))
    return cell.observed(outcome, converged)


def _bound(cell: _Cell, stderr: str, stack: Stack) -> str:
    """A first `up` of an IntegrationAuth that succeeded: how."""
    if "did not confirm the consume" in stderr:
        return "adopted (reconciled)"
    assert stack.state is not None
    if stack.state.outputs.get("live") is False:
        warned = "publishing it failed" in stderr
        return "bound, not live (warned)" if warned else "bound, not live (no warning)"
    return cell.success()


def _what_the_next_up_did(cell: _Cell, step: str, stderr: str) -> str:
    consumes = [r for r in cell.next_run() if r.route == CONSUME]
    if step == "create" and consumes and consumes[-1].status == 400:
        if "was spent by an earlier `pulumi up` that did not finish" in stderr:
            return "; next up adopts it"
        return "; next up adopts it (unexplained)"
    if step == "create":
        return "; next up binds"
    if step == "update" and any(r.route == "publishConfig" for r in cell.next_run()):
        return "; next up publishes"
    return ""


def _bound_and_live(cell: _Cell, stack: Stack, config_id: str) -> str | None:
    assert stack.state is not None
    if stack.state.outputs.get("live") is not True:
        return "not live"
    if not cell.fx.get_config(config_id)["hasAuth"]:
        return "the config has no auth"
    published = cell.fx.published(config_id)
    if published is None or not published.get("auth"):
        return "the published revision has no auth"
    return None


CONFIG_NAME = "CRM matrix"


def _create(cell: _Cell) -> Observed:
    """An `IntegrationConfig` created through the host: list its name, POST, publish."""
    host = cell.host()
    cell.secrets["the secret parameter"] = SECRET_PARAMETER
    stack = Stack(host, INTEGRATION_CONFIG)
    news = program_inputs(
        IntegrationConfigProvider(),
        integration=INTEGRATION,
        display_name=CONFIG_NAME,
        parameters={"base_url": "https://crm.example"},
        secret_parameters={"webhook_secret": SECRET_PARAMETER},
    )
    cell.arm()
    try:
        stack.up(news)
        adopted = "appeared since; adopting it" in host.stderr
        outcome = "adopted (reconciled)" if adopted else cell.success()
        if cell.fault.killed:
            outcome = "killed"
            host, stack = cell.after_a_kill(host, stack, "secret_parameters")
    except HostError as error:
        outcome = _host_error_class(error)
        if not any(r.route == "createConfig" for r in cell.fx.requests):
            outcome += " before the create"
    stderr_before = len(host.stderr)
    cell.disarm()
    step, converged = _up_until_same(stack, news)
    if step == "create":
        adopted = "did not finish; adopting it" in host.stderr[stderr_before:]
        outcome += "; next up adopts it" if adopted else "; next up creates it"
    named = [c for c in cell.fx.list_configs(INTEGRATION) if c["displayName"] == CONFIG_NAME]
    if converged is None:
        if len(named) != 1:
            converged = f"{len(named)} configs of that name"
        elif stack.state is None or stack.state.outputs.get("config_id") != named[0]["id"]:
            converged = "the state holds another config"
        elif stack.state.outputs.get("live") is not True:
            converged = "not live"
    cell.texts.append(host.produced_text(except_check_inputs=["secret_parameters"]))
    return cell.observed(outcome, converged)


_DRIVERS: dict[str, Callable[[_Cell], Observed]] = {
    "list": _list,
    "get": _get,
    "authorize": _authorize,
    "consume": _bind,
    "publish": _bind,
    "create": _create,
}
