"""Per-key rate limit, requests per minute in the shared cache (Redis in production)."""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .models import ApiKey


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        now = time.time()
        window = int(now // 60)
        slot = f"api-rate:{key.pk}:{window}"
        cache.add(slot, 0, timeout=120)
        try:
            count = cache.incr(slot)
        except ValueError:  # expired between add and incr
            cache.set(slot, 1, timeout=120)
            count = 1
        self._wait = (window + 1) * 60 - now
        return count <= key.rate_limit_per_minute

    def wait(self):
        return max(1, int(self._wait + 0.999))
