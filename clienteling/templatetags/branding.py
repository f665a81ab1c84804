"""The store's look on customer-facing pages: `{% store_brand_stylesheet store as url %}`."""

from django import template
from django.core.files.storage import default_storage

from clienteling.branding import stylesheet_name

register = template.Library()


@register.simple_tag
def store_brand_stylesheet(store) -> str:
    """The URL of the store's colour stylesheet, or "" for Atelier's colours (or no store).
    The stylesheet is written when the store is saved in the admin; one that is missing (MEDIA
    wiped, colours set outside the admin) is written here once."""
    if store is None:
        return ""
    name = stylesheet_name(getattr(store, "brand_primary", ""), getattr(store, "brand_accent", ""))
    if not name:
        return ""
    if not default_storage.exists(name):
        from clienteling import services  # a cache to fill, like the admin's save does

        services.store_branding_publish(store=store)
    return default_storage.url(name)


@register.simple_tag
def share_store(share):
    """The store a product share came from: the home store of the associate who shared it (the
    share itself, in the catalog, knows no store). None for a share without one."""
    if share is None or not getattr(share, "created_by_id", None):
        return None
    from clienteling.models import Store

    return Store.objects.filter(home_staff__user_id=share.created_by_id).first()
