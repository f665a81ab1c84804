"""API key format: ``atl_<prefix>_<secret>``; only the prefix and the secret's SHA-256 are stored."""

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 8


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_generate() -> tuple[str, str, str]:
    """(full key shown once, prefix, hash of the full key)."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    full = f"atl_{prefix}_{secrets.token_urlsafe(32)}"
    return full, prefix, key_hash(full)


def key_parse(raw: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "atl" or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        return None
    return parts[1]


def key_matches(raw: str, hashed: str) -> bool:
    return hmac.compare_digest(key_hash(raw), hashed)
