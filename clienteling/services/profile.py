"""Profile writes: notes, follow-ups, activities, contact details, attributes and tags."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.models import (
    Activity,
    ActivityType,
    Customer,
    CustomerAttribute,
    CustomerTag,
    Note,
    SalesChannel,
    Store,
    Tag,
    Task,
)
from clienteling.registry import timeline_texts

from .attributes import attribute_values_set
from .contact_history import contact_history_record_activity

__all__ = [
    "activity_create", "customer_attributes_set", "customer_set_tags", "customer_update_contact",
    "customers_tag_add", "customers_tag_remove", "note_create", "note_set_pinned", "note_update",
    "task_create", "task_create_many", "task_set_done",
]

# Contact fields anyone who may see the profile may change.
CONTACT_FIELDS = ("first_name", "last_name", "can_receive_texts", "partner_name")
# Contact fields only users with "view sensitive customer data" may see and change.
SENSITIVE_CONTACT_FIELDS = (
    "email", "phone", "birth_date", "anniversary", "partner_birth_date",
    "address_line1", "address_line2", "city", "state", "zip_code", "country",
)

NOTE_MAX_LENGTH = 5000


# Notes ---------------------------------------------------------------------------------------

def _clean_note_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"body": _("A note holds at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    return body


def note_create(*, customer: Customer, author, body: str, store: Store | None = None,
                pinned: bool = False) -> Note:
    return Note.objects.create(
        customer=customer, author=author, store=store, body=_clean_note_body(body), pinned=pinned
    )


def _require_author(note: Note, user) -> None:
    # Notes are the author's words: colleagues read them, only the author changes them.
    if note.author_id is None or note.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change this note."))


def note_update(*, note: Note, body: str, edited_by) -> Note:
    _require_author(note, edited_by)
    note.body = _clean_note_body(body)
    note.save(update_fields=["body", "updated_at"])
    return note


def note_set_pinned(*, note: Note, pinned: bool, changed_by) -> Note:
    _require_author(note, changed_by)
    # A queryset update leaves updated_at alone: pinning is not editing the words.
    Note.objects.filter(pk=note.pk).update(pinned=pinned)
    note.pinned = pinned
    return note


# Follow-ups ----------------------------------------------------------------------------------

def task_create(*, customer: Customer, title: str, due_on: date, assignee, created_by,
                details: str = "", store: Store | None = None) -> Task:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the follow-up a title.")})
    return Task.objects.create(
        customer=customer, title=title, details=(details or "").strip(), due_on=due_on,
        assignee=assignee, created_by=created_by, store=store,
    )


def task_create_many(*, customer_ids: Iterable[int], title: str, due_on: date, assignee,
                     created_by, store: Store | None = None) -> int:
    """One follow-up per customer (the bulk action); returns how many were made."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the follow-up a title.")})
    tasks = Task.objects.bulk_create([
        Task(customer_id=pk, title=title, due_on=due_on, assignee=assignee,
             created_by=created_by, store=store)
        for pk in customer_ids
    ])
    return len(tasks)


def task_set_done(*, task: Task, done: bool, changed_by) -> bool:
    """Complete or reopen a follow-up. Returns False if it already was in that state.

    A guarded update, so two people ticking the same follow-up cannot both win.
    """
    rows = Task.objects.filter(pk=task.pk, completed_at__isnull=done)
    if done:
        now = timezone.now()
        changed = rows.update(completed_at=now, completed_by=changed_by) == 1
    else:
        changed = rows.update(completed_at=None, completed_by=None) == 1
    task.refresh_from_db(fields=["completed_at", "completed_by"])
    return changed


# Activities ----------------------------------------------------------------------------------

