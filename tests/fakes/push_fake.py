"""A fake Web Push service on loopback, for the real `pywebpush` library to post to.

It plays both ends a browser would: `subscription(name)` makes a browser's subscription
(an ECDH P-256 key pair and an auth secret, as pushManager.subscribe() would) whose endpoint
points here, and every POST to an endpoint is recorded. `decrypt(push)` opens a recorded
payload with that subscription's private key (RFC 8291, aes128gcm), and `vapid(push)` checks
the request's VAPID signature (RFC 8292) and returns its claims, so a test sees what a real
push service and browser would accept.

`answer(name, status, times=1, retry_after=None)` makes the next POSTs to one endpoint
answer that status (410 Gone, 404, 429 ...) instead of 201 Created.
"""

import base64
import json
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class RecordedPush:
    name: str
    path: str
    headers: dict
    body: bytes
    status: int
    at: float


class FakePushService:
    def __init__(self):
        self.pushes: list[RecordedPush] = []
        self._keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        self._answers: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def subscription(self, name: str) -> dict:
        """A browser's PushSubscription.toJSON() for an endpoint of this fake."""
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self._keys[name] = (private, auth)
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.base_url}/push/{name}", "p256dh": b64url(public), "auth": b64url(auth)}

    def answer(self, name: str, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        with self._lock:
            self._answers[name].extend([(status, retry_after)] * times)

    def to(self, name: str) -> list[RecordedPush]:
        return [push for push in self.pushes if push.name == name]

    def decrypt(self, push: RecordedPush) -> dict:
        """The notification's JSON, opened as the browser would (its private key, its secret)."""
        private, auth = self._keys[push.name]
        assert push.headers.get("content-encoding") == "aes128gcm"
        opened = http_ece.decrypt(push.body, private_key=private, auth_secret=auth, version="aes128gcm")
        return json.loads(opened)

    def vapid(self, push: RecordedPush) -> tuple[dict, str]:
        """The VAPID JWT's claims and the server's public key, after checking the signature."""
        scheme, _space, params = push.headers["authorization"].partition(" ")
        assert scheme == "vapid", push.headers["authorization"]
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, key = fields["t"], fields["k"]
        header, claims, signature = token.split(".")
        raw = unb64url(signature)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as error:
            raise AssertionError("the VAPID signature does not verify") from error
        assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
        return json.loads(unb64url(claims)), key

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                """Quiet: a request line per call would drown the test output."""

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                name = self.path.rsplit("/", 1)[-1]
                with fake._lock:
                    queued = fake._answers[name]
                    status, retry_after = queued.popleft() if queued else (201, None)
                    known = name in fake._keys
                    if not known:
                        status = 404
                    headers = {key.lower(): value for key, value in self.headers.items()}
                    fake.pushes.append(RecordedPush(name, self.path, headers, body, status, time.time()))
                self.send_response(status)
                if retry_after is not None:
                    self.send_header("Retry-After", str(retry_after))
                if status == 201:
                    self.send_header("Location", f"{fake.base_url}/message/{len(fake.pushes)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
