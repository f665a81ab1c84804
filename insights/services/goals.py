"""Goals set by managers (console form and admin)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Goal


@transaction.atomic
def goal_save(*, goal: Goal, user) -> Goal:
    """Create or change a goal after checking its one-row rules (period order, target above zero)."""
    goal.full_clean(exclude=["created_by"])
    if goal.ends_on < goal.starts_on:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    if goal.pk is None:
        goal.created_by = user
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    goal.delete()
