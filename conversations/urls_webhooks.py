"""Provider webhooks, mounted at /webhooks/ (exact paths configured in Twilio)."""

urlpatterns: list = []
