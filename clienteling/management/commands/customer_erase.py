"""`manage.py customer_erase ID [--yes]`: erase one customer's personal data, for good."""

from django.core.management.base import BaseCommand, CommandError

from clienteling import services
from clienteling.models import Customer


class Command(BaseCommand):
    help = ("Erase one customer's personal data on their request: irreversible. Sales stay, "
            "anonymised; copies held by providers are listed for follow-up.")

    def add_arguments(self, parser):
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, customer_id, yes=False, **options):
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise CommandError(f"No customer #{customer_id}.")
        if customer.erased_at:
            raise CommandError(f"Customer #{customer_id} was erased on {customer.erased_at:%Y-%m-%d}.")
        if not yes:
            answer = input(f"Erase customer #{customer_id} for good? Type ERASE to confirm: ")
            if answer.strip() != "ERASE":
                raise CommandError("Nothing was erased.")
        report = services.customer_erase(customer=customer)
        self.stdout.write(self.style.SUCCESS(f"Customer #{customer_id} erased."))
        if report.provider_follow_ups:
            self.stdout.write("Delete these at the providers too:")
            for line in report.provider_follow_ups:
                self.stdout.write(f"  {line}")
