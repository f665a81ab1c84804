"""A fake Adyen Checkout API (Pay by Link) on loopback, for the real `Adyen` SDK to talk to.

It keeps links in memory, honours the Idempotency-Key header the way Adyen does
(the same key returns the first answer, never a second link), counts what it
created, records every request with the time it arrived, and can be told to
misbehave for the next requests to one endpoint ("create": POST /paymentLinks,
"expire": PATCH /paymentLinks/{id}, or "any"):

- `inject(kind, times=, retry_after=, delay=, on=)`, kind one of FAULTS:
  "timeout" (do the work, then answer only after `delay`, past the client's
  timeout), "429" (a Retry-After header when `retry_after` is given), "500"
  (nothing done), "malformed" (do the work, answer 2xx with a body that is not
  JSON), "slow" (answer correctly after `delay`, within the timeout);
- `fail_next(*behaviours)`: the next requests, whatever the endpoint: an HTTP
  status (500, 429, 422: that status, nothing done) or "timeout".

`signed_notification(...)` builds a standard notification whose items carry an
HMAC made with the SDK's own helper, as Adyen signs them.
"""

import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from Adyen.util import generate_notification_sig

API_KEY = "AQE-fake-api-key"
MERCHANT = "AtelierECOM"
HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
FAULTS = ("timeout", "429", "500", "malformed", "slow")
ENDPOINTS = ("create", "expire", "any")
NOT_JSON = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


