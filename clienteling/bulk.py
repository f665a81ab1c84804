"""Built-in bulk actions on customers; other apps register theirs the same way."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .access import staff_profile, stores_for
from .models import Customer, LegalEntity, StaffProfile, Store, Tag

User = get_user_model()


class BulkForm(forms.Form):
    """Parameters of a bulk action; `user` scopes the choices offered."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"


def bulk_tag_choices(user):
    """Tags the user may put on customers in bulk: global ones and their stores' (as on the profile)."""
    profile = staff_profile(user)
    stores = stores_for(user)
    if profile is not None:
        stores = stores.filter(legal_entity_id=profile.legal_entity_id)
    return Tag.objects.filter(Q(store__isnull=True) | Q(store__in=stores), active=True).order_by("name")


class TagForm(BulkForm):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["tag"].queryset = bulk_tag_choices(user)


class AssignForm(BulkForm):
    associate = forms.ModelChoiceField(label=_("Associate"), queryset=User.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["associate"].queryset = User.objects.filter(
            staff_profile__active=True, staff_profile__stores__in=stores_for(user),
            staff_profile__role__in=[StaffProfile.Role.ASSOCIATE, StaffProfile.Role.STORE_MANAGER],
        ).distinct().order_by("first_name", "last_name")
        self.fields["associate"].label_from_instance = lambda u: u.get_full_name() or u.username


def bulk_store_choices(user):
    """Stores the user may move customers to: those they work in, of their legal entity."""
    profile = staff_profile(user)
    stores = stores_for(user)
    if profile is not None:
        stores = stores.filter(legal_entity_id=profile.legal_entity_id)
    return stores.order_by("name")


class StoreForm(BulkForm):
    store = forms.ModelChoiceField(label=_("Home store"), queryset=Store.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["store"].queryset = bulk_store_choices(user)


class FollowUpForm(BulkForm):
    title = forms.CharField(label=_("Follow-up"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


def _tag(params) -> Tag:
    return Tag.objects.get(pk=params["tag"])


def add_tag(*, job, customer_ids, params):
    from . import services

    return services.customers_tag_add(customer_ids=customer_ids, tag=_tag(params)), 0


def remove_tag(*, job, customer_ids, params):
    from . import services

    return services.customers_tag_remove(customer_ids=customer_ids, tag=_tag(params)), 0


def add_to_my_book(*, job, customer_ids, params):
    from . import services

    entity_ids = (Customer.objects.filter(pk__in=customer_ids).order_by()
                  .values_list("legal_entity_id", flat=True).distinct())
    added = 0
    for entity_id in entity_ids:
        book = services.client_book_get_or_create(owner=job.created_by,
                                                  legal_entity=LegalEntity(pk=entity_id))
        ids = Customer.objects.filter(pk__in=customer_ids, legal_entity_id=entity_id).values_list(
            "pk", flat=True)
        added += services.client_book_add_many(book=book, customer_ids=ids,
                                               added_by=job.created_by)
    return added, len(customer_ids) - added


def assign(*, job, customer_ids, params):
    from . import services

    associate = User.objects.select_related("staff_profile").get(pk=params["associate"])
    moved = services.customers_assign(customer_ids=customer_ids, associate=associate,
                                      assigned_by=job.created_by)
    return moved, len(customer_ids) - moved


def assign_store(*, job, customer_ids, params):
    from . import services

    # Checked again when the job runs: the user's stores may have changed since they chose.
    store = bulk_store_choices(job.created_by).filter(pk=params["store"]).first()
    if store is None:
        return 0, len(customer_ids)
    moved = services.customers_store_assign(customer_ids=customer_ids, store=store,
                                            assigned_by=job.created_by)
    return moved, len(customer_ids) - moved


def follow_up(*, job, customer_ids, params):
    from datetime import date

    from . import services

    made = services.task_create_many(
        customer_ids=customer_ids, title=params["title"], due_on=date.fromisoformat(params["due_on"]),
        assignee=job.created_by, created_by=job.created_by, store=job.store)
    return made, 0


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