def activity_create(*, customer: Customer, activity_type: ActivityType, actor, summary: str,
                    occurred_at: datetime | None = None, details: str = "",
                    store: Store | None = None, text_key: str = "",
                    text_params: Mapping | None = None) -> Activity:
    """`summary` in the site's language; an app's own line also names its registered
    `text_key` and `text_params`, so each reader sees it in their language."""
    if text_key and text_key not in timeline_texts:
        raise ValueError(f"unregistered timeline text {text_key!r}")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say in a few words what happened.")})
    if not activity_type.active:
        raise ValidationError({"activity_type": _("This activity type is no longer in use.")})
    occurred_at = occurred_at or timezone.now()
    if timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be an aware datetime")
    with transaction.atomic():
        activity = Activity.objects.create(
            customer=customer, activity_type=activity_type, actor=actor, store=store,
            occurred_at=occurred_at, summary=summary, details=(details or "").strip(),
            text_key=text_key, text_params=dict(text_params or {}) if text_key else None,
        )
        if activity_type.counts_as_contact:
            # The list's "communication within" and Last Contact read this, as for messages.
            contact_history_record_activity(customer_id=customer.pk, at=occurred_at)
    return activity


# Contact details -----------------------------------------------------------------------------

def customer_update_contact(*, customer: Customer, changes: Mapping, updated_by,
                            sensitive_allowed: bool) -> list[str]:
    """Apply validated contact changes; returns the names of the fields that changed.

    Callers pass sensitive fields only for users allowed to see them; passing
    them otherwise is a programming error, refused rather than ignored.
    """
    unknown = set(changes) - set(CONTACT_FIELDS) - set(SENSITIVE_CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    if not sensitive_allowed and set(changes) & set(SENSITIVE_CONTACT_FIELDS):
        raise PermissionDenied(_("You may not change this customer's sensitive details."))
    changed = []
    for name, value in changes.items():
        if value is None and name not in ("birth_date", "anniversary", "partner_birth_date"):
            value = ""
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return changed


# Attributes and tags -------------------------------------------------------------------------

@transaction.atomic
def customer_attributes_set(*, customer: Customer, values: Iterable[tuple[CustomerAttribute, object]],
                            channel: str = SalesChannel.STORE) -> None:
    """Set several attributes at once: all valid or nothing written.

    Raises ValidationError keyed by attribute slug with every problem found,
    so a form can show each message next to its field. `channel`: see attribute_values_set.
    """
    errors: dict[str, list[str]] = {}
    for attribute, raw_values in values:
        try:
            attribute_values_set(customer=customer, attribute=attribute, raw_values=raw_values,
                                 channel=channel)
        except ValidationError as error:
            errors[attribute.slug] = error.messages
    if errors:
        raise ValidationError(errors)  # rolls the whole transaction back


@transaction.atomic
def customer_set_tags(*, customer: Customer, tags: Iterable[Tag], scope: Iterable[Tag]) -> tuple[int, int]:
    """Make the customer's tags within `scope` exactly `tags`; tags outside it stay.

    `scope` is what the user was offered, so tags they could not see (another
    store's, retired ones) are never removed by accident. Returns (added, removed).
    """
    scope_ids = {tag.pk for tag in scope}
    wanted = {tag.pk for tag in tags}
    if wanted - scope_ids:
        raise ValidationError(_("Choose tags from the list."))
    current = set(
        CustomerTag.objects.filter(customer=customer, tag_id__in=scope_ids)
        .values_list("tag_id", flat=True)
    )
    removed = current - wanted
    if removed:
        CustomerTag.objects.filter(customer=customer, tag_id__in=removed).delete()
    added = wanted - current
    CustomerTag.objects.bulk_create(
        [CustomerTag(customer=customer, tag_id=pk) for pk in sorted(added)], ignore_conflicts=True
    )
    return len(added), len(removed)


def customers_tag_add(*, customer_ids: Iterable[int], tag: Tag) -> int:
    """Put one tag on many customers (already tagged ones stay as they are)."""
    ids = list(customer_ids)
    CustomerTag.objects.bulk_create([CustomerTag(customer_id=pk, tag=tag) for pk in ids],
                                    ignore_conflicts=True)
    return len(ids)


def customers_tag_remove(*, customer_ids: Iterable[int], tag: Tag) -> int:
    ids = list(customer_ids)
    CustomerTag.objects.filter(customer_id__in=ids, tag=tag).delete()
    return len(ids)
