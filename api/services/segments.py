"""Tag and mailing-list membership by customer external id (the segmentation operations)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clienteling.models import Customer, CustomerMailingList, MailingList, Tag
from clienteling.services.profile import customers_tag_add, customers_tag_remove

__all__ = ["SegmentResult", "segment_operations_apply"]


@dataclass
class SegmentResult:
    added: int = 0
    removed: int = 0
    rejected: list = field(default_factory=list)  # [(index, external_id, {field: [messages]})]
    applied: bool = True


def segment_operations_apply(*, legal_entity, operations: list[dict], atomic: bool = False) -> SegmentResult:
    """Apply add/remove operations, each already shaped ({op, customer, tag | mailing_list}).

    Unknown customers, tags and lists are rejected with the operation's index; the others
    are applied together in one transaction (none at all when `atomic` and one was rejected).
    """
    result = SegmentResult()
    external_ids = {op["customer"] for op in operations}
    customers = dict(Customer.objects.filter(
        legal_entity=legal_entity, external_id__in=external_ids, erased_at__isnull=True,
    ).values_list("external_id", "pk"))
    tag_slugs = {op["tag"] for op in operations if op.get("tag")}
    tags = {tag.slug: tag for tag in Tag.objects.filter(
        Q(store__isnull=True) | Q(store__legal_entity=legal_entity), slug__in=tag_slugs, active=True)}
    list_slugs = {op["mailing_list"] for op in operations if op.get("mailing_list")}
    lists = {mailing_list.slug: mailing_list
             for mailing_list in MailingList.objects.filter(slug__in=list_slugs, active=True)}

    tag_changes: dict[tuple[str, int], set[int]] = defaultdict(set)
    list_changes: dict[tuple[str, int], set[int]] = defaultdict(set)
    for index, op in enumerate(operations):
        errors = {}
        customer_id = customers.get(op["customer"])
        if customer_id is None:
            errors["customer"] = [_("No customer has this external id.")]
        if op.get("tag") and op["tag"] not in tags:
            errors["tag"] = [_("No active tag has this slug.")]
        if op.get("mailing_list") and op["mailing_list"] not in lists:
            errors["mailing_list"] = [_("No active mailing list has this slug.")]
        if errors:
            result.rejected.append((index, op["customer"], errors))
            continue
        if op.get("tag"):
            tag_changes[(op["op"], tags[op["tag"]].pk)].add(customer_id)
        else:
            list_changes[(op["op"], lists[op["mailing_list"]].pk)].add(customer_id)
    if atomic and result.rejected:
        result.applied = False
        return result

    tags_by_pk = {tag.pk: tag for tag in tags.values()}
    with transaction.atomic():
        for (op, tag_id), ids in tag_changes.items():
            if op == "add":
                customers_tag_add(customer_ids=sorted(ids), tag=tags_by_pk[tag_id])
                result.added += len(ids)
            else:
                customers_tag_remove(customer_ids=sorted(ids), tag=tags_by_pk[tag_id])
                result.removed += len(ids)
        for (op, list_id), ids in list_changes.items():
            if op == "add":
                CustomerMailingList.objects.bulk_create(
                    [CustomerMailingList(customer_id=pk, mailing_list_id=list_id) for pk in sorted(ids)],
                    ignore_conflicts=True)
                result.added += len(ids)
            else:
                CustomerMailingList.objects.filter(mailing_list_id=list_id, customer_id__in=ids).delete()
                result.removed += len(ids)
    return result
