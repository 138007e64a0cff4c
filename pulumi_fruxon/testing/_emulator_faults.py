"""`FruxonEmulator`'s fault injection: the methods that arm, and disarm, the faults that
`_faults.py` keeps and `Application` (`_app.py`) applies to each request."""

from __future__ import annotations

from ._app import Application
from ._routes import check_route


class FaultInjection:
    """Part of `FruxonEmulator`: every method that arms a fault, and `clear_faults`."""

    _app: Application

    def fail_next(self, n: int, *, status: int = 503, route: str | None = None) -> None:
        """The next `n` matching requests get a problem+json `status`, unprocessed."""
        check_route(route)
        with self._app.lock:
            self._app.faults.fail(n, status, route)

    def rate_limit_next(
        self, n: int = 1, *, retry_after: str = "1", route: str | None = None
    ) -> None:
        """The next `n` matching requests get 429 with `Retry-After: <retry_after>` verbatim."""
        check_route(route)
        with self._app.lock:
            self._app.faults.rate_limit(n, retry_after, route)

    def set_latency(self, seconds: float) -> None:
        """Sleep this long before every response (0 turns it off)."""
        with self._app.lock:
            self._app.faults.latency = max(0.0, seconds)

    def drop_after_consume(self, n: int = 1, *, outage: int = 0) -> None:
        """The next `n` successful consumes are processed (key spent, auth bound), then the
        connection closes without a response byte. With `outage`, the next `outage` requests
        after each drop fail with 503, so a client's re-read fails too."""
        with self._app.lock:
            self._app.faults.drops_after_consume += max(0, n)
            self._app.faults.outage_after_drop = max(0, outage)

    def drop_after_next(self, n: int = 1, *, route: str | None = None, outage: int = 0) -> None:
        """The next `n` matching requests that succeed are processed (a config created, a
        draft published), then the connection closes without a response byte: the client
        cannot tell whether they happened. With `outage`, the next `outage` requests after each
        drop fail with 503."""
        check_route(route)
        with self._app.lock:
            self._app.faults.drop_after(n, route, max(0, outage))

    def set_echo_page_tokens(self, on: bool) -> None:
        """The server bug: a request's page token comes back as its `nextPageToken`."""
        with self._app.lock:
            self._app.faults.echo_page_tokens = on

    def malformed_json_next(self, n: int = 1, *, route: str | None = None) -> None:
        """The next `n` matching 200 JSON responses are cut in half."""
        check_route(route)
        with self._app.lock:
            self._app.faults.malform(n, route)

    def hang_next(self, n: int = 1, *, route: str | None = None) -> None:
        """The next `n` matching requests are read and never answered, nor processed: the
        connection stays open and silent until the client gives up or the emulator stops."""
        check_route(route)
        with self._app.lock:
            self._app.faults.hang(n, route)

    def trickle_next(self, n: int = 1, *, route: str | None = None, interval: float = 0.05) -> None:
        """The next `n` matching requests are processed as usual, and their response body is
        sent one byte every `interval` seconds (the head at once)."""
        check_route(route)
        if interval <= 0:
            raise ValueError("interval must be positive")
        with self._app.lock:
            self._app.faults.trickle(n, interval, route)

    def set_page_cycle(self, on: bool) -> None:
        """A broken server: every list page holds the first page's items again, with a new
        `nextPageToken` each time, so a walk never ends by itself."""
        with self._app.lock:
            self._app.faults.page_cycle = on

    def clear_faults(self) -> None:
        """Disarm every fault, latency and the list modes included."""
        with self._app.lock:
            self._app.faults.clear()
