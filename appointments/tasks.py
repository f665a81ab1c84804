"""Thin Celery tasks named after the service they run: load by id, call it. Each is safe twice."""

import smtplib

from celery import shared_task
from django.conf import settings

from catalog.background import BeatJob, retry_delay

from . import services


@shared_task(base=BeatJob)
def appointment_reminders_send_due() -> dict:
    # Each reminder is claimed by a unique row before it goes: a second run sends nothing again.
    return services.appointment_reminders_send_due()


@shared_task(bind=True, max_retries=None)
def appointment_confirmation_send(self, appointment_id: int, event: str) -> bool:
    # A repeat carries the same Message-ID, so the customer's mail system drops a duplicate.
    try:
        return services.appointment_confirmation_send(appointment_id=appointment_id, event=event)
    except (smtplib.SMTPException, OSError) as error:
        if (self.request.retries or 0) >= settings.TASK_MAX_RETRIES:
            return False
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries, None),
                         max_retries=settings.TASK_MAX_RETRIES) from error
