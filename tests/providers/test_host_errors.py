"""What the engine receives when a provider call fails, through the real host over gRPC.

The host turns any exception into gRPC UNKNOWN with `traceback.format_exc()` as the details, and
`pulumi up` prints those details as the resource's error (docs/architecture.md#errors). A
FruxonError must arrive as its message under the shortest traceback the host allows: the host's
own two frames and the one line that re-raises it. A bug keeps its whole traceback.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import grpc
import pytest

from pulumi_fruxon.authorization_url import AuthorizationUrlProvider
from pulumi_fruxon.integration_auth import IntegrationAuthProvider
from pulumi_fruxon.testing import FruxonEmulator
from tests.support.host import (
    AUTHORIZATION_URL,
    INTEGRATION_AUTH,
    HostError,
    ProviderHost,
    program_inputs,
    stack_config,
)

HostFactory = Callable[..., ProviderHost]
FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line \d+, in (?P<function>\w+)$', re.MULTILINE)


def frames(details: str) -> list[tuple[str, str]]:
    """(file name, function) of every traceback frame in `details`."""
    return [(m["file"].rsplit("/", 1)[-1], m["function"]) for m in FRAME.finditer(details)]


def final_line(details: str) -> str:
    return details.rstrip("\n").splitlines()[-1]


def configured(
    start_host: HostFactory, fx: FruxonEmulator, token: str | None = None
) -> ProviderHost:
    provider_host = start_host()
    config = stack_config(fx)
    if token is not None:
        config["fruxon:token"] = token
    provider_host.configure(config, secret_keys=["fruxon:token"])
    return provider_host


def failed_create(provider_host: ProviderHost, type_: str, inputs: dict[str, object]) -> HostError:
    checked = provider_host.check(type_, inputs)
    assert checked.failures == []
    with pytest.raises(HostError) as failure:
        provider_host.create(type_, checked.inputs)
    assert failure.value.code == grpc.StatusCode.UNKNOWN  # the engine's "operation failed"
    return failure.value


def assert_reported(details: str, error_class: str, rpc: str = "Create") -> str:
    """The host's two frames, one of ours, no chained exception; returns the message."""
    assert frames(details) == [
        ("__main__.py", "wrapper"),
        ("__main__.py", rpc),
        ("_provider.py", "call"),
    ]
    assert "During handling of the above exception" not in details
    assert "The above exception was the direct cause" not in details
    last = final_line(details)
    prefix = f"pulumi_fruxon.errors.{error_class}: "
    assert last.startswith(prefix)
    return last.removeprefix(prefix)


def test_create_of_a_missing_config_reports_the_message_not_our_frames(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    missing = str(uuid.uuid4())
    inputs = program_inputs(
        IntegrationAuthProvider(),
        integration="salesforce",
        integration_config_id=missing,
        credential_key=emulator.mint_credential_key("salesforce"),
    )

    error = failed_create(configured(start_host, emulator), INTEGRATION_AUTH, inputs)

    message = assert_reported(error.details, "IntegrationConfigNotFoundError")
    assert message.startswith(f"Integration config {missing} of integration 'salesforce' does not")
    assert "Nothing was consumed" in message  # what it means, and what to do next
    assert "integration_auth.py" not in error.details and "client.py" not in error.details
    assert emulator.count("consumeOAuthCredentials") == 0


def test_a_client_error_in_create_is_reported_the_same_way(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    inputs = program_inputs(AuthorizationUrlProvider(), integration="no-such-integration")

    error = failed_create(configured(start_host, emulator), AUTHORIZATION_URL, inputs)

    message = assert_reported(error.details, "NotFoundError")
    assert "Integration 'no-such-integration' was not found." in message
    assert message.endswith(
        "`fruxon.get_integrations()` lists the integrations of the workspace, and their ids."
    )


def test_a_rejected_token_is_reported_without_the_token(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    wrong = "fx_pat_" + "w" * 30
    inputs = program_inputs(AuthorizationUrlProvider(), integration="salesforce")

    error = failed_create(configured(start_host, emulator, token=wrong), AUTHORIZATION_URL, inputs)

    assert_reported(error.details, "AuthenticationError")
    assert wrong not in error.details


def test_read_of_a_binding_that_is_not_there_is_reported_the_same_way(
    start_host: HostFactory, emulator: FruxonEmulator
) -> None:
    config_id = emulator.add_config("salesforce")  # no auth bound
    binding = f"{emulator.workspace}/salesforce/{config_id}"
    inputs = program_inputs(IntegrationAuthProvider())  # what `IntegrationAuth.get` registers

    with pytest.raises(HostError) as failure:
        configured(start_host, emulator).read(INTEGRATION_AUTH, binding, {}, inputs)

    message = assert_reported(failure.value.details, "IntegrationConfigNotFoundError", "Read")
    assert "has no auth bound" in message


def test_a_bug_keeps_its_whole_traceback(start_host: HostFactory, emulator: FruxonEmulator) -> None:
    # The engine never sends Create without the checked inputs; doing so stands in for a bug.
    inputs = program_inputs(IntegrationAuthProvider())

    with pytest.raises(HostError) as failure:
        configured(start_host, emulator).create(INTEGRATION_AUTH, inputs)

    details = failure.value.details
    assert ("integration_auth.py", "create") in frames(details)
    assert final_line(details) == "KeyError: 'integration'"
