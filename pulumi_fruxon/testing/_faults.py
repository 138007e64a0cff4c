"""Fault injection: counted faults, optionally limited to one route. Callers hold the lock.

Each fault has a name, which the request log records on every request it hits (see
`RequestRecord.fault`): `rate_limit`, `fail`, `malformed_json`, `drop_after_consume`,
`drop_after`, `hang`,
`trickle`, and the list modes `echo_page_tokens` and `page_cycle`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Countdown:
    """`remaining` more requests (on `route`, or any) get this fault."""

    remaining: int
    route: str | None
    status: int = 0
    retry_after: str = ""
    interval: float = 0.0


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
    page_cycle: bool = False
    failures: list[_Countdown] = field(default_factory=list)
    rate_limits: list[_Countdown] = field(default_factory=list)
    malformed: list[_Countdown] = field(default_factory=list)
    hangs: list[_Countdown] = field(default_factory=list)
    trickles: list[_Countdown] = field(default_factory=list)
    drops_after_consume: int = 0
    # Requests that fail with 503 right after each dropped consume: an outage.
    outage_after_drop: int = 0
    drops: list[_Countdown] = field(default_factory=list)

    def fail(self, n: int, status: int, route: str | None) -> None:
        if n > 0:
            self.failures.append(_Countdown(n, route, status=status))

    def rate_limit(self, n: int, retry_after: str, route: str | None) -> None:
        if n > 0:
            self.rate_limits.append(_Countdown(n, route, retry_after=retry_after))

    def malform(self, n: int, route: str | None) -> None:
        if n > 0:
            self.malformed.append(_Countdown(n, route))

    def hang(self, n: int, route: str | None) -> None:
        if n > 0:
            self.hangs.append(_Countdown(n, route))

    def trickle(self, n: int, interval: float, route: str | None) -> None:
        if n > 0:
            self.trickles.append(_Countdown(n, route, interval=interval))

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

    def take_hang(self, route: str) -> bool:
        return _take(self.hangs, route) is not None

    def take_trickle(self, route: str) -> float | None:
        """Seconds between body bytes, if this response is to trickle."""
        rule = _take(self.trickles, route)
        return rule.interval if rule else None

    def drop_after(self, n: int, route: str | None, outage: int) -> None:
        if n > 0:
            self.drops.append(_Countdown(n, route, status=outage))

    def take_drop_after(self, route: str) -> bool:
        """Whether to drop this processed request's answer (and start its outage)."""
        rule = _take(self.drops, route)
        if rule is None:
            return False
        self.fail(rule.status, 503, None)
        return True

    def take_drop(self) -> bool:
        if self.drops_after_consume > 0:
            self.drops_after_consume -= 1
            self.fail(self.outage_after_drop, 503, None)
            return True
        return False

    def clear(self) -> None:
        """Disarm everything."""
        self.latency = 0.0
        self.echo_page_tokens = False
        self.page_cycle = False
        self.failures.clear()
        self.rate_limits.clear()
        self.malformed.clear()
        self.hangs.clear()
        self.trickles.clear()
        self.drops_after_consume = 0
        self.outage_after_drop = 0
        self.drops.clear()
