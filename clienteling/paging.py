"""Keyset ("cursor") pagination: page 40,000 costs what page 1 costs.

OFFSET makes the database walk every skipped row; a cursor holds the sort
values of the last row seen and asks for rows after it, which an index on
the sort columns answers directly.
"""

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q, QuerySet

# Row-value comparisons; Django 5.2 ships them for composite keys.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False
    nullable: bool = False


class BadCursor(ValueError):
    pass


INVALID = _("This page link is not valid any more. Go back to the first page.")


def _encode_value(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    if isinstance(value, (int, str)):
        return value
    return str(value)


def _decode_value(value):
    if isinstance(value, list) and len(value) == 2:
        kind, text = value
        if not isinstance(text, str):
            raise BadCursor(INVALID)
        try:
            if kind == "dt":
                return datetime.fromisoformat(text)
            if kind == "d":
                return date.fromisoformat(text)
            if kind == "dec":
                return Decimal(text)
        except (ValueError, ArithmeticError) as exc:
            raise BadCursor(INVALID) from exc
        raise BadCursor(INVALID)
    if value is None or (isinstance(value, (int, str)) and not isinstance(value, bool)):
        return value
    raise BadCursor(INVALID)


def _model_field(model, path: str):
    """The model field at the end of an "a__b" path, or None when it cannot be told."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def _fits(field, value) -> bool:
    """Whether a decoded cursor value can be compared with the column it sorts on."""
    if field is None:
        return True
    if isinstance(field, models.DateTimeField):
        return isinstance(value, datetime) and value.tzinfo is not None
    if isinstance(field, models.DateField):
        return isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(field, models.DecimalField):
        return (isinstance(value, Decimal) and value.is_finite()
                and value.adjusted() < field.max_digits and value.as_tuple().exponent > -20)
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
        return isinstance(value, int) and abs(value) < 2 ** 63
    if isinstance(field, (models.CharField, models.TextField)):
        return (isinstance(value, str) and "\x00" not in value
                and (field.max_length is None or len(value) <= field.max_length))
    return True


def encode_cursor(values: list, direction: str) -> str:
    payload = json.dumps({"v": [_encode_value(v) for v in values], "d": direction},
                         separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str, keys: list[SortKey], model=None) -> tuple[list, str]:
    """The sort values and direction a cursor holds, each checked against its column.

    A cursor comes from the URL, so anyone can craft one: a value of the wrong type
    (a string where a date is sorted, a null on a column that has none) is refused
    here, as a BadCursor, instead of failing in the database.
    """
    if len(token) > 2000:
        raise BadCursor(INVALID)
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        raw_values = payload["v"]
        direction = payload["d"]
        if not isinstance(raw_values, list):
            raise TypeError("values must be a list")
        values = [_decode_value(v) for v in raw_values]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCursor(INVALID) from exc
    if direction not in ("after", "before") or len(values) != len(keys):
        raise BadCursor(INVALID)
    for key, value in zip(keys, values, strict=True):
        if value is None:
            if not key.nullable:
                raise BadCursor(INVALID)
        elif model is not None and not _fits(_model_field(model, key.field), value):
            raise BadCursor(INVALID)
    return values, direction


def _order_expressions(keys: list[SortKey], reverse: bool):
    expressions = []
    for key in keys:
        descending = key.descending != reverse
        nulls_last = not reverse  # nulls sort last going forward
        expression = F(key.field).desc if descending else F(key.field).asc
        if key.nullable:
            expressions.append(expression(nulls_last=True) if nulls_last
                               else expression(nulls_first=True))
        else:
            expressions.append(expression())
    return expressions


def _after_condition(keys: list[SortKey], values: list, reverse: bool) -> Q:
    """Rows strictly after `values` in the (possibly reversed) order."""
    if not keys:
        return Q(pk__in=[])
    key, value = keys[0], values[0]
    nulls_last = not reverse  # nulls sort last going forward
    if value is None:
        within_nulls = Q(**{f"{key.field}__isnull": True}) & _after_condition(
            keys[1:], values[1:], reverse)
        if nulls_last:
            return within_nulls
        return Q(**{f"{key.field}__isnull": False}) | within_nulls
    descending = key.descending != reverse
    if not any(k.nullable for k in keys[1:]) and None not in values:
        # A row comparison, (a, b, id) > (x, y, z), walks the index in one range scan
        # where the equivalent OR chain often cannot.
        lookup = TupleLessThan if descending else TupleGreaterThan
        condition = Q(lookup(Tuple(*(F(k.field) for k in keys)), tuple(values)))
    else:
        condition = Q(**{f"{key.field}__{'lt' if descending else 'gt'}": value}) | (
            Q(**{key.field: value}) & _after_condition(keys[1:], values[1:], reverse))
    if key.nullable and nulls_last:
        condition |= Q(**{f"{key.field}__isnull": True})
    return condition


def _read(obj, path: str):
    for part in path.split("__"):
        try:
            obj = getattr(obj, part)
        except Exception:  # noqa: BLE001  a missing 1:1 row sorts as NULL
            return None
        if obj is None:
            return None
    return obj


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def keyset_page(queryset: QuerySet, keys: list[SortKey], *, cursor: str | None,
                size: int, ids_first: bool = False) -> Page:
    """One page in the order of `keys` from `cursor`.

    `ids_first` orders the ids alone, then reads the page's rows: for a few thousand
    customers found and sorted (not walked in index order), the database then sorts index
    entries instead of fetching every found customer's whole row.
    """
    direction, values = "after", None
    if cursor:
        values, direction = decode_cursor(cursor, keys, model=queryset.model)
    reverse = direction == "before"
    if keys[0].nullable and "__" in keys[0].field:
        rows = _related_sort_rows(queryset, keys, values, reverse, size + 1)
    else:
        page_qs = queryset
        if values is not None:
            page_qs = page_qs.filter(_after_condition(keys, values, reverse))
        page_qs = page_qs.order_by(*_order_expressions(keys, reverse))
        if ids_first:
            ids = list(page_qs.values_list("pk", flat=True)[: size + 1])
            by_id = queryset.order_by().in_bulk(ids)
            rows = [by_id[pk] for pk in ids if pk in by_id]
        else:
            rows = list(page_qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()

    def key_values(row):
        return [_read(row, key.field) for key in keys]

    if not rows:
        return Page([], None, None, values is None)
    at_start = values is None or (reverse and not has_more)
    at_end = (not reverse and not has_more)
    return Page(
        rows=rows,
        next_cursor=None if at_end else encode_cursor(key_values(rows[-1]), "after"),
        previous_cursor=None if at_start else encode_cursor(key_values(rows[0]), "before"),
        is_first=at_start,
    )


def _related_sort_rows(queryset: QuerySet, keys: list[SortKey], values: list | None, reverse: bool,
                       limit: int) -> list:
    """Rows sorted on a column of a one-to-one row that may be missing (measures, contact history).

    One query with `ORDER BY m.sales_12mo DESC NULLS LAST` over a LEFT JOIN makes the
    database join and sort every customer. So the order is read in two parts, each of
    which an index walks from the cursor on: the customers that have a value (an inner
    join driven by the related table's (value, customer) index, the tie broken on that
    row's own key, which is the customer's id), then those without one (by id).
    Going forward the valued part comes first; going back, the part without.
    """
    first, rest = keys[0], keys[1:]
    relation = first.field.rsplit("__", 1)[0]
    # Within the valued part the column has no nulls, and the customer id is read on the
    # related row (its primary key), so one index (value, customer) serves order and cursor.
    valued_keys = [SortKey(first.field, first.descending),
                   *(SortKey(f"{relation}__pk", key.descending) if key.field in ("id", "pk") else key
                     for key in rest)]
    cursor_in_missing = values is not None and values[0] is None

    def valued_part(count: int, *, from_cursor: bool) -> list:
        part = queryset.filter(**{f"{first.field}__isnull": False})
        if from_cursor:
            part = part.filter(_after_condition(valued_keys, values, reverse))
        return list(part.order_by(*_order_expressions(valued_keys, reverse))[:count])

    def missing_part(count: int, *, from_cursor: bool) -> list:
        part = queryset.filter(**{f"{first.field}__isnull": True})
        if from_cursor:
            part = part.filter(_after_condition(rest, values[1:], reverse))
        return list(part.order_by(*_order_expressions(rest, reverse))[:count])

    # Forward the valued rows come first; backward (reversed order) the missing ones do.
    parts = [valued_part, missing_part] if not reverse else [missing_part, valued_part]
    cursor_part = None if values is None else (missing_part if cursor_in_missing else valued_part)
    rows: list = []
    started = cursor_part is None
    for part in parts:
        if not started:
            if part is not cursor_part:
                continue  # the cursor lies beyond this part
            started = True
            rows += part(limit, from_cursor=True)
        else:
            rows += part(limit - len(rows), from_cursor=False)
        if len(rows) >= limit:
            break
    return rows
