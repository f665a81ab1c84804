"""Insights URLs, mounted at /insights/."""

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("suggestions/<int:suggestion_id>/act/", views.suggestion_act, name="suggestion_act"),
    path("suggestions/<int:suggestion_id>/done/", views.suggestion_done, name="suggestion_done"),
    path("suggestions/<int:suggestion_id>/dismiss/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("suggestions/<int:suggestion_id>/snooze/", views.suggestion_snooze, name="suggestion_snooze"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("goals/", views.goals, name="goals"),
    path("goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("rules/report/", views.rule_report, name="rule_report"),
    path("credit/recompute/", views.credit_recompute, name="credit_recompute"),
    path("credit/jobs/<int:job_id>/", views.credit_job, name="credit_job"),
]
