"""Saved customer lists, list templates and the grid columns a user chose.

A saved list is a filter definition (the filter part of a query string), the
columns in the order they were shown and a sort key; it is evaluated live.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.access import is_company_admin, managed_stores_for
from clienteling.grid import SORTABLE, clean_columns
from clienteling.models import GridPreference, SavedCustomerList, Store

__all__ = [
    "grid_preference_set", "list_template_copy", "list_template_save", "list_template_set_status",
    "saved_list_create", "saved_list_delete", "saved_list_set_columns", "saved_list_update",
]

NAME_MAX_LENGTH = 120


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the list a name.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("A name holds at most %(max)d characters.")
                               % {"max": NAME_MAX_LENGTH}})
    return name


def _clean_filters(filters: dict) -> dict[str, list[str]]:
    """Only string lists are stored: what a query string can carry."""
    return {str(key): [str(v) for v in values] for key, values in (filters or {}).items()
            if values}


def _clean_sort(sort: str | None) -> str:
    """A sort key the grid offers ("-" for descending), or "" for the default."""
    sort = (sort or "").strip()
    return sort if sort.lstrip("-") in SORTABLE else ""


def saved_list_create(*, owner, name: str, description: str = "", filters: dict,
                      columns: list[str], sort: str = "") -> SavedCustomerList:
    return SavedCustomerList.objects.create(
        owner=owner, name=_clean_name(name),
        description=fit(SavedCustomerList, "description", (description or "").strip()),
        filters=_clean_filters(filters), columns=clean_columns(columns), sort=_clean_sort(sort),
    )


def saved_list_update(*, saved_list: SavedCustomerList, filters: dict,
                      columns: list[str] | None = None, sort: str | None = None) -> SavedCustomerList:
    """Replace the definition with the list as it is shown now."""
    saved_list.filters = _clean_filters(filters)
    fields = ["filters", "updated_at"]
    if columns:
        saved_list.columns = clean_columns(columns)
        fields.append("columns")
    if sort is not None:
        saved_list.sort = _clean_sort(sort)
        fields.append("sort")
    saved_list.save(update_fields=fields)
    return saved_list


def saved_list_set_columns(*, saved_list: SavedCustomerList, columns: list[str]) -> SavedCustomerList:
    saved_list.columns = clean_columns(columns)
    saved_list.save(update_fields=["columns", "updated_at"])
    return saved_list


def saved_list_delete(*, saved_list: SavedCustomerList) -> None:
    saved_list.delete()


def grid_preference_set(*, user, columns: list[str]) -> GridPreference:
    """The columns a user sees outside a saved list, in their order."""
    preference, _created = GridPreference.objects.update_or_create(
        user=user, defaults={"columns": clean_columns(columns)})
    return preference


def list_template_copy(*, template: SavedCustomerList, owner) -> SavedCustomerList:
    """"Add existing list": the associate's own copy of a published template."""
    if not template.is_template or template.template_status != SavedCustomerList.TemplateStatus.PUBLISHED:
        raise ValidationError(_("Only published templates can be added."))
    return SavedCustomerList.objects.create(
        owner=owner, name=template.name, description=template.description,
        filters=template.filters, columns=template.columns, sort=template.sort,
        source_template=template,
    )


def _check_template_store(user, store: Store | None) -> None:
    """Company admins publish anywhere (no store = every store); managers to their stores only."""
    if is_company_admin(user):
        return
    if store is None or not managed_stores_for(user).filter(pk=store.pk).exists():
        raise PermissionDenied


@transaction.atomic
def list_template_save(*, user, template: SavedCustomerList | None = None, name: str,
                       description: str = "", status: str, store: Store | None, filters: dict,
                       columns: list[str], sort: str = "") -> SavedCustomerList:
    """Create a template, or edit one (name, description, filters, columns, store, status)."""
    if status not in SavedCustomerList.TemplateStatus.values:
        raise ValidationError({"template_status": _("Unknown status.")})
    _check_template_store(user, store)
    if template is not None:
        if not template.is_template:
            raise ValidationError(_("This list is not a template."))
        _check_template_store(user, template.store)
    else:
        template = SavedCustomerList(owner=user, is_template=True)
    template.name = _clean_name(name)
    template.description = fit(SavedCustomerList, "description", (description or "").strip())
    template.template_status = status
    template.store = store
    template.filters = _clean_filters(filters)
    template.columns = clean_columns(columns)
    template.sort = _clean_sort(sort)
    template.save()
    return template


def list_template_set_status(*, user, template: SavedCustomerList, status: str) -> bool:
    """Publish or retire; False when the template already had that status."""
    if status not in SavedCustomerList.TemplateStatus.values:
        raise ValidationError(_("Unknown status."))
    _check_template_store(user, template.store)
    changed = SavedCustomerList.objects.filter(pk=template.pk, is_template=True).exclude(
        template_status=status).update(template_status=status, updated_at=timezone.now())
    template.template_status = status
    return bool(changed)
