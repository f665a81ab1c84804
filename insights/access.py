"""Who may see which insights: the module gate, suggestions, stores and goals. Else 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from clienteling.access import (
    customers_available,
    is_company_admin,
    managed_stores_for,
    module_view,
    stores_for,
)
from clienteling.models import ModuleSettings, Store

from .models import Goal, Suggestion

MODULE = "insights"


def insights_available(user) -> bool:
    """require_insights as a yes/no, for menus and Today."""
    return (
        user.is_authenticated
        and ModuleSettings.load().enabled(MODULE)
        and customers_available(user)
        and user.has_perm("insights.view_insights")
    )


def require_insights(user) -> None:
    """Insights switched off (or the customer module) make its URLs 404; no right is 403."""
    if not ModuleSettings.load().enabled(MODULE):
        raise Http404
    if not (user.has_perm("insights.view_insights") and user.has_perm("clienteling.view_customer_profile")):
        raise PermissionDenied


insights_view = module_view(require_insights)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def access_suggestion(user, suggestion_id) -> Suggestion:
    """One of the user's own suggestions."""
    suggestion = (
        Suggestion.objects.select_related("customer", "rule", "rule__template", "store")
        .filter(pk=_int(suggestion_id), associate=user, customer__erased_at__isnull=True)
        .first()
    )
    if suggestion is None:
        raise Http404
    return suggestion


def dashboard_stores_for(user) -> QuerySet[Store]:
    """Stores whose dashboard the user opens: managers theirs, associates the ones they work in."""
    managed = managed_stores_for(user)
    if is_company_admin(user) or managed.exists():
        return managed
    return stores_for(user)


def can_see_team(user, store: Store) -> bool:
    """Everyone's figures in the store: company admins and the store's managers."""
    return is_company_admin(user) or managed_stores_for(user).filter(pk=store.pk).exists()


def access_dashboard_store(user, store_id) -> Store:
    store = dashboard_stores_for(user).filter(pk=_int(store_id)).first()
    if store is None:
        raise Http404
    return store


def goals_managed_by(user) -> QuerySet[Goal]:
    if not user.has_perm("insights.manage_goals"):
        return Goal.objects.none()
    return Goal.objects.filter(store__in=managed_stores_for(user))


def access_goal(user, goal_id) -> Goal:
    goal = goals_managed_by(user).select_related("store", "associate").filter(pk=_int(goal_id)).first()
    if goal is None:
        raise Http404
    return goal


def require_goal_manager(user) -> None:
    if not user.has_perm("insights.manage_goals"):
        raise PermissionDenied
