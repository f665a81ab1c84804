"""The checks a load balancer's probe and `doctor` share: database and Redis reachable."""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


def database_ok(alias: str = "default") -> bool:
    """One `SELECT 1` on the database; False (logged) when it cannot answer."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # Django closes a broken connection when the request finishes.
        logger.warning("probe: database %s unreachable: %s", alias, error)
        return False
    return True


def redis_client(url: str | None = None, *, timeout: float = PROBE_TIMEOUT_SECONDS) -> redis.Redis:
    return redis.Redis.from_url(url or settings.REDIS_URL, socket_timeout=timeout,
                                socket_connect_timeout=timeout)


def redis_ok(url: str | None = None) -> bool | None:
    """PING Redis: True, False (logged), or None when there is no Redis (the embedded default)."""
    url = url or settings.REDIS_URL
    if not url:
        return None
    try:
        client = redis_client(url)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError) as error:
        logger.warning("probe: redis unreachable: %s", error)
        return False
