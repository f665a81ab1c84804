from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from clienteling.branding import stylesheet_name, stylesheet_text
from clienteling.models import Store


def store_branding_publish(*, store: Store) -> str:
    """Write the stylesheet of the store's colours to MEDIA unless it is there; its path, or ""
    when the store keeps Atelier's colours. Named after the colours, so safe to run twice and
    shared by stores that look alike."""
    name = stylesheet_name(store.brand_primary, store.brand_accent)
    if name and not default_storage.exists(name):
        text = stylesheet_text(store.brand_primary, store.brand_accent)
        saved = default_storage.save(name, ContentFile(text))
        if saved != name:  # another request wrote it meanwhile: keep the one with the canonical name
            default_storage.delete(saved)
    return name
