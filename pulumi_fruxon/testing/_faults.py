"""Fault injection: counted faults, optionally limited to one route. Callers hold the lock."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Countdown:
    """`remaining` more requests (on `route`, or any) get this fault."""

    remaining: int
    route: str | None
    status: int = 0
    retry_after: str = ""


def _take(rules: list[_Countdown], route: str) -> _Countdown | None:
    """Spend one use of the first rule matching the route, dropping exhausted rules."""
    for rule in rules:
        if rule.route is None or rule.route == route:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            return rule
    return None


@dataclass
class Faults:
    """The faults currently armed."""

    latency: float = 0.0
    echo_page_tokens: bool = False
    failures: list[_Countdown] = field(default_factory=list)
    rate_limits: list[_Countdown] = field(default_factory=list)
    malformed: list[_Countdown] = field(default_factory=list)
    drops_after_consume: int = 0

    def fail(self, n: int, status: int, route: str | None) -> None:
        if n > 0:
            self.failures.append(_Countdown(n, route, status=status))

    def rate_limit(self, n: int, retry_after: str, route: str | None) -> None:
        if n > 0:
            self.rate_limits.append(_Countdown(n, route, retry_after=retry_after))

    def malform(self, n: int, route: str | None) -> None:
        if n > 0:
            self.malformed.append(_Countdown(n, route))

    def take_failure(self, route: str) -> int | None:
        """The status to fail this request with, if a failure is armed for it."""
        rule = _take(self.failures, route)
        return rule.status if rule else None

    def take_rate_limit(self, route: str) -> str | None:
        """The Retry-After value to answer 429 with, if a rate limit is armed for it."""
        rule = _take(self.rate_limits, route)
        return rule.retry_after if rule else None

    def take_malformed(self, route: str) -> bool:
        return _take(self.malformed, route) is not None

    def take_drop(self) -> bool:
        if self.drops_after_consume > 0:
            self.drops_after_consume -= 1
            return True
        return False

    def clear(self) -> None:
        """Disarm everything."""
        self.latency = 0.0
        self.echo_page_tokens = False
        self.failures.clear()
        self.rate_limits.clear()
        self.malformed.clear()
        self.drops_after_consume = 0
