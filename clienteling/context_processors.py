from django.utils.functional import SimpleLazyObject

from .selectors.navigation import console_navigation


def console(request):
    user = getattr(request, "user", None)  # absent on a 400 raised before authentication
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: an htmx fragment renders no navigation, so it should not pay for it.
    return {"nav": SimpleLazyObject(lambda: console_navigation(user=request.user))}
