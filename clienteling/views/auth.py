"""Signing in to the console: Django's login, then the notices other apps register."""

from django.contrib import messages
from django.contrib.auth import views as auth_views

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
