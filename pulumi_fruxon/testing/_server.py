"""The HTTP transport: a threading stdlib server that hands parsed requests to the application."""

from __future__ import annotations

import contextlib
import select
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ._app import Application
from ._wire import Problem, Request, Response, status_title


class EmulatorServer(ThreadingHTTPServer):
    """Serves one `Application`; tracks open connections so `close_connections` can end them."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: Application) -> None:
        self.app = app
        self.stopping = threading.Event()  # ends hanging and trickling answers
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a client that left before its answer was written: with latency, a
        hang or a trickle, clients give up on purpose. Anything else prints as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End keep-alive connections, so a stopped emulator answers nobody."""
        self.stopping.set()
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Parses the request, asks the application, writes the answer with a Content-Length."""

    server: EmulatorServer
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log; the application keeps its own."""

    def _serve(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        try:
            body = self._read_body()
        except ValueError as error:
            self.close_connection = True
            self._write(Problem(400, str(error)).to_response(split.path))
            return
        request = Request(
            method=self.command,
            path=split.path,
            query=urllib.parse.parse_qs(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        response = self.server.app.handle(request)
        if response.delay > 0:
            time.sleep(response.delay)
        if response.drop:
            # The ambiguous case: processed, then the connection closes without a byte.
            self.close_connection = True
            return
        if response.hang:
            self._hold()
            self.close_connection = True
            return
        self._write(response)

    def _hold(self) -> None:
        """Answer nothing, with the connection open, until the client leaves or the server stops."""
        while not self.server.stopping.wait(0.05):
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return  # the client closed its end
                except OSError:
                    return

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        if not length.isdigit():
            raise ValueError("Invalid Content-Length.")
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ValueError("Invalid chunked body.") from None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: Response) -> None:
        # Status line, headers and body in one write: separate small segments meet the
        # client's delayed ACK (Nagle) and cost ~40 ms per request.
        lines = [
            f"{self.protocol_version} {response.status} {status_title(response.status)}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        lines.extend(f"{name}: {value}" for name, value in response.headers)
        body = b"" if response.status == 204 else response.body
        if response.status != 204:  # RFC 9110: no Content-Length on 204
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if response.trickle > 0:
            self._trickle(head, body, response.trickle)
            return
        self.wfile.write(head + body)

    def _trickle(self, head: bytes, body: bytes, interval: float) -> None:
        """The head at once, then one body byte per `interval`, until done or the client leaves:
        each byte restarts a client's read timeout, so only an overall deadline stops this."""
        try:
            self.wfile.write(head)
            for i in range(len(body)):
                if self.server.stopping.wait(interval):
                    break
                self.wfile.write(body[i : i + 1])
            else:
                return
        except OSError:
            pass
        self.close_connection = True
