"""Number sequences: identifiers handed out in order, without gaps."""

from django.db import transaction
from django.db.models import F

from clienteling.models import NumberSequence

__all__ = ["number_sequence_take", "number_sequence_update"]


def number_sequence_take(*, scope: str) -> str:
    """The sequence's next identifier, counted as used.

    Call it inside the transaction that saves the numbered row: the sequence row stays
    locked until that commits, so two creations never get one number, and a creation
    that rolls back rolls the count back too (no gaps).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_sequence_take must run inside the transaction that uses the number")
    NumberSequence.objects.get_or_create(scope=scope)
    sequence = NumberSequence.objects.select_for_update().get(scope=scope)
    NumberSequence.objects.filter(pk=sequence.pk).update(next_number=F("next_number") + 1)
    return sequence.format(sequence.next_number)


def number_sequence_update(*, sequence: NumberSequence, prefix: str, padding: int,
                           next_number: int) -> NumberSequence:
    """An admin's change of shape or next number, under the lock `number_sequence_take` uses.

    Within one series (same prefix and padding) the next number never goes back: numbers
    taken since the admin opened the form are kept.
    """
    with transaction.atomic():
        current = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
        if prefix == current.prefix and padding == current.padding:
            next_number = max(next_number, current.next_number)
        current.prefix, current.padding, current.next_number = prefix, padding, next_number
        current.full_clean(exclude=["next_number"])
        current.save(update_fields=["prefix", "padding", "next_number"])
    sequence.prefix, sequence.padding, sequence.next_number = prefix, padding, next_number
    return sequence
