from django.utils import timezone


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
