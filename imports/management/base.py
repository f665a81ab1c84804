"""What the three import commands share: options, the progress bar, the report of rejected rows."""

import csv
import os

from django.core.management.base import BaseCommand, CommandError

from clienteling.models import LegalEntity, Store

from ..services import FileUnreadable, file_import, rejected_csv_rows


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The CSV file (Atelier, Shopify or Square format; see docs/imports.md)."
        )
        parser.add_argument("--legal-entity", help="The legal entity's code (needed when there are several).")
        parser.add_argument("--store", help="The store the file is about when its rows do not say (code).")
        parser.add_argument(
            "--format", default="", help="Skip detection: the format's code (docs/imports.md)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and count; write nothing.")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="Keep nothing of the file if one record is refused."
        )
        parser.add_argument(
            "--rejected", help="Write the rejected rows (line, reasons, cells) to this CSV file."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def _legal_entity(self, code):
        if code:
            entity = LegalEntity.objects.filter(code=code).first()
            if entity is None:
                raise CommandError(f"No legal entity with the code {code!r}.")
            return entity
        entities = list(LegalEntity.objects.all()[:2])
        if len(entities) != 1:
            raise CommandError("Name the legal entity with --legal-entity CODE.")
        return entities[0]

    def handle(
        self,
        *args,
        file,
        legal_entity=None,
        store=None,
        format="",
        dry_run=False,
        all_or_nothing=False,
        rejected=None,
        no_progress=False,
        **options,
    ):
        entity = self._legal_entity(legal_entity)
        store_obj = None
        if store:
            store_obj = Store.objects.filter(legal_entity=entity, code=store).first()
            if store_obj is None:
                raise CommandError(f"No store {store!r} in {entity.code}.")
        try:
            handle = open(file, "rb")  # noqa: SIM115  closed below
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        size = os.fstat(handle.fileno()).st_size or 1
        show = not no_progress and options.get("verbosity", 1) > 0

        def progress(done: int, rows: int) -> None:
            if show:
                filled = int(30 * min(done / size, 1))
                bar = "#" * filled + "." * (30 - filled)
                self.stderr.write(f"\r[{bar}] {100 * min(done / size, 1):3.0f}% {rows:,} rows", ending="")
                self.stderr.flush()

        try:
            with handle:
                report = file_import(
                    stream=handle,
                    kind=self.kind,
                    legal_entity=entity,
                    store=store_obj,
                    source=f"import {os.path.basename(file)}",
                    dry_run=dry_run,
                    all_or_nothing=all_or_nothing,
                    format_code=format,
                    progress=progress,
                )
        except FileUnreadable as error:
            raise CommandError(" ".join(error.messages)) from None
        if show:
            self.stderr.write("")
        result = report.result
        for row in report.rejected_rows:
            self.stdout.write(
                f"line {row.line}" + (f" ({row.key})" if row.key else "") + ": " + "; ".join(row.reasons)
            )
        if report.rejected_count > len(report.rejected_rows):
            self.stdout.write(
                f"... and {report.rejected_count - len(report.rejected_rows):,} more rejected rows."
            )
        if rejected:
            with open(rejected, "w", newline="", encoding="utf-8") as out:
                csv.writer(out).writerows(rejected_csv_rows(report.rejected_rows, report.header))
        verb = "would be" if dry_run else "were"
        summary = (
            f"{report.format.label}: {report.rows_read:,} rows, {report.records:,} records; "
            f"{result.created:,} {verb} created, {result.updated:,} updated, {result.unchanged:,} unchanged, "
            f"{report.rejected_count:,} rejected."
        )
        if result.rolled_back:
            summary += " Nothing was kept (--all-or-nothing)."
        self.stdout.write(
            self.style.WARNING(summary) if report.rejected_count else self.style.SUCCESS(summary)
        )
        if report.records == 0:
            raise CommandError("No record could be read from the file.")
