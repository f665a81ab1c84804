"""The customer grid's columns: what each shows, how it sorts, what it needs loaded."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .access import MASKED, mask_email, mask_phone
from .measures.display import percent_text, segment_label, window_text
from .models import ConsentState, Customer, ListMeasure, ModuleSettings


def _path(obj, path: str):
    """Follow "a__b" through related objects; a missing 1:1 row reads as None."""
    for part in path.split("__"):
        try:
            obj = getattr(obj, part)
        except Customer.contact_history.RelatedObjectDoesNotExist:
            return None
        except Customer.measures.RelatedObjectDoesNotExist:
            return None
        if obj is None:
            return None
    return obj


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    path: str  # attribute path on Customer, "__"-separated
    kind: str = "text"  # text, date, datetime, money, list, consent, name, person
    sort: str | None = None  # ORM field to order by, None when not sortable
    nullable: bool = False
    sensitive: bool = False
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    masker: Callable[[Any], str] | None = field(default=None, compare=False)

    def value(self, customer: Customer, *, sensitive: bool):
        raw = _path(customer, self.path)
        if self.sensitive and not sensitive and raw not in (None, ""):
            return self.masker(raw) if self.masker else MASKED
        if self.kind == "list":
            return [str(item) for item in raw.all()] if raw is not None else []
        if self.kind == "consent":
            return ConsentState(raw).label if raw else ConsentState.UNKNOWN.label
        if self.kind == "person":
            return raw.get_full_name() or raw.get_username() if raw else ""
        if self.kind == "phone":
            return raw.as_international if raw else ""
        if self.kind == "segment":
            return segment_label(raw or "")
        if self.kind == "percent":
            return percent_text(raw)
        if self.kind == "window":
            return window_text(raw)
        return raw

    @property
    def shows_masked(self) -> bool:
        return self.sensitive

    def export_value(self, customer: Customer, *, sensitive: bool) -> str:
        """The cell as plain text for a CSV file: ISO dates in the store's zone, plain amounts."""
        from django.utils import timezone

        value = self.value(customer, sensitive=sensitive)
        masked = self.sensitive and not sensitive
        if self.kind == "name":
            return customer.full_name
        if value is None or masked:
            return "" if value is None else str(value)
        if self.kind == "list":
            return "; ".join(value)
        if self.kind == "date" and hasattr(value, "tzinfo"):
            return timezone.localtime(value).date().isoformat()
        if self.kind in ("date", "datetime") and hasattr(value, "isoformat"):
            if hasattr(value, "tzinfo"):
                value = timezone.localtime(value).replace(microsecond=0)
            return value.isoformat()
        return str(value)


