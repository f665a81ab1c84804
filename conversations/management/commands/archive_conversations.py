"""Archive open conversations by the archive policy: the work beat's "archive-conversations" does."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from conversations import services
from conversations.models import Conversation


class Command(BaseCommand):
    help = _("Archive the open conversations the archive policy says are due (safe to run again).")

    def handle(self, *args, **options):
        # The beat task's service: a second run finds nothing left to archive.
        archived = services.conversations_archive_due()
        labels = dict(Conversation.ArchiveReason.choices)
        for reason, count in archived.items():
            self.stdout.write(_("%(reason)s: %(count)d archived") % {"reason": labels.get(reason, reason),
                                                                   "count": count})
        self.stdout.write(self.style.SUCCESS(
            _("Conversations archived: %(count)d.") % {"count": sum(archived.values())}))
