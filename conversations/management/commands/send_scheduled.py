"""Queue the scheduled messages that are due: the work beat's "send-due-scheduled-messages" does."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from conversations import services


class Command(BaseCommand):
    help = _("Queue the scheduled messages whose time has come, re-checking consent and quiet hours "
             "(safe to run again).")

    def handle(self, *args, **options):
        # The beat task's service: each message leaves "scheduled" once, so a second run finds none.
        handled = services.scheduled_messages_send_due()
        self.stdout.write(self.style.SUCCESS(
            _("Scheduled messages due and handled: %(count)d (queued, blocked or moved to the store's "
              "allowed hours).") % {"count": handled}))
