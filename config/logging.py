"""Logging filters named by the settings' LOGGING."""

import logging

from ops import request_id


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx is the client's mistake (a refused permission, a missing page): one line, no traceback.

    Django logs a PermissionDenied with its traceback at WARNING; only 5xx keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class RequestIdFilter(logging.Filter):
    """Every record carries the request id of the request or task it was logged in ("-": none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get() or "-"
        return True
