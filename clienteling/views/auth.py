"""Signing in to the console: Django's login, then the notices other apps register."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clienteling.htmx import bad_request, form_errors_text
from clienteling.middleware import LANGUAGE_SESSION_KEY
from clienteling.models import StaffProfile
from clienteling.registry import login_notices


class ConsoleLoginView(auth_views.LoginView):
    """Sign-in that tells the associate at once what waits for them (unread messages ...)."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        for notice in login_notices:
            text = notice.message(user)
            if text:
                messages.info(self.request, text)
        return response


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), required=False,
        choices=[("", gettext_lazy("As the browser asks"))] + list(settings.LANGUAGES))


@login_required
@require_POST
def language_choose(request):
    """Keep the console's language in the staff profile (every device), and use it now."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    language = form.cleaned_data["language"]
    StaffProfile.objects.filter(user=request.user).update(language=language)
    request.session[LANGUAGE_SESSION_KEY] = language
    translation.activate(language or translation.get_language_from_request(request))
    messages.success(request, _("The console now speaks %(language)s.") % {
        "language": translation.get_language_info(translation.get_language())["name_local"]})
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("clienteling:today")
    return redirect(back)
