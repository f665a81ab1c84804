"""Built-in customer profile section kinds."""

from django.utils.translation import gettext_lazy as _

from .registry import ProfileSectionKind, profile_sections

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
