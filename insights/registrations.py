"""What insights adds to the apps below it: menu items, module switch, role rights and the
Today sections (the next best actions and goal progress). Imported once, by InsightsConfig.ready()."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from clienteling.events import SALES_RECORDED, occurred
from clienteling.registry import (
    ModuleSwitch,
    NavItem,
    RolePermissions,
    TodaySection,
    module_switches,
    nav_items,
    role_permissions,
    today_sections,
)

from . import selectors
from .access import MODULE, insights_available

module_switches.register(
    ModuleSwitch(
        MODULE, _("Insights"), _("Next best actions on Today, sales credit, goals and the store dashboard.")
    )
)
role_permissions.register(
    RolePermissions(
        "insights",
        associate=frozenset({"insights.view_insights"}),
        store_manager=frozenset(
            {"insights.view_insights", "insights.manage_goals", "insights.view_rule_report"}
        ),
    )
)
nav_items.register(
    NavItem("insights", _("Dashboard"), "graph-up", "insights:dashboard", available=insights_available)
)


def _feed_section(*, user, store, today):
    if today is None or not insights_available(user):
        return None
    suggestions = selectors.feed_for(user=user, day=today)
    shown = suggestions[: selectors.TODAY_CARDS]
    return {"suggestions": shown, "more": len(suggestions) > len(shown), "total": len(suggestions)}


def _goals_section(*, user, store, today):
    if today is None or not insights_available(user):
        return None
    return {"goals": selectors.goals_current(user=user, store=store, day=today)}


today_sections.register(
    TodaySection("insights_feed", "insights/partials/today_feed.html", _feed_section, order=10)
)
today_sections.register(
    TodaySection("insights_goals", "insights/partials/today_goals.html", _goals_section, order=20)
)


@receiver(occurred, dispatch_uid="insights-sales-recorded")
def _sales_recorded(sender, event, legal_entity_id, data, **kwargs):
    """Credit new sales as soon as they are committed (the five-minute sweep stays the safety net);
    a sale an import rewrote is credited again."""
    if event != SALES_RECORDED or not (data.get("sale_ids") or data.get("changed_sale_ids")):
        return
    from .tasks import sale_credits_assign  # tasks import services: late import

    sale_credits_assign.delay_on_commit(list(data.get("sale_ids") or []),
                                        list(data.get("changed_sale_ids") or []))
