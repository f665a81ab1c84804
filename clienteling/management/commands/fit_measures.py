"""Fit the churn and spend models on purchase history and print their quality.

    python manage.py fit_measures [--max-customers 300000] [--dry-run]
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clienteling.measures import model as measure_model
from clienteling.services import sales as services


class Command(BaseCommand):
    help = _("Fit the churn and spend models on a time-based holdout and print their quality.")

    def add_arguments(self, parser):
        parser.add_argument("--max-customers", type=int, default=300_000,
                            help=_("Read at most this many customers with orders."))
        parser.add_argument("--dry-run", action="store_true",
                            help=_("Print the quality without saving the model."))

    def handle(self, *args, max_customers, dry_run, **options):
        if max_customers < 1:
            raise CommandError(_("--max-customers must be at least 1."))
        try:
            if dry_run:
                from django.utils import timezone

                result = measure_model.fit(today_ordinal=timezone.localdate().toordinal(),
                                           max_customers=max_customers)
                quality, saved = result["quality"], None
            else:
                saved = services.customer_measures_fit(max_customers=max_customers)
                quality = saved.quality
        except measure_model.NotEnoughHistory as error:
            raise CommandError(_("Not enough purchase history to fit: %(why)s") % {"why": error}) from error
        q = quality
        self.stdout.write(_("Holdout: %(test)s customers (trained on %(train)s); churn rate %(rate).1f %%")
                          % {"test": q["test_rows"], "train": q["train_rows"], "rate": 100 * q["churn_rate"]})
        self.stdout.write(f"{'':24}{_('model'):>12}{_('baseline'):>12}")
        for label, key, better in ((_("churn AUC"), "churn_auc", "higher"),
                                   (_("churn log-loss"), "churn_log_loss", "lower"),
                                   (_("spend 12 months MAE"), "spend_mae", "lower")):
            model, baseline = q[key], q[f"{key}_baseline"]
            wins = model > baseline if better == "higher" else model < baseline
            self.stdout.write(f"{label:24}{model:>12}{baseline:>12}  "
                              + (_("beats the baseline") if wins else _("DOES NOT beat the baseline")))
        if saved:
            self.stdout.write(self.style.SUCCESS(
                _("Saved model #%(pk)s (cutoff %(cutoff)s); every process scores with it now.")
                % {"pk": saved.pk, "cutoff": saved.cutoff}))
