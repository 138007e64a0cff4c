"""HTTP-level values shared by the emulator: requests, responses, problem details, and body
fields bound as the server binds them."""

from __future__ import annotations

import http
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"

# ASP.NET fills `type` with the RFC section of the status; mirror it so bodies look real.
_RFC = "https://tools.ietf.org/html/rfc9110#section-"
_PROBLEM_TYPES = {
    400: _RFC + "15.5.1",
    401: _RFC + "15.5.2",
    403: _RFC + "15.5.4",
    404: _RFC + "15.5.5",
    405: _RFC + "15.5.6",
    409: _RFC + "15.5.10",
    410: _RFC + "15.5.11",
    422: _RFC + "15.5.21",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: _RFC + "15.6.1",
    502: _RFC + "15.6.3",
    503: _RFC + "15.6.4",
    504: _RFC + "15.6.5",
}
VALIDATION_TITLE = "One or more validation errors occurred."


def dump(value: object) -> bytes:
    """Compact UTF-8 JSON, the way the emulator writes every body."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def status_title(status: int) -> str:
    """The reason phrase for a status, or a generic one for unassigned codes."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request, transport details stripped."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass
class Response:
    """What the transport writes back.

    `drop` closes the connection without a byte; `hang` keeps it open without a byte until the
    client leaves; `trickle` sends the body one byte per that many seconds. `fault` names the
    injected fault that shaped this response, for the request log.
    """

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False
    hang: bool = False
    trickle: float = 0.0
    delay: float = 0.0
    fault: str | None = None

    @classmethod
    def json(cls, value: object, status: int = 200) -> Response:
        """A JSON response from a plain value."""
        return cls(status, dump(value))


class Problem(Exception):
    """An RFC 7807 error the handlers raise; rendered as `application/problem+json`."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        code: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.title = title or (VALIDATION_TITLE if errors else status_title(status))
        self.code = code
        self.errors = dict(errors) if errors else None
        self.extra = dict(extra) if extra else {}
        self.headers = headers or []

    def body(self, instance: str) -> dict[str, Any]:
        """The problem-details object, extension members included."""
        body: dict[str, Any] = {
            "type": _PROBLEM_TYPES.get(self.status, "about:blank"),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        if self.code is not None:
            body["code"] = self.code
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

    def to_response(self, instance: str) -> Response:
        """Render as the HTTP response a client sees."""
        return Response(
            self.status, dump(self.body(instance)), PROBLEM_TYPE, headers=list(self.headers)
        )


def invalid(field_name: str, message: str) -> Problem:
    """A 400 ValidationProblemDetails naming one field, as ASP.NET model binding reports it."""
    return Problem(400, f"{field_name}: {message}", errors={field_name: [message]})


def fields(body: dict[str, Any]) -> dict[str, Any]:
    """Body keys lower-cased: the server binds JSON case-insensitively."""
    return {key.lower(): value for key, value in body.items()}


def object_field(values: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The `fields(...)` entry `name` as a new dict, None when absent; 400 when not an object."""
    raw = values.get(name)
    if raw is not None and not isinstance(raw, dict):
        raise invalid(name, f"The {name} field must be an object.")
    return dict(raw) if raw is not None else None
