"""A request id on every log line, from the request into the Celery tasks it starts.

The id comes from the proxy's X-Request-ID when it looks sane (letters, digits and
`-_.:`, 8 to 128 characters), else a fresh one; the response says it back in X-Request-ID.
It lives in a context variable that config/logging.py's RequestIdFilter puts on every log
record, and that config/celery.py hands to the tasks a request queues (a message header,
read back before the task runs). No models here: the logging config imports this module
before the apps are loaded.
"""

import re
import uuid
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
CELERY_HEADER = "request_id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def sane(value) -> str | None:
    """The value if it can be trusted into logs and headers, else None."""
    if isinstance(value, str) and _SANE.fullmatch(value):
        return value
    return None


def new() -> str:
    return uuid.uuid4().hex


def get() -> str | None:
    return current.get()


def bind(value: str | None) -> Token:
    return current.set(value)


def reset(token: Token) -> None:
    current.reset(token)


class RequestIdMiddleware:
    """First in MIDDLEWARE but for the metrics': every line of the request has the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane(request.META.get(META_KEY)) or new()
        request.request_id = request_id
        # Left bound until the request finishes (`request_finished`, ops/apps.py): Django logs
        # a 4xx or 5xx response after the middleware chain has returned it.
        bind(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def unbind(**kwargs) -> None:
    """`request_finished`: lines logged after the request (and the thread's next ones) have none."""
    bind(None)
