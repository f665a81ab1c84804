"""The customer's manage link (cancel, move, calendar file): signed, and naming a stored secret.

The link carries the appointment's id and the first characters of its `manage_token_hash` (the
SHA-256 of a random secret made when it was booked), signed with the project's key. Only the
hash is stored; a forged or altered link fails the signature, and issuing a new secret
(`manage_secret_rotate`) retires every link sent before. The server can write the link again
for each email and reminder without keeping the secret itself.
"""

import hmac

from django.core import signing

from .models import Appointment, hash_token, new_token

SALT = "appointments.manage"
STAMP = 16


def manage_secret_new() -> str:
    """A fresh value for Appointment.manage_token_hash."""
    return hash_token(new_token())


def manage_token(appointment: Appointment) -> str:
    return signing.dumps([appointment.pk, appointment.manage_token_hash[:STAMP]], salt=SALT, compress=True)


def appointment_for_manage_token(token: str) -> Appointment | None:
    """The appointment a manage link names, or None for a bad, altered or retired link."""
    try:
        pk, stamp = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(stamp, str):
        return None
    appointment = (Appointment.objects.select_related("store", "customer", "appointment_type", "associate")
                   .filter(pk=pk).first())
    if appointment is None or not appointment.manage_token_hash:
        return None
    if not hmac.compare_digest(appointment.manage_token_hash[:STAMP], stamp):
        return None
    return appointment
