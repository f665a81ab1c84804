"""API keys: create (the secret returned once), revoke."""

from django.utils import timezone

from api.keys import key_generate
from api.models import ALL_SCOPES, ApiKey

__all__ = ["api_key_create", "api_key_revoke"]


def api_key_create(*, name: str, legal_entity, scopes, rate_limit_per_minute: int = 600,
                   created_by=None) -> tuple[ApiKey, str]:
    """The new key and its full secret, which is never stored nor shown again."""
    unknown = set(scopes) - ALL_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    full, prefix, hashed = key_generate()
    key = ApiKey.objects.create(
        name=name, legal_entity=legal_entity, scopes=sorted(set(scopes)), prefix=prefix,
        hashed_key=hashed, rate_limit_per_minute=rate_limit_per_minute,
        created_by=created_by if getattr(created_by, "pk", None) else None)
    return key, full


def api_key_revoke(*, api_key: ApiKey) -> bool:
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)
