"""`manage.py customer_export ID [--output FILE]`: everything held about one customer, as a zip."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clienteling import services
from clienteling.models import Customer


class Command(BaseCommand):
    help = "Export everything held about one customer (a data request) as a zip of JSON and CSV."

    def add_arguments(self, parser):
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--output", "-o", help="Where to write the zip (default: customer-ID.zip).")

    def handle(self, *args, customer_id, output=None, **options):
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise CommandError(f"No customer #{customer_id}.")
        path = Path(output or f"customer-{customer_id}.zip")
        path.write_bytes(services.customer_data_export(customer=customer))
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({path.stat().st_size:,} bytes)."))
