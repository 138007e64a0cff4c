"""What Fruxon's answers mean: a body read into its model, an error status into its exception.

`parse` validates a body straight from its bytes, and a body it cannot use becomes
`InvalidResponseError` (`invalid`). `status_error` turns an error status and its problem-details
body into the class `error_class_for` names, with the fields of the body and, for a 429, the
server's `Retry-After`. Every text of the body passes through the request's `Redactor`; when a
secret of the request is too short to redact, the error keeps only what cannot depend on it.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from pulumi_fruxon import _constants
from pulumi_fruxon._redaction import WITHHELD_REASON, Redactor
from pulumi_fruxon._retry import parse_retry_after
from pulumi_fruxon.errors import (
    APIStatusError,
    InsufficientScopeError,
    InvalidResponseError,
    RateLimitError,
    error_class_for,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(response: httpx.Response, model: type[ModelT]) -> ModelT:
    """The body of `response` as `model`, or `InvalidResponseError`."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise invalid(response, exc) from None


def invalid(
    response: httpx.Response, exc: ValidationError, *, malformed: str = "malformed JSON"
) -> InvalidResponseError:
    """The error for a body that failed validation: `malformed` when it is not JSON at all,
    else the kinds of the validation errors (never their inputs, which may hold secrets)."""
    kinds = sorted({str(e["type"]) for e in exc.errors(include_input=False)})
    what = malformed if "json_invalid" in kinds else f"unexpected shape ({', '.join(kinds)})"
    request = response.request
    return InvalidResponseError(
        f"Fruxon sent {what} for {request.method} {request.url.path} (HTTP {response.status_code})",
        method=request.method,
        path=request.url.path,
    )


def status_error(
    response: httpx.Response, method: str, path: str, redactor: Redactor
) -> APIStatusError:
    """The exception of an error answer, with the problem-details fields, redacted."""
    status = response.status_code
    if redactor.withholds:
        return _withheld_error(response, method, path)
    try:
        raw = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raw = None
    body: dict[str, Any] = redactor.value(raw) if isinstance(raw, dict) else {}

    def text(*keys: str) -> str | None:
        for key in keys:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    raw_errors = body.get("errors")
    errors = (
        {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])]
            for k, v in raw_errors.items()
        }
        if isinstance(raw_errors, dict)
        else None
    )
    fields: dict[str, Any] = {
        "status": status,
        "title": text("title", "message") or redactor.text(response.reason_phrase) or "Error",
        "detail": text("detail", "details"),
        "code": text("code"),
        "errors": errors,
        "method": method,
        "path": path,
        "body": body,
    }
    if status == 403 and body.get("error") == "insufficient_scope":
        granted = body.get("granted")
        return InsufficientScopeError(
            required=str(body.get("required") or "unknown"),
            granted=[str(g) for g in granted] if isinstance(granted, list) else [],
            **fields,
        )
    return _of_status(response, fields)


def _withheld_error(response: httpx.Response, method: str, path: str) -> APIStatusError:
    """The error of an answer whose texts may hold a secret too short to redact: its status,
    the standard phrase of that status, and its `code` only when it is one this package
    acts on (a fixed word); nothing else the server said, not even the reason phrase."""
    status = response.status_code
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):  # not JSON, or not an object
        code = None
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    fields: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": WITHHELD_REASON,
        "code": code if isinstance(code, str) and code in _constants.KNOWN_PROBLEM_CODES else None,
        "method": method,
        "path": path,
    }
    return _of_status(response, fields)


def _of_status(response: httpx.Response, fields: dict[str, Any]) -> APIStatusError:
    """The class `error_class_for` names for the status; a `RateLimitError` also carries the
    server's `Retry-After`, which the retry loop waits for."""
    cls = error_class_for(response.status_code)
    if issubclass(cls, RateLimitError):
        return cls(retry_after=parse_retry_after(response.headers.get("Retry-After")), **fields)
    return cls(**fields)
