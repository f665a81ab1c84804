"""The demo seeds insights (goals, credits, feeds with outcomes) and every insights admin list
shows its rows; a window change in the admin queues a recompute."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from insights.models import ActionRule, CreditJob, FeedRun, Goal, InsightsSettings, SaleCredit, Suggestion

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_lively_insights_and_the_admin_lists_it(client, django_capture_on_commit_callbacks):
    call_command("seed_demo", customers=60, stdout=StringIO())
    assert Goal.objects.exists() and SaleCredit.objects.exists() and FeedRun.objects.exists()
    assert Suggestion.objects.exclude(status="open").exists()  # the past feeds were worked on
    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    for model in (ActionRule, Goal, InsightsSettings):
        response = client.get(reverse(f"admin:insights_{model._meta.model_name}_changelist"), follow=True)
        assert response.status_code == 200, model
    settings = InsightsSettings.load()
    url = reverse("admin:insights_insightssettings_change", args=[settings.pk])
    data = {"message_window_days": 7, "outreach_window_days": 14, "appointment_window_days": 7,
            "feed_size": 20, "suggestion_window_days": 14, "leaderboard": "full"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    job = CreditJob.objects.get()
    assert job.status == CreditJob.Status.DONE and job.done == job.total
    # The console's pages of a demo manager open on real data.
    client.force_login(get_user_model().objects.get(username="manager.ny"))
    for name in ("insights:dashboard", "insights:rule_report", "insights:goals", "clienteling:today"):
        assert client.get(reverse(name)).status_code == 200, name
