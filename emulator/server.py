"""HTTP/1.1 front end for the emulator (standard library only), in a thread or a process."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .app import Emulator, Request, json_response

log = logging.getLogger("emulator")


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        super().__init__(address, Handler)
        self.emulator = emulator

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        # getsockname() gives the host as str; the bytes forms typeshed allows are only for
        # addresses passed in, so decode rather than print "b'127.0.0.1'".
        if isinstance(host, (bytes, bytearray)):
            host = host.decode("ascii")
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, a keep-alive client's delayed
    # ACK holds the body back ~40 ms per response.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            response = self.server.emulator.handle(request)
        except Exception:  # a bug in the emulator must not look like a hung tenant
            log.exception("emulator error on %s %s", self.command, self.path)
            response = json_response(
                500,
                {
                    "statusCode": 500,
                    "error": "Internal Server Error",
                    "message": "An internal server error occurred",
                },
            )
        if response.delay > 0:
            time.sleep(response.delay)
        if response.drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


@contextmanager
def serve_in_thread(
    emulator: Emulator, host: str = "127.0.0.1", port: int = 0
) -> Iterator[EmulatorHTTPServer]:
    """Run the emulator on a background thread (port 0 picks a free port)."""
    server = EmulatorHTTPServer((host, port), emulator)
    thread = threading.Thread(target=server.serve_forever, name="auth0-emulator", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
