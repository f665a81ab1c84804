"""A fake of Twilio's REST API on loopback, for the real `twilio` SDK to talk to.

Implements what Atelier uses: create a message, fetch one, list messages
(filtered by To/From/DateSent>), fetch inbound media. Every request is
recorded. Switches make the next create answer a Twilio error (20429, 21610,
21211, 21614, 63016, 500) or hang past the client's timeout after accepting
the message (the "request left, answer lost" case).
"""

import base64
import itertools
import json
import struct
import threading
import time
import uuid
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ERRORS = {
    20429: (429, "Too Many Requests"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    63016: (400, "Failed to send freeform message because you are outside the allowed window. "
                 "If you want to send messages outside this window, please use a Template."),
    20500: (500, "An internal server error has occurred"),
}
def photo_png(width: int = 240, height: int = 160) -> bytes:
    """A small real picture (a warm gradient), for media a customer "sends"."""
    rows = b"".join(b"\0" + bytes(channel for x in range(width)
                                   for channel in (200 + x * 55 // width, 150 + y * 60 // height, 120))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(
        b"IEND", b"")


PNG = photo_png()


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    form: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


class FakeTwilio:
    def __init__(self, account_sid: str = "AC" + "f" * 32, auth_token: str = "fake-auth-token-0123"):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict] = {}
        self._plan: deque = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # --- switches --------------------------------------------------------------------

    def fail_next(self, code: int, times: int = 1) -> None:
        with self._lock:
            self._plan.extend([("error", code)] * times)

    def hang_next(self, seconds: float = 30.0, *, accept: bool = True) -> None:
        """The next create hangs; with `accept`, Twilio took the message before hanging."""
        with self._lock:
            self._plan.append(("hang", seconds, accept))

    # --- what happened ---------------------------------------------------------------

    @property
    def creates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    def last_create(self) -> dict:
        return self.creates[-1].form

    # --- server ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
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

    # --- handling --------------------------------------------------------------------

    def _authorized(self, handler) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return handler.headers.get("Authorization", "") == f"Basic {expected}"

    def _handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        form = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        record = RecordedRequest(method, parts.path, query, form, dict(handler.headers))
        with self._lock:
            self.requests.append(record)
        if not self._authorized(handler):
            return self._json(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/Messages"
        if method == "POST" and parts.path == prefix + ".json":
            return self._create(handler, form)
        if method == "GET" and parts.path == prefix + ".json":
            return self._list(handler, query)
        if method == "GET" and "/Media/" in parts.path:
            return self._bytes(handler, 200, PNG, "image/png")
        if method == "GET" and parts.path.startswith(prefix + "/") and parts.path.endswith(".json"):
            sid = parts.path[len(prefix) + 1:-len(".json")]
            if sid in self.messages:
                return self._json(handler, 200, self.messages[sid])
        return self._json(handler, 404, {"code": 20404, "message": "The requested resource was not found",
                                         "more_info": "https://www.twilio.com/docs/errors/20404",
                                         "status": 404})

    def _create(self, handler, form: dict) -> None:
        with self._lock:
            action = self._plan.popleft() if self._plan else None
        if action and action[0] == "error":
            status, text = ERRORS[action[1]]
            return self._json(handler, status, {
                "code": action[1], "message": text, "status": status,
                "more_info": f"https://www.twilio.com/docs/errors/{action[1]}"})
        message = self._message(form)
        if action and action[0] == "hang":
            _kind, seconds, accept = action
            if accept:
                self.messages[message["sid"]] = message
            self._release.wait(seconds)
            try:
                return self._json(handler, 201, message)
            except OSError:
                return None
        self.messages[message["sid"]] = message
        return self._json(handler, 201, message)

    def _message(self, form: dict) -> dict:
        sid = "SM" + uuid.uuid4().hex
        now = datetime.now(UTC)
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        body = form.get("Body", "")
        if form.get("ContentSid"):
            body = body or f"[{form['ContentSid']}] {form.get('ContentVariables', '')}"
        media = form.get("MediaUrl", [])
        media = [media] if isinstance(media, str) else media
        return {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": body,
            "date_created": format_datetime(now, usegmt=True), "date_sent": None,
            "date_updated": format_datetime(now, usegmt=True), "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": str(len(media)),
            "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
            "to": form.get("To"), "_created": now.timestamp(),
            "subresource_uris": {"media": f"{base}/Media.json"}, "uri": f"{base}.json",
        }

    def _list(self, handler, query: dict) -> None:
        found = list(self.messages.values())
        if query.get("To"):
            found = [m for m in found if m["to"] == query["To"]]
        if query.get("From"):
            found = [m for m in found if m["from"] == query["From"]]
        if query.get("DateSent>"):
            since = datetime.fromisoformat(query["DateSent>"].replace("Z", "+00:00")).date()
            found = [m for m in found if datetime.fromtimestamp(m["_created"], UTC).date() >= since]
        found.sort(key=lambda m: -m["_created"])
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        self._json(handler, 200, {"messages": found, "end": max(len(found) - 1, 0), "first_page_uri": uri,
                                  "next_page_uri": None, "page": 0, "page_size": 50,
                                  "previous_page_uri": None, "start": 0, "uri": uri})

    def _json(self, handler, status: int, payload: dict) -> None:
        self._bytes(handler, status, json.dumps(payload).encode(), "application/json")

    def _bytes(self, handler, status: int, body: bytes, content_type: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
