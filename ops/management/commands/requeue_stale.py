"""Queue again the work whose task was lost: every "requeue stale" sweep beat runs."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ops.sweeps import SWEEP_NAMES, sweeps_run

UNSETTLED = {"waiting", "lookup_failed"}


class Command(BaseCommand):
    help = _("Queue again the work whose task was lost (bulk jobs, queued and stuck sends, webhook and "
             "payment events), as beat does; safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", choices=SWEEP_NAMES, metavar="SWEEP",
                            help=_("Run only this sweep (repeatable): %(names)s") % {
                                "names": ", ".join(SWEEP_NAMES)})

    def handle(self, *args, only=None, **options):
        total = 0
        for sweep, result in sweeps_run(names=only):
            if isinstance(result, dict):
                # Sends still waiting for the provider's answer were looked at, not settled.
                count = sum(value for key, value in result.items() if key not in UNSETTLED)
                detail = ", ".join(f"{key} {value}" for key, value in sorted(result.items())) or "0"
                self.stdout.write(f"{sweep.name}: {sweep.label}: {detail}")
            else:
                count = result
                self.stdout.write(f"{sweep.name}: {sweep.label}: {result}")
            total += count
        done = _("Stale work requeued or settled: %(count)d.") % {"count": total}
        self.stdout.write(self.style.SUCCESS(done))
