"""A customer's data requests: everything held about them (export), and erasure.

Each app registers the parts it holds (clienteling.registry.personal_data); these
services walk them all, so a new app's data joins both by registering one part.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from clienteling.models import AuditAction, Customer
from clienteling.registry import personal_data

from .audit import audit_record

__all__ = ["ErasureReport", "customer_data_export", "customer_erase"]

# What erasure blanks on the customer's own row: everything that identifies them.
PERSONAL_FIELDS = (
    "first_name", "last_name", "profile_name", "email", "phone", "birth_date", "anniversary",
    "partner_name", "partner_birth_date", "address_line1", "address_line2", "city", "state",
    "zip_code", "country", "external_id", "language", "timezone",
)
README = """Everything Atelier holds about customer #{id}, exported on {at}.

customer.json holds every part; each part is also a CSV file (one row per record).
media/ holds the images sent to the customer; images the customer sent stay at the
messaging provider and are listed by address in conversations.csv.
"""


@dataclass
class ErasureReport:
    customer_id: int
    erased_at: object
    # Copies at providers (message logs, payment records) to delete there, by reference.
    provider_follow_ups: list[str] = field(default_factory=list)


def _csv(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def customer_data_export(*, customer: Customer, actor=None) -> bytes:
    """A zip of everything held about the customer: JSON, a CSV per part, and media."""
    now = timezone.now()
    parts = {part.key: part.export(customer) for part in personal_data}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(id=customer.pk, at=now.isoformat()))
        archive.writestr("customer.json", json.dumps(
            {"customer_id": customer.pk, "exported_at": now.isoformat(), **parts},
            indent=2, ensure_ascii=False, default=str))
        for key, rows in parts.items():
            if rows:
                archive.writestr(f"{key}.csv", _csv(rows))
        for part in personal_data:
            for name, content in (part.files(customer) if part.files else []):
                archive.writestr(f"media/{name}", content)
    audit_record(action=AuditAction.DATA_EXPORT, actor=actor, customer=customer,
                 target=f"customer {customer.pk}", detail={"parts": {k: len(v) for k, v in parts.items()}})
    return buffer.getvalue()


def customer_erase(*, customer: Customer, actor=None) -> ErasureReport:
    """Remove or anonymise everything personal about the customer. Irreversible.

    Every part is erased in one transaction with the customer's own row, so a failure
    leaves everything as it was. Sales stay, attached to the anonymous row, for the
    reports; the copies providers keep are listed for follow-up.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.erased_at is not None:
            return ErasureReport(customer_id=customer.pk, erased_at=customer.erased_at)
        follow_ups = []
        for part in personal_data:
            follow_ups += part.erase(customer)
        now = timezone.now()
        blank = {name: None if Customer._meta.get_field(name).null else "" for name in PERSONAL_FIELDS}
        Customer.objects.filter(pk=customer.pk).update(
            **blank, can_receive_texts=False, erased_at=now, updated_at=now, birthday_key=None,
            anniversary_key=None, partner_birthday_key=None)
        audit_record(action=AuditAction.ERASURE, actor=actor, customer=customer,
                     target=f"customer {customer.pk}",
                     detail={"parts": [part.key for part in personal_data],
                             "provider_follow_ups": len(follow_ups)})
    return ErasureReport(customer_id=customer.pk, erased_at=now, provider_follow_ups=follow_ups)
