"""What the provider fakes share: an HTTP server on 127.0.0.1 that the real SDKs talk to.

A fake subclasses `LoopbackFake` and answers in `_handle(handler, method)`. Requests are
served on threads of their own, so a fake can hold one (a slow provider) while others pass;
`_release` lets such a held request go when the fake stops.
"""

import threading
from abc import ABC, abstractmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackFake(ABC):
    _server: ThreadingHTTPServer | None = None

    def __init__(self):
        self._release = threading.Event()

    @abstractmethod
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        """Answer one request as the provider would."""

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                """Quiet: a request line per call would drown the test output."""

            def do_POST(self):
                fake._handle(self, "POST")

            def do_GET(self):
                fake._handle(self, "GET")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A client that gave up (a "timeout") has closed the socket: not an error here.
        self._server.handle_error = lambda request, client_address: None
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
