"""Sends per sender number, shared by every worker: a token bucket in Redis.

Celery's own `rate_limit` counts per worker process, so N workers would send N
times too fast. The bucket lives in Redis (one Lua script, atomic) when
REDIS_URL is set; the embedded default has one worker and uses a process-local
bucket.
"""

import threading
import time

from django.conf import settings

# KEYS[1] bucket; ARGV: rate per second, capacity, now (ms). Returns the wait in
# ms before a token is available (0: a token was taken).
TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000.0)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000.0 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000.0 / rate) + 1000)
return wait
"""


class LocalTokenBucket:
    def __init__(self):
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, key: str, *, rate: float, capacity: float) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - ts) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / rate


class RedisTokenBucket:
    def __init__(self, url: str):
        import redis

        self._client = redis.Redis.from_url(url)
        self._script = self._client.register_script(TOKEN_BUCKET_LUA)

    def acquire(self, key: str, *, rate: float, capacity: float) -> float:
        # Redis' clock would be better, but TIME is not allowed before writes in
        # older scripting modes; worker clocks are NTP-synced and the error only
        # shifts refill by the skew.
        wait_ms = self._script(keys=[f"atelier:send-rate:{key}"],
                               args=[rate, capacity, int(time.time() * 1000)])
        return int(wait_ms) / 1000


_limiter = None
_limiter_url = None


def limiter():
    global _limiter, _limiter_url
    url = settings.REDIS_URL
    if _limiter is None or url != _limiter_url:
        _limiter = RedisTokenBucket(url) if url else LocalTokenBucket()
        _limiter_url = url
    return _limiter


def acquire(sender_key: str) -> float:
    """Take one token for this sender; returns seconds to wait (0: go ahead)."""
    rate = float(settings.MESSAGING_SEND_RATE_PER_SECOND)
    if rate <= 0:
        return 0.0
    capacity = float(settings.MESSAGING_SEND_BURST) or 1.0
    return limiter().acquire(sender_key, rate=rate, capacity=max(capacity, 1.0))
