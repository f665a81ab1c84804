from celery import shared_task

from . import services


@shared_task
def refresh_stale_customer_measures() -> int:
    return services.customer_measures_refresh_stale()
