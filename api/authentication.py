"""API-key authentication: ``Authorization: Bearer atl_…`` (or ``X-Api-Key: atl_…``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .keys import key_matches, key_parse
from .models import ApiKey

LAST_USED_EVERY = timedelta(minutes=1)  # at most one write a minute per key for "last used"


class ApiClient:
    """The request's user for an API call: an integrator, not a staff member."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def get_username(self) -> str:
        return f"api:{self.api_key.name}"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def __str__(self):
        return self.get_username()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        raw = request.META.get("HTTP_X_API_KEY", "")
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not raw and header:
            if header[0].lower() != self.keyword.lower():
                return None
            if len(header) != 2:
                raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
            raw = header[1]
        if not raw:
            return None
        prefix = key_parse(raw)
        key = None
        if prefix:
            key = ApiKey.objects.select_related("legal_entity").filter(prefix=prefix).first()
        if key is None or not key_matches(raw, key.hashed_key):
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - LAST_USED_EVERY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return ApiClient(key), key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "atl_<prefix>_<secret>"}
