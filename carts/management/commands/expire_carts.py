"""Expire open carts past their store's midnight: the work beat's "expire-remote-carts" does."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from carts import services


class Command(BaseCommand):
    help = _("Expire the open carts whose store's midnight has passed, and their payment links "
             "(safe to run again).")

    def handle(self, *args, **options):
        # The beat task's service: an expired cart is no longer open, so a second run finds none.
        expired = services.carts_expire_due()
        self.stdout.write(self.style.SUCCESS(_("Carts expired: %(count)d.") % {"count": expired}))
