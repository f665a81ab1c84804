"""Built-in bulk actions on customers; other apps register theirs the same way."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .access import stores_for
from .models import ClientBook, Customer, CustomerTag, StaffProfile, Tag, Task
from .registry import BulkAction, bulk_actions

User = get_user_model()


class BulkForm(forms.Form):
    """Parameters of a bulk action; `user` scopes the choices offered."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"


class TagForm(BulkForm):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.filter(active=True))


class AssignForm(BulkForm):
    associate = forms.ModelChoiceField(label=_("Associate"), queryset=User.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["associate"].queryset = User.objects.filter(
            staff_profile__active=True, staff_profile__stores__in=stores_for(user),
            staff_profile__role__in=[StaffProfile.Role.ASSOCIATE, StaffProfile.Role.STORE_MANAGER],
        ).distinct().order_by("first_name", "last_name")
        self.fields["associate"].label_from_instance = lambda u: u.get_full_name() or u.username


class FollowUpForm(BulkForm):
    title = forms.CharField(label=_("Follow-up"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


def add_tag(*, job, customer_ids, params):
    CustomerTag.objects.bulk_create(
        [CustomerTag(customer_id=pk, tag_id=params["tag"]) for pk in customer_ids],
        ignore_conflicts=True,
    )
    return len(customer_ids), 0


def remove_tag(*, job, customer_ids, params):
    CustomerTag.objects.filter(customer_id__in=customer_ids, tag_id=params["tag"]).delete()
    return len(customer_ids), 0


def add_to_my_book(*, job, customer_ids, params):
    from . import services

    entity_ids = Customer.objects.filter(pk__in=customer_ids).values_list(
        "legal_entity_id", flat=True).distinct()
    added = 0
    for entity_id in entity_ids:
        book, _created = ClientBook.objects.get_or_create(owner=job.created_by,
                                                          legal_entity_id=entity_id)
        ids = Customer.objects.filter(pk__in=customer_ids, legal_entity_id=entity_id).values_list(
            "pk", flat=True)
        added += services.client_book_add_many(book=book, customer_ids=ids,
                                               added_by=job.created_by)
    return added, len(customer_ids) - added


def assign(*, job, customer_ids, params):
    from . import services

    associate = User.objects.select_related("staff_profile").get(pk=params["associate"])
    entity_id = associate.staff_profile.legal_entity_id
    ids = list(Customer.objects.filter(pk__in=customer_ids, legal_entity_id=entity_id)
               .values_list("pk", flat=True))
    Customer.objects.filter(pk__in=ids).update(primary_salesperson=associate)
    book, _created = ClientBook.objects.get_or_create(owner=associate, legal_entity_id=entity_id)
    services.client_book_add_many(book=book, customer_ids=ids, added_by=job.created_by)
    return len(ids), len(customer_ids) - len(ids)


def follow_up(*, job, customer_ids, params):
    Task.objects.bulk_create([
        Task(customer_id=pk, title=params["title"], due_on=params["due_on"],
             assignee=job.created_by, created_by=job.created_by, store=job.store)
        for pk in customer_ids
    ])
    return len(customer_ids), 0


def serialize_params(cleaned: dict) -> dict:
    """Form data as JSON-safe values for the job row (models -> pk, dates -> ISO)."""
    out = {}
    for key, value in cleaned.items():
        if hasattr(value, "pk"):
            out[key] = value.pk
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


for action in (
    BulkAction("add_tag", _("Add tag"), "tag", add_tag, form_class=TagForm),
    BulkAction("remove_tag", _("Remove tag"), "x-circle", remove_tag, form_class=TagForm),
    BulkAction("add_to_my_book", _("Add to my client book"), "book", add_to_my_book,
               permission="clienteling.add_to_client_book"),
    BulkAction("assign", _("Assign to an associate"), "person-badge", assign,
               permission="clienteling.assign_customer", form_class=AssignForm),
    BulkAction("follow_up", _("Schedule a follow-up"), "calendar-check", follow_up,
               form_class=FollowUpForm),
):
    bulk_actions.register(action)

# The export action streams a file instead of running in the background.
bulk_actions.register(BulkAction("export", _("Export CSV"), "download", None,
                                 permission="clienteling.export_customers",
                                 runs_in_background=False))
