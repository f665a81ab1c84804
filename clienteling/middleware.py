from django.utils import timezone

from .models import ModuleSettings


class ModuleSettingsMiddleware:
    """Module control is read once per request, however many menus and gates ask."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with ModuleSettings.read_once_per_request():
            return self.get_response(request)


class StoreTimezoneMiddleware:
    """Show times in the user's home store's zone: every "today" is the store's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone = request.session.get("store_timezone")
            if zone is None:
                from clienteling.selectors.navigation import home_store_for

                store = home_store_for(user)
                zone = store.timezone if store else ""
                request.session["store_timezone"] = zone
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
