"""What clienteling registers in its own registries: the menu items, the profile's section
kinds, the list's bulk actions, the roles' rights and the parts of a data request. The apps
above register theirs the same way, each in its registrations.py."""

from django.utils.translation import gettext_lazy as _

from catalog import reference
from catalog.models import Category, Designer, ItemType

from . import bulk
from . import personal_data as personal_data_parts
from .access import customers_available
from .models import (
    AttributeGroup,
    AttributeOption,
    CustomerAttribute,
    CustomerCardProperty,
    ExternalMeasuresSettings,
    MailingList,
    Tag,
)
from .registry import (
    ActivityKind,
    BulkAction,
    NavItem,
    PersonalDataPart,
    ProfileSectionKind,
    RolePermissions,
    TimelineText,
    activity_kinds,
    bulk_actions,
    nav_items,
    personal_data,
    profile_sections,
    role_permissions,
    timeline_texts,
)
from .roles import CLIENTELING_ASSOCIATE, CLIENTELING_STORE_MANAGER
from .selectors.self_service import SELF_SERVICE_TEXT, self_service_links_export, self_service_text
from .services.self_service import self_service_links_rotate


def _always(user) -> bool:
    return True


def _own_book(user) -> bool:
    return customers_available(user) and user.has_perm("clienteling.view_own_client_book")


nav_items.register(NavItem("today", _("Today"), "sun", "clienteling:today", available=_always,
                           shortcut=True, exact=True))
nav_items.register(NavItem("customers", _("Customers"), "people", "clienteling:customer_list",
                           available=customers_available, shortcut=True))
nav_items.register(NavItem("client_book", _("Client book"), "book", "clienteling:my_client_book",
                           available=_own_book, shortcut=True, short_label=_("Book")))

for kind in (
    ProfileSectionKind("attributes", _("Attributes"), "clienteling/sections/attributes.html",
                       shows_attributes=True),
    ProfileSectionKind("contact", _("Contact details"), "clienteling/sections/contact.html"),
    ProfileSectionKind("purchase_history", _("Purchase history"),
                       "clienteling/sections/purchase_history.html"),
    ProfileSectionKind("wishlist", _("Wishlist"), "clienteling/sections/wishlist.html"),
    ProfileSectionKind("activities", _("Activities"), "clienteling/sections/activities.html"),
    ProfileSectionKind("notes", _("Notes"), "clienteling/sections/notes.html"),
    ProfileSectionKind("tasks", _("Follow-ups"), "clienteling/sections/tasks.html"),
    ProfileSectionKind("measures", _("Measures"), "clienteling/sections/measures.html"),
):
    profile_sections.register(kind)

for action in (
    BulkAction("add_tag", _("Add tag"), "tag", bulk.add_tag, form_class=bulk.TagForm),
    BulkAction("remove_tag", _("Remove tag"), "x-circle", bulk.remove_tag, form_class=bulk.TagForm),
    BulkAction("add_to_my_book", _("Add to my client book"), "book", bulk.add_to_my_book,
               permission="clienteling.add_to_client_book"),
    BulkAction("assign", _("Assign to an associate"), "person-badge", bulk.assign,
               permission="clienteling.assign_customer", form_class=bulk.AssignForm),
    BulkAction("assign_store", _("Assign to a store"), "shop", bulk.assign_store,
               permission="clienteling.assign_customer", form_class=bulk.StoreForm),
    BulkAction("follow_up", _("Schedule a follow-up"), "calendar-check", bulk.follow_up,
               form_class=bulk.FollowUpForm),
    # The export streams a file instead of running in the background.
    BulkAction("export", _("Export CSV"), "download", None, permission="clienteling.export_customers",
               runs_in_background=False),
):
    bulk_actions.register(action)

role_permissions.register(RolePermissions("catalog"))
role_permissions.register(RolePermissions("clienteling", associate=CLIENTELING_ASSOCIATE,
                                          store_manager=CLIENTELING_STORE_MANAGER))

for part in personal_data_parts.PARTS:
    personal_data.register(part)
personal_data.register(PersonalDataPart(
    "self_service_links", _("My details links"), self_service_links_export, self_service_links_rotate))

# The customer list's filter choices and attributes, and the customer card, are cached until
# one of these is saved.
reference.watch(Tag, MailingList, Designer, Category, ItemType, CustomerAttribute, AttributeOption,
                AttributeGroup, CustomerCardProperty, ExternalMeasuresSettings)


# The activity types the migrations and the "my details" page create, by slug: their names in
# the reader's language until an admin renames them.
for slug, label in (("store-visit", _("Store visit")), ("phone-call", _("Phone call")),
                    ("email", _("Email")), ("appointment", _("Appointment")),
                    ("private-viewing", _("Private viewing")), ("gift-sent", _("Gift sent")),
                    ("customer-self-service", _("My details (by the customer)"))):
    activity_kinds.register(ActivityKind(slug, label))
timeline_texts.register(TimelineText(SELF_SERVICE_TEXT, self_service_text))