COLUMNS = [
    Column("customer", _("Customer"), "full_name", kind="name", sort="last_name"),
    Column("created", _("Created"), "created_at", kind="date", sort="created_at"),
    Column("created_by", _("Created By"), "created_by", kind="person", related=("created_by",)),
    Column("primary_salesperson", _("Primary Sales Person"), "primary_salesperson",
           kind="person", related=("primary_salesperson",)),
    Column("first_name", _("First Name"), "first_name", sort="first_name"),
    Column("last_name", _("Last Name"), "last_name", sort="last_name"),
    Column("phone", _("Phone"), "phone", kind="phone", sensitive=True, masker=mask_phone),
    Column("email", _("Email"), "email", sensitive=True, masker=mask_email),
    Column("address1", _("Address1"), "address_line1", sensitive=True),
    Column("address2", _("Address2"), "address_line2", sensitive=True),
    Column("city", _("City"), "city", sort="city"),
    Column("state", _("State"), "state", sort="state"),
    Column("zip_code", _("ZipCode"), "zip_code", sensitive=True),
    Column("last_sale", _("Last Sale"), "measures__last_goods_sale_at", kind="date",
           sort="measures__last_goods_sale_at", nullable=True, related=("measures",)),
    Column("balance", _("Balance"), "balance", kind="money", sort="balance"),
    Column("credit_balance", _("Credit Balance"), "credit_balance", kind="money",
           sort="credit_balance"),
    Column("sales_6mo", _("Sales 6mo"), "measures__sales_6mo", kind="money",
           sort="measures__sales_6mo", nullable=True, related=("measures",)),
    Column("sales_12mo", _("Sales 12mo"), "measures__sales_12mo", kind="money",
           sort="measures__sales_12mo", nullable=True, related=("measures",)),
    Column("sales_24mo", _("Sales 24mo"), "measures__sales_24mo", kind="money",
           sort="measures__sales_24mo", nullable=True, related=("measures",)),
    Column("sales_all", _("Sales All"), "measures__sales_all", kind="money",
           sort="measures__sales_all", nullable=True, related=("measures",)),
    # Computed by clienteling.measures (docs/insights-measures.md).
    Column("segment", _("Segment"), "measures__segment", kind="segment",
           sort="measures__segment", nullable=True, related=("measures",)),
    Column("churn_risk", _("Churn Risk"), "measures__churn_risk", kind="percent",
           sort="measures__churn_risk", nullable=True, related=("measures",)),
    Column("predicted_spend", _("Predicted Spend 12mo"), "measures__predicted_spend_12mo",
           kind="money", related=("measures",)),
    Column("average_order_value", _("Average Order Value"), "measures__average_order_value",
           kind="money", related=("measures",)),
    Column("orders_count", _("Orders"), "measures__orders_count", related=("measures",)),
    Column("usual_interval", _("Usual Interval (days)"), "measures__usual_interval_days",
           related=("measures",)),
    Column("next_purchase", _("Next Purchase Expected"), "measures__next_purchase_window",
           kind="window", related=("measures",)),
    # The day's top suggestion of the associate whose book holds the customer (insights feeds).
    Column("recommendation_reason", _("Recommendation Reason"), "measures__recommendation_reason",
           related=("measures",)),
    Column("scheduled_text", _("Scheduled Text"), "contact_history__next_scheduled_text_at",
           kind="datetime", related=("contact_history",)),
    Column("last_text_date", _("Last Text Date"), "contact_history__last_text_at",
           kind="datetime", sort="contact_history__last_text_at", nullable=True,
           related=("contact_history",)),
    # Messages either way and activities that count as contact, whichever came last.
    Column("last_contact", _("Last Contact"), "contact_history__last_contact_at",
           kind="datetime", sort="contact_history__last_contact_at", nullable=True,
           related=("contact_history",)),
    Column("last_text", _("Last Text"), "contact_history__last_text_preview",
           related=("contact_history",)),
    Column("opt_in_status", _("Opt-in Status"), "contact_history__sms_consent", kind="consent",
           related=("contact_history",)),
    Column("last_marketing_email", _("Last Marketing Email Date"),
           "contact_history__last_marketing_email_at", kind="datetime",
           related=("contact_history",)),
    Column("dob", _("DOB"), "birth_date", kind="date", sensitive=True),
    Column("anniversary", _("Anniversary"), "anniversary", kind="date", sensitive=True),
    Column("mailing_lists", _("Mailing Lists"), "mailing_lists", kind="list",
           prefetch=("mailing_lists",)),
    Column("tags", _("Tags"), "tags", kind="list", prefetch=("tags",)),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = ["customer", "phone", "email", "primary_salesperson", "last_sale", "sales_12mo",
                   "tags"]
# The computed measures' columns, which an admin may keep out of the list (ListMeasure values).
MEASURE_COLUMNS = frozenset(ListMeasure.values)
assert MEASURE_COLUMNS <= set(COLUMNS_BY_KEY), "every list measure is a column"
# Sort keys offered in the URL: column key, "-" prefix for descending.
SORTABLE = {column.key: column for column in COLUMNS if column.sort}


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")


def csv_value(value) -> str:
    """A CSV cell that a spreadsheet shows as text: a leading quote defuses formulas.

    Plain numbers ("-12.50") stay as they are, so amounts still add up.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def hidden_columns() -> frozenset[str]:
    """The measure columns a Company Admin keeps out of the list (Admin > Module settings).

    Saved lists and grids keep naming them: they come back when the admin offers them again.
    """
    return frozenset(ModuleSettings.load().hidden_measure_columns) & MEASURE_COLUMNS


def columns_offered() -> list[Column]:
    hidden = hidden_columns()
    return [column for column in COLUMNS if column.key not in hidden]


def shown_columns(keys) -> list[str]:
    """clean_columns without the columns the admin does not offer."""
    hidden = hidden_columns()
    return [key for key in clean_columns(keys) if key not in hidden]


def clean_columns(keys) -> list[str]:
    """Known column keys in the order given, without repeats; the customer column
    (the row's link to the profile) always comes first."""
    chosen = [key for key in keys or [] if isinstance(key, str) and key in COLUMNS_BY_KEY]
    return ["customer", *(key for key in dict.fromkeys(chosen) if key != "customer")]
