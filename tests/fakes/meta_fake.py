"""A fake of Meta's WhatsApp Cloud API (Graph) on loopback, for the Meta provider's real HTTP client.

Implements what Atelier uses: send a message (POST /{version}/{phone-number-id}/messages),
read a media node (GET /{version}/{media-id}) and download it. Every request is recorded.
It also writes webhooks as Meta does (inbound messages, statuses), signed with the app
secret (X-Hub-Signature-256), and can post them to a running server.

Switches, for the next sends:

- `fail_next(code, times=)`: answer one of Meta's errors (ERRORS);
- `inject(kind, times=, retry_after=, delay=, accept=)`, kind one of FAULTS: "timeout" (do
  the work, answer after `delay`, past the client's timeout), "429" (a Retry-After header
  when `retry_after` is given), "500", "malformed" (do the work, answer 200 with a body
  that is not JSON).
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import LoopbackFake
from tests.fakes.twilio_fake import PNG

# code -> (HTTP status, message, details): what Meta answers for each.
ERRORS = {
    190: (401, "Error validating access token: Session has expired", ""),
    130429: (400, "Rate limit hit", "Cloud API message throughput has been reached."),
    131000: (500, "Something went wrong", ""),
    131009: (400, "(#131009) Parameter value is not valid",
             "Recipient phone number is not a valid WhatsApp phone number"),
    131026: (400, "Message undeliverable", "Unable to deliver message."),
    131047: (400, "Re-engagement message",
             "More than 24 hours have passed since the recipient last replied to the sender number."),
    131050: (400, "Unable to deliver message. Reasons can include: The recipient has chosen to stop "
                  "receiving marketing messages on WhatsApp from your business.", ""),
    132001: (404, "(#132001) Template name does not exist in the translation", ""),
}
FAULTS = ("timeout", "429", "500", "malformed")
NOT_JSON = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    body: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


class FakeMeta(LoopbackFake):
    def __init__(self, *, phone_number_id: str = "106540352242922", display_number: str = "12125550101",
                 access_token: str = "EAAG-fake-token-0123", app_secret: str = "fake-app-secret-4567",
                 verify_token: str = "atelier-verify-89", version: str = "v21.0"):
        super().__init__()
        self.phone_number_id = phone_number_id
        self.display_number = display_number
        self.access_token = access_token
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.version = version
        self.requests: list[RecordedRequest] = []
        self.media: dict[str, bytes] = {}
        self._plans: deque = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # --- switches ---------------------------------------------------------------------------

    def fail_next(self, code: int, times: int = 1) -> None:
        with self._lock:
            self._plans.extend([{"kind": "error", "code": code}] * times)

    def inject(self, kind: str, *, times: int = 1, retry_after: float | str | None = None,
               delay: float | None = None, accept: bool = True) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        delay = (30.0 if kind == "timeout" else 0.5) if delay is None else delay
        with self._lock:
            self._plans.extend([{"kind": kind, "retry_after": retry_after, "delay": delay,
                                 "accept": accept}] * times)

    # --- what happened ----------------------------------------------------------------------

    @property
    def sends(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/messages")]

    def last_send(self) -> dict:
        return self.sends[-1].body

    # --- webhooks as Meta writes them ---------------------------------------------------------

    def _envelope(self, value: dict) -> dict:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": self.display_number,
                              "phone_number_id": self.phone_number_id}, **value}
        return {"object": "whatsapp_business_account",
                "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}

    def new_wamid(self) -> str:
        return f"wamid.HBgL{next(self._ids):020d}FQIAERgS"

    def inbound_payload(self, *, from_: str, body: str = "Hello", name: str = "Ada", image_id: str = "",
                        wamid: str = "") -> dict:
        """A customer's message: text, or an image (its id known to the media endpoint) with a caption."""
        digits = from_.lstrip("+")
        message = {"from": digits, "id": wamid or self.new_wamid(), "timestamp": str(int(time.time()))}
        if image_id:
            self.media[image_id] = PNG
            message.update(type="image", image={"caption": body, "mime_type": "image/png",
                                                "sha256": hashlib.sha256(PNG).hexdigest(), "id": image_id})
        else:
            message.update(type="text", text={"body": body})
        return self._envelope({"contacts": [{"profile": {"name": name}, "wa_id": digits}],
                               "messages": [message]})

    def status_payload(self, *statuses: dict) -> dict:
        return self._envelope({"statuses": list(statuses)})

    @staticmethod
    def status(wamid: str, status: str, *, to: str = "12125550142", mid: int | None = None,
               error: int | None = None) -> dict:
        """One status of a sent message; `error` a code of ERRORS for a failure."""
        found = {"id": wamid, "status": status, "timestamp": str(int(time.time())),
                 "recipient_id": to.lstrip("+")}
        if mid is not None:
            found["biz_opaque_callback_data"] = f"mid:{mid}"
        if error is not None:
            _status, text, details = ERRORS[error]
            found["errors"] = [{"code": error, "title": text, "message": text,
                                "error_data": {"details": details or text}}]
        return found

    def sign(self, body: bytes, secret: str | None = None) -> str:
        key = (secret or self.app_secret).encode()
        return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()

    def signed(self, payload: dict, secret: str | None = None) -> tuple[bytes, str]:
        body = json.dumps(payload).encode()
        return body, self.sign(body, secret)

    def post_webhook(self, url: str, payload: dict, *, secret: str | None = None) -> int:
        """Post a signed webhook to a running server, as Meta does; its HTTP status."""
        body, signature = self.signed(payload, secret)
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  loopback only
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


    # --- handling ---------------------------------------------------------------------------

    def _handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw": raw.decode(errors="replace")}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append(RecordedRequest(method, parts.path, query, body, dict(handler.headers)))
        if handler.headers.get("Authorization", "") != f"Bearer {self.access_token}":
            return self._error(handler, 190)
        if method == "POST" and parts.path == f"/{self.version}/{self.phone_number_id}/messages":
            return self._send(handler, body)
        if method == "GET" and parts.path == "/whatsapp_business/attachments/":
            content = self.media.get(query.get("mid", ""))
            if content is None:
                return self._json(handler, 404, {"error": {"message": "Not found", "code": 100}})
            return self._bytes(handler, 200, content, "image/png")
        media_id = parts.path.rsplit("/", 1)[-1]
        if method == "GET" and parts.path == f"/{self.version}/{media_id}" and media_id in self.media:
            content = self.media[media_id]
            return self._json(handler, 200, {
                "messaging_product": "whatsapp", "id": media_id, "mime_type": "image/png",
                "sha256": hashlib.sha256(content).hexdigest(), "file_size": len(content),
                "url": f"{self.base_url}/whatsapp_business/attachments/?mid={media_id}&ext=1&hash=x"})
        return self._json(handler, 404, {"error": {"message": "Unsupported request", "code": 100}})

    def _send(self, handler, body: dict) -> None:
        with self._lock:
            fault = self._plans.popleft() if self._plans else {"kind": ""}
        kind = fault["kind"]
        if kind == "error":
            return self._error(handler, fault["code"])
        if kind == "429":
            headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
            return self._json(handler, 429, {"error": {"message": "Too many calls", "code": 80007}}, headers)
        if kind == "500":
            return self._json(handler, 500, {"error": {"message": "An unknown error occurred", "code": 1}})
        wamid = self.new_wamid()
        answer = {"messaging_product": "whatsapp", "messages": [{"id": wamid}],
                  "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}]}
        if kind == "timeout":
            self._release.wait(fault["delay"])
        try:
            if kind == "malformed":
                return self._bytes(handler, 200, NOT_JSON, "text/html")
            return self._json(handler, 200, answer)
        except OSError:
            return None  # the client gave up waiting

    def _error(self, handler, code: int) -> None:
        status, text, details = ERRORS[code]
        error = {"message": text, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        return self._json(handler, status, {"error": error})

    def _json(self, handler, status: int, payload: dict, headers: dict | None = None) -> None:
        self._bytes(handler, status, json.dumps(payload).encode(), "application/json", headers)

    @staticmethod
    def _bytes(handler, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
