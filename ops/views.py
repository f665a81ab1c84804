"""Health probes for load balancers and the Prometheus scrape.

Public by design, so they say nothing sensitive: /healthz and /readyz name their checks
and "ok"/"failed", never an address or an error text (those go to the log). /metrics
answers only the configured scrapers, and 404 to anyone else, as if it did not exist.
"""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import metrics, probes


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. No database, no Redis: a restart would not fix those."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: the database and Redis answer; 503 naming the one that did not."""
    checks = {"database": "ok" if probes.database_ok() else "failed"}
    redis_state = probes.redis_ok()
    if redis_state is not None:
        checks["redis"] = "ok" if redis_state else "failed"
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)


def metrics_allowed(request) -> bool:
    """A scraper at an allowed address (or network), or with the bearer token."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(
            header.removeprefix("Bearer ").strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


@never_cache
@require_safe
def metrics_view(request):
    """Prometheus text: django-prometheus' request and database figures, then Atelier's own."""
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
