"""Refresh every customer's measures (or the stale ones) by hand: the nightly job.

    python manage.py refresh_measures [--stale] [--chunk-size 5000]
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clienteling.measures import model as measure_model
from clienteling.services import sales as services


class Command(BaseCommand):
    help = _("Recompute customer measures and scores; idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--stale", action="store_true",
                            help=_("Only customers not refreshed today (their store's today)."))
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, stale, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        if measure_model.latest() is None:
            self.stdout.write(_("No fitted model yet: churn risk and predicted spend stay empty "
                                "(run fit_measures)."))
        started = time.monotonic()
        done = services.customer_measures_refresh_all(chunk_size=chunk_size, stale_only=stale)
        self.stdout.write(self.style.SUCCESS(
            _("Refreshed the measures of %(count)s customers in %(seconds).1f s.")
            % {"count": done, "seconds": time.monotonic() - started}))
