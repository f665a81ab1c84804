"""Heavy reads on a streaming replica, when one is configured (DATABASE_REPLICA_URL).

Only what asks goes there: code inside `heavy_reads()` (the customer lists, the export,
Today). On entering it the database is chosen once, and it is the primary when

- the replica failed lately (then for DATABASE_REPLICA_RETRY_SECONDS), is not replaying
  (promoted), or lags more than DATABASE_REPLICA_MAX_LAG_SECONDS;
- the reader wrote lately and the replica has not replayed that write yet: after a
  request that wrote, `ReadYourWritesMiddleware` keeps the primary's WAL position in a
  signed cookie for DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS.

Everything else reads from the primary: writes, migrations, reads inside a transaction
on the primary, and a block's reads once it wrote. The replica's lag is measured at
most once per DATABASE_REPLICA_CHECK_SECONDS per process.
"""

import logging
import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.http.request import HttpRequest

PRIMARY = "default"
REPLICA = "replica"
COOKIE = "atelier_wrote"
_COOKIE_SALT = "catalog.replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

log = logging.getLogger(__name__)


@dataclass
class _Scope:
    """One request's (or one block's) routing: what the reader wrote, what was chosen."""

    after_lsn: int = 0  # the primary's WAL position after the reader's last write
    wrote: bool = False
    alias: str | None = None  # chosen by the outermost heavy_reads()


_scope: ContextVar["_Scope | None"] = ContextVar("atelier_read_scope", default=None)


@dataclass
class _Health:
    checked_at: float = -math.inf
    usable: bool = False
    replay_lsn: int = 0
    down_until: float = -math.inf


# Per process; threads may race to refresh it, which costs a query, never a wrong answer.
_health = _Health()


def configured() -> bool:
    return REPLICA in connections.settings and any(isinstance(r, ReplicaRouter) for r in router.routers)


def reset_health() -> None:
    """Forget what was measured (tests; a replica replaced under a running process)."""
    global _health
    _health = _Health()


def _lsn(text: str | None) -> int:
    """A WAL position ("16/B374D848") as a number, so two can be compared."""
    if not text:
        return 0
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def primary_lsn() -> int:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return _lsn(cursor.fetchone()[0])


def _down(reason: str) -> None:
    if _health.down_until < time.monotonic():
        log.warning("Read replica unusable, reading from the primary for %ss: %s",
                    settings.DATABASE_REPLICA_RETRY_SECONDS, reason)
    _health.down_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    _health.usable = False
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass  # already broken: nothing left to close


def _reachable() -> bool:
    """Whether this thread's replica connection works (Django's health check, once a request)."""
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as exc:
        _down(str(exc).strip())
        return False
    return True


def _keeps_up() -> bool:
    """Whether the replica is replaying and at most the allowed lag behind (cached)."""
    now = time.monotonic()
    if now - _health.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return _health.usable
    # The primary's position first: a replica already past it has caught up, whatever the
    # time since its last replayed commit (an idle primary commits nothing for minutes).
    reached = primary_lsn()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())")
            in_recovery, replayed, seconds = cursor.fetchone()
    except DatabaseError as exc:
        _down(str(exc).strip())
        return False
    if not in_recovery:
        _down("it is not in recovery (promoted?), so it no longer follows the primary")
        return False
    _health.replay_lsn = max(_health.replay_lsn, _lsn(replayed))
    lag = 0.0 if _health.replay_lsn >= reached else (math.inf if seconds is None else float(seconds))
    usable = lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if _health.usable and not usable:
        log.warning("Read replica %.1fs behind, reading from the primary", lag)
    _health.usable, _health.checked_at = usable, now
    return usable


def _replayed(lsn: int) -> bool:
    """Whether the replica has replayed the primary's WAL up to `lsn` (positions only grow)."""
    if _health.replay_lsn >= lsn:
        return True
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            _health.replay_lsn = max(_health.replay_lsn, _lsn(cursor.fetchone()[0]))
    except DatabaseError as exc:
        _down(str(exc).strip())
        return False
    return _health.replay_lsn >= lsn


def _choose(scope: _Scope) -> str:
    if scope.wrote or time.monotonic() < _health.down_until:
        return PRIMARY
    if not (_reachable() and _keeps_up()):
        return PRIMARY
    if scope.after_lsn and not _replayed(scope.after_lsn):
        return PRIMARY
    return REPLICA


@contextmanager
def heavy_reads():
    """Reads inside may go to the replica (the module says when); yields the alias chosen.

    Also a view decorator: `@heavy_reads()`.
    """
    if not configured():
        yield PRIMARY
        return
    scope = _scope.get()
    token = None
    if scope is None:  # outside a request (a task, a command)
        scope = _Scope()
        token = _scope.set(scope)
    outer = scope.alias
    if outer is None:
        scope.alias = _choose(scope)
    try:
        yield scope.alias
    finally:
        scope.alias = outer
        if token is not None:
            _scope.reset(token)


def heavy_reads_iterator(rows):
    """`rows` read later (a streamed response) on the database heavy_reads() chose now.

    A streamed response is read after the view and the middleware returned, so the
    choice travels with it; a write made after this call (the export's audit line) is not
    one the stream reads.
    """
    scope = _scope.get()
    if not configured() or scope is None or scope.alias != REPLICA or scope.wrote:
        return rows

    def read():
        iterator = iter(rows)
        while True:
            # Set around each step only: a generator must not leave its context behind.
            token = _scope.set(_Scope(alias=REPLICA))
            try:
                row = next(iterator)
            except StopIteration:
                return
            finally:
                _scope.reset(token)
            yield row

    return read()


class ReplicaRouter:
    """The primary for everything but the reads of a heavy_reads() block that chose the replica."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if (scope is None or scope.alias != REPLICA or scope.wrote
                or connections[PRIMARY].in_atomic_block):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        if (scope := _scope.get()) is not None:
            scope.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # One database under two names: a row read from either may point at the other's.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReadYourWritesMiddleware:
    """After a request that wrote, the same browser's heavy reads wait for the replica to
    replay that write, reading from the primary until it has (or the window closes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not configured():
            return self.get_response(request)
        scope = _Scope(after_lsn=self._after_lsn(request))
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if (scope.wrote or request.method not in SAFE_METHODS) and self._signed_in(request):
            response.set_signed_cookie(
                COOKIE, str(primary_lsn()), salt=_COOKIE_SALT,
                max_age=settings.DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response

    @staticmethod
    def _after_lsn(request) -> int:
        value = request.get_signed_cookie(COOKIE, default="", salt=_COOKIE_SALT,
                                          max_age=settings.DATABASE_REPLICA_READ_YOUR_WRITES_SECONDS)
        return int(value) if value.isdigit() else 0

    @staticmethod
    def _signed_in(request) -> bool:
        # Webhooks and sign-in pages read nothing heavy afterwards.
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
