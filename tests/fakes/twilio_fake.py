"""A fake of Twilio's REST API on loopback, for the real `twilio` SDK to talk to.

Implements what Atelier uses: create a message, fetch one, list messages
(filtered by To/From/DateSent>), fetch inbound media; and the Content API's
templates (content.twilio.com, served here too): create a content, request its
WhatsApp approval, fetch the approval. Every request is recorded with the time
it arrived.

WhatsApp's verdict on a submitted content is "received" until a test gives it
with `approval_verdict(sid, status, reason)` ("pending", "approved", "rejected" ...).

Switches, for the next requests to one endpoint ("create", "list", "fetch",
"media", "content_create", "approval_create", "approval_fetch"):

- `fail_next(code)`: answer a Twilio error (20429, 21610, 21211, 21614, 63016, 20500);
- `inject(kind, times=, retry_after=, delay=, accept=, on=)`, kind one of FAULTS:
  "timeout" (do the work, then answer only after `delay`: past the client's
  timeout; with accept=False a create keeps nothing), "429" (with a Retry-After
  header when `retry_after` is given), "500", "malformed" (do the work, answer
  2xx with a body that is not JSON), "slow" (answer correctly after `delay`,
  shorter than the client's timeout);
- `hang_next(seconds, accept=)`: the "request left, answer lost" case, an
  inject("timeout") on create.
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
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import LoopbackFake

ERRORS = {
    20429: (429, "Too Many Requests"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    63016: (400, "Failed to send freeform message because you are outside the allowed window. "
                 "If you want to send messages outside this window, please use a Template."),
    20500: (500, "An internal server error has occurred"),
}
FAULTS = ("timeout", "429", "500", "malformed", "slow")
ENDPOINTS = ("create", "list", "fetch", "media", "content_create", "approval_create", "approval_fetch")
# The Content API's own rules, as it answers them (HTTP 400, code 20001 "Invalid parameter").
CONTENT_TYPES = ("twilio/text", "twilio/media", "twilio/quick-reply")
QUICK_REPLY_TITLE_MAX = 20
CONTENT_BODY_MAX = 1024
WHATSAPP_CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
# What a proxy in front of an API answers when it is having a bad day.
NOT_JSON = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


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


class FakeTwilio(LoopbackFake):
    def __init__(self, account_sid: str = "AC" + "f" * 32, auth_token: str = "fake-auth-token-0123"):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict] = {}
        self.contents: dict[str, dict] = {}
        self.approvals: dict[str, dict] = {}
        self._plans: dict[str, deque] = {endpoint: deque() for endpoint in ENDPOINTS}
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    # --- switches --------------------------------------------------------------------

    def fail_next(self, code: int, times: int = 1, *, on: str = "create") -> None:
        with self._lock:
            self._plans[on].extend([{"kind": "error", "code": code}] * times)

    def hang_next(self, seconds: float = 30.0, *, accept: bool = True) -> None:
        """The next create hangs; with `accept`, Twilio took the message before hanging."""
        self.inject("timeout", delay=seconds, accept=accept)

    def inject(self, kind: str, *, times: int = 1, retry_after: float | str | None = None,
               delay: float | None = None, accept: bool = True, on: str = "create") -> None:
        """The next `times` requests to `on` misbehave as `kind` (FAULTS)."""
        if kind not in FAULTS or on not in ENDPOINTS:
            raise ValueError(f"unknown fault {kind!r} on {on!r}")
        if delay is None:
            delay = 30.0 if kind == "timeout" else 0.5
        with self._lock:
            self._plans[on].extend([{"kind": kind, "retry_after": retry_after, "delay": delay,
                                     "accept": accept}] * times)

    def approval_verdict(self, content_sid: str, status: str, reason: str = "") -> None:
        """WhatsApp decides on a submitted content (what the next approval fetch reports)."""
        with self._lock:
            self.approvals[content_sid].update(status=status, rejection_reason=reason)

    # --- what happened ---------------------------------------------------------------

    @property
    def creates(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    @property
    def lists(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "GET" and r.path.endswith("/Messages.json")]

    def last_create(self) -> dict:
        return self.creates[-1].form

    @property
    def content_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1/Content")]


    # --- handling --------------------------------------------------------------------

    def _authorized(self, handler) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return handler.headers.get("Authorization", "") == f"Basic {expected}"

    def _handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode() if length else ""
        if parts.path.startswith("/v1/Content"):
            # The Content API takes JSON; the Messages API takes a form.
            try:
                form = json.loads(raw) if raw else {}
            except ValueError:
                form = {"_unreadable": raw}
        else:
            form = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        record = RecordedRequest(method, parts.path, query, form, dict(handler.headers))
        with self._lock:
            self.requests.append(record)
        if not self._authorized(handler):
            return self._json(handler, 401, {"code": 20003, "message": "Authenticate", "status": 401})
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/Messages"
        content = parts.path.split("/")[3:] if parts.path.startswith("/v1/Content/") else []
        sid = parts.path[len(prefix) + 1:-len(".json")]
        if method == "POST" and parts.path == "/v1/Content":
            endpoint = "content_create"
        elif method == "POST" and len(content) == 3 and content[1:] == ["ApprovalRequests", "whatsapp"]:
            endpoint, sid = "approval_create", content[0]
        elif method == "GET" and len(content) == 2 and content[1] == "ApprovalRequests":
            endpoint, sid = "approval_fetch", content[0]
        elif method == "POST" and parts.path == prefix + ".json":
            endpoint = "create"
        elif method == "GET" and parts.path == prefix + ".json":
            endpoint = "list"
        elif method == "GET" and "/Media/" in parts.path:
            endpoint = "media"
        elif method == "GET" and parts.path.startswith(prefix + "/") and parts.path.endswith(".json"):
            endpoint = "fetch"
        else:
            return self._json(handler, *self._not_found())
        with self._lock:
            fault = self._plans[endpoint].popleft() if self._plans[endpoint] else {"kind": ""}
        kind = fault["kind"]
        if kind == "error":
            status, text = ERRORS[fault["code"]]
            return self._json(handler, status, self._error(fault["code"], text, status))
        if kind == "429":
            headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
            return self._json(handler, 429, self._error(20429, ERRORS[20429][1], 429), headers)
        if kind == "500":
            return self._json(handler, 500, self._error(20500, ERRORS[20500][1], 500))
        if kind == "slow":
            self._release.wait(fault["delay"])
        status, body, content_type = self._answer(endpoint, sid, form, query, keep=fault.get("accept", True))
        if kind == "timeout":
            self._release.wait(fault["delay"])
        if kind == "malformed":
            body, content_type = NOT_JSON, "text/html"
        try:
            return self._bytes(handler, status, body, content_type)
        except OSError:
            return None  # the client gave up waiting

    def _answer(self, endpoint: str, sid: str, form: dict, query: dict, *,
                keep: bool) -> tuple[int, bytes, str]:
        if endpoint == "create":
            message = self._message(form)
            if keep:
                self.messages[message["sid"]] = message
            return 201, json.dumps(message).encode(), "application/json"
        if endpoint == "list":
            return 200, json.dumps(self._list(query)).encode(), "application/json"
        if endpoint == "media":
            return 200, PNG, "image/png"
        if endpoint in ("content_create", "approval_create", "approval_fetch"):
            status, payload = self._content(endpoint, sid, form, keep=keep)
            return status, json.dumps(payload).encode(), "application/json"
        if sid in self.messages:
            return 200, json.dumps(self.messages[sid]).encode(), "application/json"
        status, payload = self._not_found()
        return status, json.dumps(payload).encode(), "application/json"

    # --- the Content API -------------------------------------------------------------

    def _content(self, endpoint: str, sid: str, form: dict, *, keep: bool) -> tuple[int, dict]:
        if endpoint == "content_create":
            problem = self._content_problem(form)
            if problem:
                return 400, self._error(20001, problem, 400)
            content = self._new_content(form)
            if keep:
                with self._lock:
                    self.contents[content["sid"]] = content
            return 201, content
        if sid not in self.contents:
            return self._not_found()
        content = self.contents[sid]
        if endpoint == "approval_create":
            if form.get("category") not in WHATSAPP_CATEGORIES or not form.get("name"):
                return 400, self._error(20001, "Invalid parameter: name and a WhatsApp category are required",
                                        400)
            if sid in self.approvals:
                return 400, self._error(20001, "An approval request was already submitted for this content",
                                        400)
            approval = {"name": form["name"], "category": form["category"],
                        "content_type": content["_type"], "status": "received", "rejection_reason": "",
                        "allow_category_change": True}
            if keep:
                with self._lock:
                    self.approvals[sid] = approval
            return 201, {key: approval[key] for key in approval}
        approval = self.approvals.get(sid, {"status": "unsubmitted", "rejection_reason": "", "name": "",
                                            "category": "", "content_type": content["_type"]})
        return 200, {"sid": sid, "account_sid": self.account_sid,
                     "url": f"https://content.twilio.com/v1/Content/{sid}/ApprovalRequests",
                     "whatsapp": {"type": "whatsapp", **approval}}

    @staticmethod
    def _content_problem(form: dict) -> str:
        if "_unreadable" in form:
            return "Request body is not valid JSON"
        if not form.get("friendly_name") or not form.get("language"):
            return "Invalid parameter: friendly_name and language are required"
        # The SDK sends every type it knows, unused ones as null.
        types = {name: value for name, value in (form.get("types") or {}).items() if value is not None}
        if len(types) != 1 or next(iter(types)) not in CONTENT_TYPES:
            return "Invalid parameter: types must hold one supported content type"
        kind, value = next(iter(types.items()))
        body = value.get("body") or ""
        if not body or len(body) > CONTENT_BODY_MAX:
            return f"Invalid parameter: body is required, at most {CONTENT_BODY_MAX} characters"
        if kind == "twilio/media" and not value.get("media"):
            return "Invalid parameter: twilio/media needs a media URL"
        if kind == "twilio/quick-reply":
            actions = value.get("actions") or []
            if not 1 <= len(actions) <= 10 or any(
                    not a.get("title") or len(a["title"]) > QUICK_REPLY_TITLE_MAX for a in actions):
                return (f"Invalid parameter: 1 to 10 actions, titles of 1 to {QUICK_REPLY_TITLE_MAX} "
                        "characters")
        return ""

    def _new_content(self, form: dict) -> dict:
        sid = "HX" + uuid.uuid4().hex
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        types = {name: value for name, value in form["types"].items() if value is not None}
        url = f"https://content.twilio.com/v1/Content/{sid}"
        return {"sid": sid, "account_sid": self.account_sid, "friendly_name": form["friendly_name"],
                "language": form["language"], "variables": form.get("variables") or {}, "types": types,
                "url": url, "date_created": now, "date_updated": now, "_type": next(iter(types)),
                "links": {"approval_create": f"{url}/ApprovalRequests/whatsapp",
                          "approval_fetch": f"{url}/ApprovalRequests"}}

    @staticmethod
    def _error(code: int, text: str, status: int) -> dict:
        return {"code": code, "message": text, "status": status,
                "more_info": f"https://www.twilio.com/docs/errors/{code}"}

    @staticmethod
    def _not_found() -> tuple[int, dict]:
        return 404, {"code": 20404, "message": "The requested resource was not found",
                     "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}

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

    def _list(self, query: dict) -> dict:
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
        return {"messages": found, "end": max(len(found) - 1, 0), "first_page_uri": uri,
                "next_page_uri": None, "page": 0, "page_size": 50,
                "previous_page_uri": None, "start": 0, "uri": uri}

    def _json(self, handler, status: int, payload: dict, headers: dict | None = None) -> None:
        self._bytes(handler, status, json.dumps(payload).encode(), "application/json", headers)

    def _bytes(self, handler, status: int, body: bytes, content_type: str,
               headers: dict | None = None) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
