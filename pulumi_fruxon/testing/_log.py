"""The request log tests assert on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw it. No Authorization header, no body, ever.

    `status` is what was sent, or 0 when no response was sent (the connection was dropped, or
    held open unanswered). `query` keeps the parameter names as the client spelled them.
    `fault` names the injected fault that hit this request, if any.
    """

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    status: int = 0
    route: str = "notFound"
    user_agent: str | None = None
    fault: str | None = None
