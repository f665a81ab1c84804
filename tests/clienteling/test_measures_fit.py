"""The measures model on the demo data: fitted on a time-based holdout, it beats the naive baselines."""

from io import StringIO

import pytest
from django.core.management import call_command

from clienteling.models import CustomerMeasures, MeasuresModel, Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", customers=2500, stdout=StringIO())


def test_fit_measures_beats_the_baselines_on_demo_data(demo):
    out = StringIO()
    call_command("fit_measures", stdout=out)
    saved = MeasuresModel.objects.latest("pk")  # seed_demo fitted one already
    q = saved.quality
    print(out.getvalue())
    assert q["churn_auc"] > q["churn_auc_baseline"]
    assert q["churn_log_loss"] < q["churn_log_loss_baseline"]
    assert q["spend_mae"] < q["spend_mae_baseline"]
    assert "DOES NOT" not in out.getvalue() and f"#{saved.pk}" in out.getvalue()

    out = StringIO()
    call_command("refresh_measures", stdout=out)
    assert "2500" in out.getvalue()
    scored = CustomerMeasures.objects.exclude(segment="")
    assert scored.filter(churn_risk__isnull=False).count() == scored.count() > 1000
    assert set(scored.values_list("segment", flat=True)) >= {Segment.CHAMPIONS, Segment.LOST, Segment.NEW}
    # Idempotent: a second run changes no figure.
    before = list(CustomerMeasures.objects.order_by("pk").values_list(
        "pk", "churn_risk", "predicted_spend_12mo", "segment", "usual_interval_days"))
    call_command("refresh_measures", stdout=StringIO())
    assert before == list(CustomerMeasures.objects.order_by("pk").values_list(
        "pk", "churn_risk", "predicted_spend_12mo", "segment", "usual_interval_days"))
