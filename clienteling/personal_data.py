"""What clienteling holds about a customer, for data requests (export and erasure)."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import (
    Activity,
    ClientBookEntry,
    ConsentChange,
    Customer,
    CustomerAttributeValue,
    CustomerConsent,
    CustomerContactHistory,
    CustomerMailingList,
    CustomerMeasures,
    CustomerTag,
    Note,
    SaleLine,
    Task,
    WishlistItem,
)
from .registry import PersonalDataPart


def _text(value) -> str:
    return "" if value is None else str(value)


def _profile(customer: Customer) -> list[dict]:
    row = {field.attname: _text(getattr(customer, field.attname))
           for field in Customer._meta.concrete_fields if not field.attname.endswith("_key")}
    return [row]


def _erase_admin_log(customer: Customer) -> list[str]:
    # The admin's history names the customer (object_repr); keep what was done, not who to.
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Customer),
                            object_id=str(customer.pk)).update(object_repr=f"#{customer.pk}",
                                                               change_message="")
    return []


def _attributes(customer: Customer) -> list[dict]:
    values = CustomerAttributeValue.objects.filter(customer=customer).select_related("attribute", "option")
    return [{"attribute": value.attribute.name,
             "value": _text(value.option.label if value.option_id else next(
                 (v for v in (value.value_text, value.value_int, value.value_decimal, value.value_bool,
                              value.value_date) if v is not None), "")),
             "updated_at": _text(value.updated_at)} for value in values]


def _consent(customer: Customer) -> list[dict]:
    current = [{"record": "current", "channel": c.channel, "state": c.state, "source": c.source,
                "detail": c.detail, "at": _text(c.changed_at), "by": ""}
               for c in CustomerConsent.objects.filter(customer=customer)]
    history = [{"record": "change", "channel": c.channel, "state": c.state, "source": c.source,
                "detail": c.detail, "at": _text(c.changed_at), "by": _text(c.changed_by_id)}
               for c in ConsentChange.objects.filter(customer=customer).order_by("changed_at", "id")]
    return current + history


def _rows(queryset, *fields) -> list[dict]:
    return [{name: _text(value) for name, value in row.items()} for row in queryset.values(*fields)]


def _delete(*models):
    def erase(customer: Customer) -> list[str]:
        for model in models:
            model.objects.filter(customer=customer).delete()
        return []
    return erase


def _sales(customer: Customer) -> list[dict]:
    lines = SaleLine.objects.filter(sale__customer=customer).select_related("sale__store").order_by(
        "sale__sold_at", "pk")
    return [{"sale": line.sale_id, "receipt": _text(line.sale.external_id),
             "sold_at": _text(line.sale.sold_at),
             "store": line.sale.store.name if line.sale.store_id else "", "kind": line.kind,
             "title": line.title, "quantity": line.quantity, "amount": _text(line.amount),
             "currency": line.sale.currency} for line in lines]


def _keep(customer: Customer) -> list[str]:
    """Sales stay for the reports, on the anonymised customer: nothing personal is in them."""
    return []


PARTS = [
    PersonalDataPart("profile", _("Profile"), _profile, _erase_admin_log),
    PersonalDataPart("attributes", _("Attributes"), _attributes, _delete(CustomerAttributeValue)),
    PersonalDataPart("consent", _("Consent and its history"), _consent,
                     _delete(CustomerConsent, ConsentChange)),
    PersonalDataPart("notes", _("Notes"), lambda c: _rows(
        Note.objects.filter(customer=c).order_by("created_at"), "created_at", "author_id", "body", "pinned"),
        _delete(Note)),
    PersonalDataPart("activities", _("Activities"), lambda c: _rows(
        Activity.objects.filter(customer=c).order_by("occurred_at"), "occurred_at", "activity_type__name",
        "summary", "details", "actor_id"), _delete(Activity)),
    PersonalDataPart("tasks", _("Follow-ups"), lambda c: _rows(
        Task.objects.filter(customer=c).order_by("due_on"), "due_on", "title", "details", "completed_at"),
        _delete(Task)),
    PersonalDataPart("sales", _("Purchase history"), _sales, _keep),
    PersonalDataPart("wishlist", _("Wishlist"), lambda c: _rows(
        WishlistItem.objects.filter(customer=c).order_by("added_at"), "added_at", "product__title",
        "variant__sku", "note", "active"), _delete(WishlistItem)),
    PersonalDataPart("tags", _("Tags and mailing lists"), lambda c: _rows(
        CustomerTag.objects.filter(customer=c), "tag__name") + _rows(
        CustomerMailingList.objects.filter(customer=c), "mailing_list__name"),
        _delete(CustomerTag, CustomerMailingList)),
    PersonalDataPart("client_books", _("Client books"), lambda c: _rows(
        ClientBookEntry.objects.filter(customer=c), "book__owner_id", "added_at"), _delete(ClientBookEntry)),
    PersonalDataPart("contact_history", _("Contact history"), lambda c: _rows(
        CustomerContactHistory.objects.filter(customer=c), "last_text_at", "last_text_preview",
        "last_marketing_at", "last_contact_at"), _delete(CustomerContactHistory)),
    PersonalDataPart("measures", _("Measures"), lambda c: _rows(
        CustomerMeasures.objects.filter(customer=c), "computed_on", "sales_12mo", "sales_all",
        "orders_count"), _keep),
]
