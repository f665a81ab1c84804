"""Import per-customer measures from another analytics product's CSV export.

    python manage.py import_external_measures FILE --legal-entity CODE [--source NAME]

The file has a header row with `customer`, `measure` and `value` columns; `customer`
is the key the legal entity's external measures settings match on.
"""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clienteling.models import ExternalMeasuresSettings, LegalEntity
from clienteling.services.external_measures import KEYS, external_measures_import


class Command(BaseCommand):
    help = _("Import per-customer measures from a CSV file (customer, measure, value).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--legal-entity", required=True, help=_("The legal entity's code."))
        parser.add_argument("--source", help=_("The source's name (default: the settings' source name)."))

    def handle(self, *args, file, legal_entity, source, **options):
        entity = LegalEntity.objects.filter(code=legal_entity).first()
        if entity is None:
            raise CommandError(_("No legal entity has the code %(code)s.") % {"code": legal_entity})
        settings = ExternalMeasuresSettings.objects.filter(legal_entity=entity).first()
        if settings is None:
            raise CommandError(_("Set up the external measures settings of %(entity)s first (admin).")
                               % {"entity": entity})
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                missing = [key for key in KEYS if key not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(_("The file lacks the column(s): %(columns)s.")
                                       % {"columns": ", ".join(missing)})
                records = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s")
                               % {"file": file, "error": error}) from error
        result = external_measures_import(legal_entity=entity, records=records,
                                          source=source or settings.source_name)
        # Row numbers as a spreadsheet shows them: the header is row 1.
        for number, reason in result.rejected:
            self.stdout.write(_("Row %(row)s rejected: %(reason)s") % {"row": number + 1 if number else "-",
                                                                       "reason": reason})
        if result.switched_off:
            self.stdout.write(self.style.ERROR(_("External measures switched off: %(why)s")
                                               % {"why": result.switched_off}))
        self.stdout.write(self.style.SUCCESS(
            _("Imported %(count)s measures, rejected %(rejected)s rows.")
            % {"count": result.imported, "rejected": len(result.rejected)}))
