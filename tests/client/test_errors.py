"""One error tree: `except APIError` catches every failure of an API call, and nothing else."""

from __future__ import annotations

import inspect
import re

import httpx
import pytest

from pulumi_fruxon import errors
from pulumi_fruxon.client import FruxonClient
from pulumi_fruxon.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConsumeNotSentError,
    ConsumeOutcomeUnknownError,
    CredentialKeyRejectedError,
    FruxonError,
    InsufficientScopeError,
    IntegrationConfigNotFoundError,
    InvalidResponseError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from pulumi_fruxon.settings import FruxonSettings
from pulumi_fruxon.testing import FruxonEmulator

from .conftest import SleepRecorder

STATUS_ERRORS = [
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    InsufficientScopeError,
    NotFoundError,
    ConflictError,
    RateLimitError,
    ServerError,
]


def test_the_tree() -> None:
    for status_error in STATUS_ERRORS:
        assert issubclass(status_error, APIStatusError)
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(PaginationError, InvalidResponseError)
    assert issubclass(InvalidResponseError, APIError)
    assert issubclass(APIError, FruxonError)
    for not_an_api_call in (
        ConfigurationError,
        CredentialKeyRejectedError,
        IntegrationConfigNotFoundError,
        ConsumeOutcomeUnknownError,
        ConsumeNotSentError,
    ):
        assert issubclass(not_an_api_call, FruxonError)
        assert not issubclass(not_an_api_call, APIError)


def test_a_bad_argument_is_a_fruxon_error_and_a_value_error(emulator: FruxonEmulator) -> None:
    # A FruxonError prints as its message in a program (a RunError); a ValueError it was before.
    assert issubclass(errors.InvalidArgumentError, errors.FruxonError)
    assert issubclass(errors.InvalidArgumentError, ValueError)
    with FruxonClient(emulator.token, emulator.workspace, emulator.base_url) as client:
        with pytest.raises(errors.InvalidArgumentError, match="id is empty"):
            client.list_integration_configs(" ")
        with pytest.raises(errors.InvalidArgumentError, match="has_configs=False"):
            client.list_integrations(has_configs=False)
    assert emulator.requests == []


def test_the_module_docstring_draws_every_class() -> None:
    drawn = errors.__doc__ or ""
    classes = [
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, FruxonError)
    ]
    assert "APIStatusError" in classes
    for name in classes:
        assert re.search(rf"(^|[─ ]){name}(\s|$)", drawn, re.MULTILINE), f"{name} is not drawn"


def _catch(call: object) -> APIError:
    try:
        call()  # type: ignore[operator]
    except APIError as error:
        return error
    raise AssertionError("nothing was raised")


def test_except_api_error_catches_every_kind_of_failure(
    emulator: FruxonEmulator, sleeps: SleepRecorder
) -> None:
    def client(base_url: str = emulator.base_url, **kwargs: object) -> FruxonClient:
        return FruxonClient(
            emulator.token, emulator.workspace, base_url, sleep=sleeps, clock=sleeps.clock, **kwargs
        )  # type: ignore[arg-type]

    with client() as ok:
        assert isinstance(_catch(lambda: ok.get_integration("nope")), NotFoundError)
        emulator.malformed_json_next(1, route="getIntegration")
        assert isinstance(_catch(lambda: ok.get_integration("slack")), InvalidResponseError)
        emulator.set_page_cycle(True)
        assert isinstance(_catch(lambda: list(ok.list_integrations())), PaginationError)
        emulator.clear_faults()
    emulator.hang_next(1, route="getIntegration")
    with client(timeout=0.3) as slow:
        assert isinstance(_catch(lambda: slow.get_integration("slack")), APITimeoutError)
    with FruxonEmulator() as gone:
        url = gone.base_url
    with client(url, max_retries=0) as offline:
        error = _catch(lambda: offline.get_integration("slack"))
    assert type(error) is APIConnectionError
    assert (error.method, error.path) == (
        "GET",
        f"/v1/tenants/{emulator.workspace}/integrations/slack",
    )


def test_a_configuration_error_is_not_an_api_error() -> None:
    with pytest.raises(ConfigurationError) as raised:
        FruxonClient(settings=FruxonSettings.resolve(env={}))
    assert not isinstance(raised.value, APIError)


def test_an_unknown_error_status_is_a_plain_status_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(418, json={"title": "Teapot"}))
    with FruxonClient("fx_pat_x", "w", "http://fruxon.test", transport=transport) as mocked:
        error = _catch(lambda: mocked.get_integration("x"))
    assert type(error) is APIStatusError
    assert error.status == 418  # type: ignore[attr-defined]
