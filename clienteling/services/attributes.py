"""Customer attribute values, validated against their definition."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from clienteling.models import (
    AttributeOption,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    SalesChannel,
)

_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


def attribute_parse_value(*, attribute: CustomerAttribute, raw) -> dict:
    """One raw value -> the typed column it goes in. Raises ValidationError."""
    kind = CustomerAttribute.DataType
    text = raw if not isinstance(raw, str) else raw.strip()
    if text in (None, ""):
        raise ValidationError(_("%(name)s: a value is required.") % {"name": attribute.name})
    if attribute.data_type == kind.TEXT:
        if len(str(text)) > 500:
            raise ValidationError(
                _("%(name)s: at most 500 characters.") % {"name": attribute.name}
            )
        return {"value_text": str(text)}
    if attribute.data_type == kind.NUMBER:
        try:
            number = int(str(text))
        except ValueError:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a whole number.")
                % {"name": attribute.name, "value": text}
            ) from None
        if abs(number) > 2**63 - 1:
            raise ValidationError(_("%(name)s: number too large.") % {"name": attribute.name})
        return {"value_int": number}
    if attribute.data_type == kind.DECIMAL:
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a number.")
                % {"name": attribute.name, "value": text}
            ) from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise ValidationError(_("%(name)s: number out of range.") % {"name": attribute.name})
        return {"value_decimal": number.quantize(Decimal("0.0001"))}
    if attribute.data_type == kind.BOOLEAN:
        if isinstance(text, bool):
            return {"value_bool": text}
        lowered = str(text).lower()
        if lowered in _TRUE:
            return {"value_bool": True}
        if lowered in _FALSE:
            return {"value_bool": False}
        raise ValidationError(
            _("%(name)s: answer yes or no, not “%(value)s”.")
            % {"name": attribute.name, "value": text}
        )
    if attribute.data_type == kind.DATE:
        if isinstance(text, date):
            return {"value_date": text}
        try:
            parsed = parse_date(str(text))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(
                _("%(name)s: “%(value)s” is not a date (YYYY-MM-DD).")
                % {"name": attribute.name, "value": text}
            )
        return {"value_date": parsed}
    option = AttributeOption.objects.filter(attribute=attribute, value=str(text)).first()
    if option is None:
        raise ValidationError(
            _("%(name)s: “%(value)s” is not one of the options.")
            % {"name": attribute.name, "value": text}
        )
    return {"option": option}


@transaction.atomic
def attribute_values_set(*, customer: Customer, attribute: CustomerAttribute, raw_values,
                         channel: str = SalesChannel.STORE) -> list:
    """Replace a customer's values for one attribute. All valid or nothing written.

    `channel` is where the write comes from: the console is the store; a customer-facing
    page or an API write states its own (web, app), and an attribute the admin limited to
    other channels is refused there, as it is not shown there.
    """
    if channel not in SalesChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not getattr(attribute, f"channel_{channel}"):
        raise ValidationError(_("%(name)s is not used on the %(channel)s channel.") % {
            "name": attribute.name, "channel": SalesChannel(channel).label})
    if raw_values is None or raw_values == "":
        values = []
    elif isinstance(raw_values, (list, tuple)):
        values = [v for v in raw_values if v not in (None, "")]
    else:
        values = [raw_values]
    if len(values) > 1 and not attribute.is_multi_valued:
        raise ValidationError(
            _("%(name)s accepts a single value.") % {"name": attribute.name}
        )
    parsed = [attribute_parse_value(attribute=attribute, raw=value) for value in values]
    CustomerAttributeValue.objects.filter(customer=customer, attribute=attribute).delete()
    seen, rows = set(), []
    for columns in parsed:
        key = tuple(sorted((k, str(v)) for k, v in columns.items()))
        if key in seen:
            continue
        seen.add(key)
        rows.append(CustomerAttributeValue(customer=customer, attribute=attribute, **columns))
    return CustomerAttributeValue.objects.bulk_create(rows)