class FakeAdyen:
    def __init__(self, *, api_key: str = API_KEY):
        self.api_key = api_key
        self.links: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.created = 0
        self.expired: list[str] = []
        self.faults: list[dict] = []
        self.delay = 2.5  # seconds a "timeout" answer waits
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A client that gave up (the "timeout" behaviour) closes the socket: not an error here.
        self._server.handle_error = lambda request, client_address: None
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeAdyen":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, *behaviours) -> None:
        for behaviour in behaviours:
            if behaviour == "timeout":
                self.inject("timeout", on="any")
            else:
                with self._lock:
                    self.faults.append({"kind": "status", "status": int(behaviour), "on": "any"})

    def inject(self, kind: str, *, times: int = 1, retry_after: float | str | None = None,
               delay: float | None = None, on: str = "create") -> None:
        """The next `times` requests to `on` misbehave as `kind` (FAULTS)."""
        if kind not in FAULTS or on not in ENDPOINTS:
            raise ValueError(f"unknown fault {kind!r} on {on!r}")
        if delay is None:
            delay = self.delay if kind == "timeout" else 0.3
        with self._lock:
            self.faults.extend([{"kind": kind, "retry_after": retry_after, "delay": delay, "on": on}] * times)

    def link_requests(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith("/paymentLinks")]

    def expire_requests(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "PATCH"]

    def _next_fault(self, endpoint: str) -> dict | None:
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault["on"] in ("any", endpoint):
                    return self.faults.pop(index)
        return None

    # --- request handling ----------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                """Quiet: a request line per call would drown the test output."""

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else None

            def _send(self, status, payload, headers=None):
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

            def _route(self, method):
                body = self._body()
                record = {"method": method, "path": self.path, "headers": dict(self.headers),
                          "body": body, "at": time.monotonic()}
                with fake._lock:
                    fake.requests.append(record)
                if self.headers.get("x-api-key") != fake.api_key:
                    return self._send(401, {"status": 401, "errorCode": "000", "errorType": "security",
                                            "message": "HTTP Status Response - Unauthorized"})
                parts = self.path.split("?")[0].rstrip("/").split("/")
                endpoint = "create" if method == "POST" and parts[-1] == "paymentLinks" else (
                    "expire" if method == "PATCH" else "other")
                fault = fake._next_fault(endpoint) or {"kind": ""}
                kind = fault["kind"]
                if kind == "status":
                    status = fault["status"]
                    return self._send(status, {"status": status, "errorCode": str(status),
                                               "errorType": "internal", "message": "Fake failure"})
                if kind == "429":
                    wait = fault["retry_after"]
                    headers = {"Retry-After": str(wait)} if wait is not None else {}
                    return self._send(429, {"status": 429, "errorCode": "429", "errorType": "internal",
                                            "message": "Too many requests"}, headers)
                if kind == "500":
                    return self._send(500, {"status": 500, "errorCode": "905", "errorType": "internal",
                                            "message": "Internal error"})
                if kind == "slow":
                    time.sleep(fault["delay"])
                status, payload = fake._answer(method, parts, body, self.headers.get("Idempotency-Key"))
                if kind == "timeout":
                    time.sleep(fault["delay"])
                if kind == "malformed" and status < 300:
                    payload = NOT_JSON
                return self._send(status, payload)

            def do_POST(self):
                self._route("POST")

            def do_PATCH(self):
                self._route("PATCH")

            def do_GET(self):
                self._route("GET")

        return Handler

    def _answer(self, method, parts, body, idempotency_key) -> tuple[int, dict]:
        if method == "POST" and parts[-1] == "paymentLinks":
            return self._create(body, idempotency_key)
        if parts[-2:-1] != ["paymentLinks"]:
            return 404, {"status": 404, "message": "Unknown endpoint"}
        link = self.links.get(parts[-1])
        if link is None:
            return 404, {"status": 404, "errorCode": "000", "message": "Payment link not found"}
        if method == "PATCH":
            if (body or {}).get("status") != "expired":
                return 422, {"status": 422, "errorCode": "14_0", "message": "Only status expired is allowed"}
            if link["status"] == "completed":
                return 422, {"status": 422, "errorCode": "14_1", "message": "Link already completed"}
            link["status"] = "expired"
            self.expired.append(link["id"])
        return 200, link

    def _create(self, body, idempotency_key):
        with self._lock:
            if idempotency_key and idempotency_key in self.by_key:
                return 200, self.by_key[idempotency_key]
            missing = [name for name in ("amount", "merchantAccount", "reference")
                       if not (body or {}).get(name)]
            if missing or not isinstance(body["amount"].get("value"), int):
                return 422, {"status": 422, "errorCode": "14_012", "errorType": "validation",
                             "message": f"Required field missing: {missing or ['amount.value']}"}
            link_id = "PL" + secrets.token_hex(8).upper()
            link = {"id": link_id, "url": f"https://test.adyen.link/{link_id}", "status": "active",
                    "reference": body["reference"], "amount": body["amount"],
                    "merchantAccount": body["merchantAccount"], "expiresAt": body.get("expiresAt"),
                    "lineItems": body.get("lineItems", [])}
            self.links[link_id] = link
            self.created += 1
            if idempotency_key:
                self.by_key[idempotency_key] = link
            return 201, link


@contextmanager
def running_fake_adyen(**kwargs):
    fake = FakeAdyen(**kwargs).start()
    try:
        yield fake
    finally:
        fake.stop()


def notification_item(*, psp_reference: str, merchant_reference: str, value: int, currency: str,
                      event_code: str = "AUTHORISATION", success: bool = True,
                      merchant_account: str = MERCHANT, reason: str = "") -> dict:
    return {
        "pspReference": psp_reference, "originalReference": "", "merchantAccountCode": merchant_account,
        "merchantReference": merchant_reference, "amount": {"value": value, "currency": currency},
        "eventCode": event_code, "success": "true" if success else "false", "reason": reason,
        "eventDate": "2026-11-23T18:00:00+01:00", "paymentMethod": "visa", "operations": [],
        "additionalData": {},
    }


def sign_item(item: dict, hmac_key: str = HMAC_KEY) -> dict:
    signed = json.loads(json.dumps(item))
    unsigned = {k: v for k, v in signed.items() if k != "additionalData"}
    signature = generate_notification_sig(unsigned, hmac_key).decode()
    signed.setdefault("additionalData", {})["hmacSignature"] = signature
    return signed


def notification_body(*items: dict) -> bytes:
    return json.dumps({"live": "false", "notificationItems": [
        {"NotificationRequestItem": item} for item in items]}).encode()
