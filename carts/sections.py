"""What carts adds to clienteling's customer profile, through its registry."""

from django.utils.translation import gettext_lazy as _

from clienteling.models import ModuleSettings
from clienteling.registry import ProfileSectionKind, profile_sections


def carts_section(*, user, customer, section) -> dict:
    from .selectors import carts_section as select

    if not ModuleSettings.load().enabled("remote_carts"):
        return {"carts_disabled": True}
    return select(user=user, customer=customer, section=section)


profile_sections.register(ProfileSectionKind(
    "carts", _("Remote carts"), "carts/sections/carts.html", context=carts_section,
))
