"""Check this installation (database, migrations, Redis, workers, beat, providers, webhooks,
settings) and say what is wrong and how to fix it; non-zero exit on a problem."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ops.doctor import OK, PROBLEM, SKIPPED, WARNING, as_json, diagnose

MARKS = {OK: "[ok]     ", WARNING: "[warning]", PROBLEM: "[PROBLEM]", SKIPPED: "[skipped]"}


class Command(BaseCommand):
    help = _("Check the database, migrations, Redis, Celery workers and beat, provider credentials, webhook "
             "addresses and settings; print what is wrong and how to fix it. Exits 1 on a problem.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("Print the findings as JSON."))

    def handle(self, *args, json: bool = False, **options):  # noqa: A002  the option's name
        findings = diagnose()
        problems = sum(finding.status == PROBLEM for finding in findings)
        if json:
            self.stdout.write(_dumps(as_json(findings)))
        else:
            for finding in findings:
                style = {OK: self.style.SUCCESS, WARNING: self.style.WARNING,
                         PROBLEM: self.style.ERROR}.get(finding.status, str)
                self.stdout.write(f"{style(MARKS[finding.status])} {finding.name}: {finding.message}")
                for detail in finding.details:
                    self.stdout.write(f"            {detail}")
                if finding.fix and finding.status in (PROBLEM, WARNING):
                    self.stdout.write(f"            {_('fix')}: {finding.fix}")
        if problems:
            raise CommandError(ngettext("doctor found %(count)d problem.", "doctor found %(count)d problems.",
                                        problems) % {"count": problems})
        if not json:
            self.stdout.write(self.style.SUCCESS(_("No problems found.")))


def _dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
