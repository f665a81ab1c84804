from django.db import transaction

from clienteling.models import ProfileSection


@transaction.atomic
def profile_sections_move(*, section_ids, step: int) -> int:
    """Move the chosen profile sections one place up (step -1) or down (+1), keeping their order
    among themselves: the admin's keyboard way to reorder besides dragging. Positions are
    renumbered 1..n. Returns how many sections moved."""
    if step not in (-1, 1):
        raise ValueError("step is -1 or 1")
    ordered = list(ProfileSection.objects.select_for_update().order_by("position", "id")
                   .values_list("pk", flat=True))
    chosen = {int(pk) for pk in section_ids}
    moved = 0
    indexes = range(1, len(ordered)) if step < 0 else range(len(ordered) - 2, -1, -1)
    for index in indexes:
        other = index + step
        if ordered[index] in chosen and ordered[other] not in chosen:
            ordered[index], ordered[other] = ordered[other], ordered[index]
            moved += 1
    positions = dict(ProfileSection.objects.values_list("pk", "position"))
    changed = [ProfileSection(pk=pk, position=place) for place, pk in enumerate(ordered, start=1)
               if positions[pk] != place]
    ProfileSection.objects.bulk_update(changed, ["position"])
    return moved
