"""Insights services: public entry points only (feeds, outcomes, credit, goals)."""

from .credit import (
    credit_recompute_run,
    credit_recompute_start,
    sale_credits_assign,
    sale_credits_assign_due,
)
from .feeds import (
    action_feed_build,
    action_feeds_build_due,
    suggestion_dismiss,
    suggestion_done,
    suggestion_snooze,
)
from .goals import goal_delete, goal_save
from .outcomes import suggestion_outcomes_record

__all__ = [
    "action_feed_build",
    "action_feeds_build_due",
    "credit_recompute_run",
    "credit_recompute_start",
    "goal_delete",
    "goal_save",
    "sale_credits_assign",
    "sale_credits_assign_due",
    "suggestion_dismiss",
    "suggestion_done",
    "suggestion_outcomes_record",
    "suggestion_snooze",
]
