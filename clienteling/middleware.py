from django.utils import timezone, translation

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


LANGUAGE_SESSION_KEY = "staff_language"


class StaffLanguageMiddleware:
    """The language chosen in the staff profile, else the browser's (LocaleMiddleware's pick).

    Read once per session, as the store's zone is; choosing another language updates both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(LANGUAGE_SESSION_KEY)
            if language is None:
                # The profile the view reads anyway (cached on the user): no query of its own.
                from .access import staff_profile

                profile = staff_profile(user)
                language = profile.language if profile else ""
                request.session[LANGUAGE_SESSION_KEY] = language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
