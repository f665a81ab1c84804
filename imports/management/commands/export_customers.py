"""`manage.py export_customers --user NAME [--filter KEY=VALUE ...] [--list ID] [--unmasked] [--output FILE]`.

The console list's export, for operators: the same filters (the list's query-string
parameters, e.g. --filter tags=3 --filter city=Boston, or a saved list of the user's),
the same columns, scoped to what the user may see. Contact details are masked unless
--unmasked is asked for by a user holding "view sensitive customer data". Streamed in
primary-key chunks, so memory stays flat on a million customers.
"""

import csv
from urllib.parse import parse_qsl

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.http import Http404, QueryDict

from catalog.replica import heavy_reads
from clienteling import services
from clienteling.access import access_saved_list, can_see_sensitive
from clienteling.forms.lists import filter_params
from clienteling.grid import COLUMNS_BY_KEY, csv_value
from clienteling.models import AuditAction, Tag
from clienteling.selectors.lists import columns_for, filtered_customers

CHUNK = 1000


class Command(BaseCommand):
    help = "Export the customer list as CSV with the console's filters; masked unless --unmasked."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Whose list: their stores, rights and saved lists.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            dest="filters",
            metavar="KEY=VALUE",
            help="A list filter as in the console's URL (repeat it, or give a query string).",
        )
        parser.add_argument("--list", dest="saved_list", help="A saved list of the user's (its id).")
        parser.add_argument("--columns", help="Comma-separated column keys (default: the user's columns).")
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="Contact details in clear (the user needs the sensitive-data permission).",
        )
        parser.add_argument("--output", "-o", help="Write to this file (default: standard output).")

    def handle(
        self, *args, user, filters, saved_list=None, columns=None, unmasked=False, output=None, **options
    ):
        person = (
            get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: user}, is_active=True).first()
        )
        if person is None:
            raise CommandError(f"No active user {user!r}.")
        if not person.has_perm("clienteling.export_customers"):
            raise CommandError(f"{user} may not export customer lists.")
        if unmasked and not can_see_sensitive(person):
            raise CommandError(f"{user} may not see sensitive customer data: leave out --unmasked.")
        params = self._params(person, filters, saved_list, columns)
        filterset, queryset = filtered_customers(user=person, params=params)
        if filterset.form.errors:
            raise CommandError(
                "The filters are not valid: "
                + "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items())
            )
        chosen = [
            COLUMNS_BY_KEY[key] for key in columns_for(user=person, params=params, saved_list=self.saved)
        ]
        related = sorted({path for column in chosen for path in column.related})
        prefetch = sorted({path for column in chosen for path in column.prefetch})
        services.audit_record(
            action=AuditAction.EXPORT,
            actor=person,
            target=self.saved.name if self.saved else "",
            detail={
                "filters": sorted(k for k, v in params.items() if v),
                "unmasked": unmasked,
                "via": "export_customers",
            },
        )
        stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        written = 0
        try:
            writer = csv.writer(stream)
            writer.writerow([csv_value(str(column.label)) for column in chosen])
            with heavy_reads():
                last_pk = 0
                while True:
                    chunk = list(
                        queryset.filter(pk__gt=last_pk)
                        .order_by("pk")
                        .select_related(*related)
                        .prefetch_related(*prefetch)[:CHUNK]
                    )
                    if not chunk:
                        break
                    writer.writerows(
                        [csv_value(column.export_value(customer, sensitive=unmasked)) for column in chosen]
                        for customer in chunk
                    )
                    written += len(chunk)
                    last_pk = chunk[-1].pk
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(
                f"Wrote {written:,} customers to {output}" + (" (unmasked)." if unmasked else ".")
            )

    def _params(self, person, filters, saved_list, columns) -> QueryDict:
        self.saved = None
        if saved_list:
            try:
                self.saved = access_saved_list(person, saved_list)
            except Http404:
                raise CommandError(f"No saved list {saved_list} of {person.get_username()}.") from None
        given = QueryDict(mutable=True)
        for text in filters:
            pairs = parse_qsl(text, keep_blank_values=True)
            if not pairs:
                raise CommandError(f"A filter is KEY=VALUE, not {text!r}.")
            for key, value in pairs:
                if key == "tags" and value and not value.isdigit():
                    # A tag by its name or slug ("tags=VIP"); the console's URL carries ids.
                    tag = Tag.objects.filter(Q(slug=value) | Q(name__iexact=value)).order_by("pk").first()
                    if tag is None:
                        raise CommandError(f"No tag {value!r}.")
                    value = str(tag.pk)
                given.appendlist(key, value)
        params = QueryDict(mutable=True)
        base = filter_params(given) or (self.saved.filters if self.saved else {})
        for key, values in base.items():
            params.setlist(key, values)
        if columns:
            params.setlist("cols", [c.strip() for c in columns.split(",") if c.strip()])
        return params
