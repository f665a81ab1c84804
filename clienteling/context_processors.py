from django.utils.functional import SimpleLazyObject

from .selectors.navigation import console_navigation


def console(request):
    if not request.user.is_authenticated:
        return {}
    # Lazy: an htmx fragment renders no navigation, so it should not pay for it.
    return {"nav": SimpleLazyObject(lambda: console_navigation(user=request.user))}
