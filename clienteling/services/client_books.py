"""Client books: add, remove and reassign customers."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.models import AuditAction, ClientBook, ClientBookEntry, Customer, NumberSequence

from .audit import audit_record
from .sequences import number_sequence_take


def client_book_get_or_create(*, owner, legal_entity) -> ClientBook:
    """The owner's book in the legal entity; a new one takes the next client book identifier."""
    book = ClientBook.objects.filter(owner=owner, legal_entity=legal_entity).first()
    if book is not None:
        return book
    try:
        with transaction.atomic():
            return ClientBook.objects.create(
                owner=owner, legal_entity=legal_entity,
                number=number_sequence_take(scope=NumberSequence.Scope.CLIENT_BOOK))
    except IntegrityError:
        # Made meanwhile by another request: its number stands, ours was rolled back.
        book = ClientBook.objects.filter(owner=owner, legal_entity=legal_entity).first()
        if book is None:
            raise  # the identifier itself was taken: a sequence set back onto an old series
        return book


def client_book_add(*, book: ClientBook, customer: Customer, added_by) -> ClientBookEntry:
    if customer.legal_entity_id != book.legal_entity_id:
        raise ValidationError(_("This customer belongs to another legal entity."))
    entry, _created = ClientBookEntry.objects.get_or_create(
        book=book, customer=customer, defaults={"added_by": added_by}
    )
    return entry


def client_book_add_many(*, book: ClientBook, customer_ids: Iterable[int], added_by) -> int:
    """Add customers in bulk; already present ones are skipped. Returns rows added."""
    ids = list(
        Customer.objects.filter(pk__in=list(customer_ids), legal_entity_id=book.legal_entity_id)
        .exclude(client_book_entries__book=book)
        .values_list("pk", flat=True)
    )
    ClientBookEntry.objects.bulk_create(
        [ClientBookEntry(book=book, customer_id=pk, added_by=added_by) for pk in ids],
        ignore_conflicts=True,
    )
    return len(ids)


def client_book_remove(*, book: ClientBook, customer_ids: Iterable[int]) -> int:
    deleted, _detail = ClientBookEntry.objects.filter(
        book=book, customer_id__in=list(customer_ids)
    ).delete()
    return deleted


@transaction.atomic
def client_book_reassign(*, from_book: ClientBook, to_book: ClientBook,
                         customer_ids: Iterable[int], reassigned_by) -> int:
    """Move customers between associates' books (transfers, leavers)."""
    if from_book.legal_entity_id != to_book.legal_entity_id:
        raise ValidationError(_("Both client books must belong to the same legal entity."))
    ids = list(
        ClientBookEntry.objects.filter(book=from_book, customer_id__in=list(customer_ids))
        .values_list("customer_id", flat=True)
    )
    client_book_add_many(book=to_book, customer_ids=ids, added_by=reassigned_by)
    ClientBookEntry.objects.filter(book=from_book, customer_id__in=ids).delete()
    Customer.objects.filter(pk__in=ids, primary_salesperson=from_book.owner).update(
        primary_salesperson=to_book.owner
    )
    audit_record(action=AuditAction.REASSIGN, actor=reassigned_by,
                 target=f"book {from_book.pk} -> book {to_book.pk}",
                 detail={"from_owner": from_book.owner_id, "to_owner": to_book.owner_id,
                         "customers": len(ids)})
    return len(ids)


@transaction.atomic
def customers_assign(*, customer_ids: Iterable[int], associate, assigned_by) -> int:
    """Make `associate` the primary salesperson of these customers and add them to their book.

    Only customers of the associate's legal entity move; returns how many did.
    """
    profile = associate.staff_profile
    ids = list(Customer.objects.filter(pk__in=list(customer_ids),
                                       legal_entity_id=profile.legal_entity_id)
               .values_list("pk", flat=True))
    if not ids:
        return 0
    Customer.objects.filter(pk__in=ids).exclude(primary_salesperson=associate).update(
        primary_salesperson=associate, updated_at=timezone.now())
    book = client_book_get_or_create(owner=associate, legal_entity=profile.legal_entity)
    client_book_add_many(book=book, customer_ids=ids, added_by=assigned_by)
    audit_record(action=AuditAction.REASSIGN, actor=assigned_by, target=f"to user {associate.pk}",
                 detail={"to_owner": associate.pk, "customers": len(ids)})
    return len(ids)
