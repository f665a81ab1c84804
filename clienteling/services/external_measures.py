"""Per-customer measures imported from another analytics product.

The legal entity's external measures settings name the source and which customer
field the file's customer key matches (external id, email or phone). An import
that matches nothing at all switches the settings off with the reason, so a broken
feed stops writing until an admin has looked (Admin > External measures settings).
"""

from dataclasses import dataclass, field

import phonenumbers
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.models import Customer, ExternalMeasure, ExternalMeasuresSettings, LegalEntity

MAX_RECORDS = 50_000
KEYS = ("customer", "measure", "value")


@dataclass
class ImportResult:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    switched_off: str = ""  # the reason, when this import switched the settings off


def _normalise(match: str, key: str, region: str) -> str | None:
    key = key.strip()
    if match == ExternalMeasuresSettings.Match.EMAIL:
        return key.lower() or None
    if match == ExternalMeasuresSettings.Match.PHONE:
        try:
            number = phonenumbers.parse(key, region or None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return key or None


def _customers_by_key(legal_entity: LegalEntity, match: str, keys: set[str]) -> dict[str, int]:
    customers = Customer.objects.filter(legal_entity=legal_entity)
    if match == ExternalMeasuresSettings.Match.EMAIL:
        rows = customers.annotate(key=Lower("email")).filter(key__in=keys).values_list("key", "pk")
    else:
        rows = customers.filter(**{f"{match}__in": keys}).values_list(match, "pk")
    found: dict[str, int] = {}
    for key, pk in rows:
        found.setdefault(str(key), pk)
    return found


def _switch_off(settings: ExternalMeasuresSettings, reason: str) -> str:
    reason = fit(ExternalMeasuresSettings, "disabled_reason", reason)
    ExternalMeasuresSettings.objects.filter(pk=settings.pk, enabled=True).update(
        enabled=False, disabled_reason=reason, disabled_at=timezone.now())
    return reason


def external_measures_import(*, legal_entity: LegalEntity, records, source: str) -> ImportResult:
    """Write the records' measures (one row per customer, source and measure name, replaced).

    `records` are dicts with `customer` (the key the settings match on), `measure` and
    `value`. Rows that do not match a customer or lack a field are rejected with their
    reason; the others are written in one transaction. Nothing is written while the
    settings are off or name another source.
    """
    result = ImportResult()
    settings = ExternalMeasuresSettings.objects.filter(legal_entity=legal_entity).first()
    records = list(records)
    if settings is None or not settings.enabled:
        reason = (_("External measures are switched off: %(why)s") % {"why": settings.disabled_reason}
                  if settings and settings.disabled_reason else _("External measures are switched off."))
        result.rejected = [(n, reason) for n in range(1, len(records) + 1)]
        return result
    if source.strip().casefold() != settings.source_name.strip().casefold():
        reason = _("The settings expect measures from %(expected)s, not %(source)s.") % {
            "expected": settings.source_name, "source": source}
        result.rejected = [(n, reason) for n in range(1, len(records) + 1)]
        return result
    if len(records) > MAX_RECORDS:
        result.rejected = [(0, _("At most %(max)s rows an import.") % {"max": MAX_RECORDS})]
        return result

    region = legal_entity.country
    parsed: list[tuple[int, str, str, str]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or any(str(record.get(k) or "").strip() == "" for k in KEYS):
            result.rejected.append((number, _("Each row needs a customer, a measure and a value.")))
            continue
        key = _normalise(settings.match_field, str(record["customer"]), region)
        if key is None:
            result.rejected.append((number, _("%(key)s is not a valid %(field)s.") % {
                "key": record["customer"], "field": settings.get_match_field_display().lower()}))
            continue
        name, value = str(record["measure"]).strip(), str(record["value"]).strip()
        if len(name) > ExternalMeasure._meta.get_field("name").max_length \
                or len(value) > ExternalMeasure._meta.get_field("value").max_length:
            result.rejected.append((number, _("The measure name or value is too long.")))
            continue
        parsed.append((number, key, name, value))

    customers = _customers_by_key(legal_entity, settings.match_field, {key for _n, key, _m, _v in parsed})
    now = timezone.now()
    rows: dict[tuple[int, str], ExternalMeasure] = {}
    for number, key, name, value in parsed:
        pk = customers.get(key)
        if pk is None:
            result.rejected.append((number, _("No customer matches %(key)s.") % {"key": key}))
            continue
        # A later row for the same customer and measure wins, as it would in the file.
        rows[(pk, name)] = ExternalMeasure(customer_id=pk, source=settings.source_name, name=name,
                                           value=value, imported_at=now)
    result.rejected.sort()
    if records and not rows:
        result.switched_off = _switch_off(
            settings, _("The import of %(date)s matched no customer (%(count)s rows rejected).") % {
                "date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "count": len(result.rejected)})
        return result
    with transaction.atomic():
        ExternalMeasure.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["customer", "source", "name"],
            update_fields=["value", "imported_at"], batch_size=2000)
    result.imported = len(rows)
    return result
