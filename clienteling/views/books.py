"""My client book and the store client book."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from catalog.replica import heavy_reads
from clienteling import services
from clienteling.access import can_see_sensitive, customers_view, staff_profile
from clienteling.htmx import bad_request
from clienteling.models import ClientBook
from clienteling.selectors import books as book_selectors
from clienteling.selectors.lists import customer_list
from clienteling.selectors.profile import contact_for

# Client books show cards (contact details and card properties), not grid columns.
CARD_COLUMNS = ["customer"]



def _cards(user, rows):
    customers = [row["customer"] for row in rows]
    properties = book_selectors.card_properties(customers)
    sensitive = can_see_sensitive(user)
    return [{"customer": c, "contact": contact_for(c, sensitive=sensitive),
             "properties": properties.get(c.pk, [])} for c in customers]


def _query_string(request) -> str:
    """The current filters for page links (which add their own cursor)."""
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


def _template(request) -> str:
    template = "clienteling/client_book.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return template


@customers_view(permission="clienteling.view_own_client_book")
@heavy_reads()
@require_GET
def my_client_book(request):
    result = customer_list(user=request.user, params=request.GET, for_client_book=True,
                           base=book_selectors.my_book_customers(user=request.user),
                           columns=CARD_COLUMNS)
    return render(request, _template(request), {
        "result": result, "form": result.filterset.form, "cards": _cards(request.user, result.rows),
        "store_book": False, "book_number": book_selectors.own_book_number(user=request.user),
        "can_remove": request.user.has_perm("clienteling.remove_from_client_book"),
        "query_string": _query_string(request),
    }, status=400 if result.errors else 200)


@customers_view(permission="clienteling.remove_from_client_book")
@require_POST
def client_book_remove(request):
    profile = staff_profile(request.user)
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    if profile is None or not ids:
        return bad_request(_("Select at least one customer."))
    book = ClientBook.objects.filter(owner=request.user,
                                     legal_entity_id=profile.legal_entity_id).first()
    removed = services.client_book_remove(book=book, customer_ids=ids) if book else 0
    messages.success(request, ngettext("%(n)s customer removed from your client book.",
                                       "%(n)s customers removed from your client book.",
                                       removed) % {"n": removed})
    return redirect("clienteling:my_client_book")


@customers_view(permission="clienteling.view_store_client_book")
@heavy_reads()
@require_GET
def store_client_book(request):
    owner_id = request.GET.get("owner")
    owner_id = int(owner_id) if owner_id and owner_id.isdigit() else None
    params = request.GET.copy()
    params.pop("owner", None)
    # A book's identifier in the search box opens that book.
    found_book = book_selectors.store_book_by_number(user=request.user, number=params.get("q", ""))
    if found_book is not None:
        owner_id = found_book.owner_id
        params.pop("q")
    base = book_selectors.store_book_customers(user=request.user, owner_id=owner_id)
    result = customer_list(user=request.user, params=params, for_client_book=True, base=base,
                           columns=CARD_COLUMNS)
    owners = book_selectors.store_book_owners(user=request.user)
    owners_by_customer = book_selectors.book_owners_by_customer(
        [row["customer"].pk for row in result.rows], owners)
    cards = _cards(request.user, result.rows)
    for card in cards:
        card["owners"] = owners_by_customer.get(card["customer"].pk, [])
    can_reassign = request.user.has_perm("clienteling.reassign_client_book")
    return render(request, _template(request), {
        "result": result, "form": result.filterset.form, "cards": cards, "store_book": True,
        "owners": owners, "owner_id": owner_id, "can_reassign": can_reassign,
        "book_number": next((owner.book_number for owner in owners if owner.pk == owner_id), ""),
        "targets": book_selectors.reassign_targets(user=request.user) if can_reassign else [],
        "query_string": _query_string(request),
    }, status=400 if result.errors else 200)


@customers_view(permission="clienteling.reassign_client_book")
@require_POST
def client_book_reassign(request):
    """Move customers from one associate's book to another's (transfers, leavers)."""
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    owners = {o.pk: o for o in book_selectors.store_book_owners(user=request.user)}
    targets = {t.pk: t for t in book_selectors.reassign_targets(user=request.user)}
    try:
        from_owner = owners[int(request.POST.get("from_owner", ""))]
        to_owner = targets[int(request.POST.get("to_owner", ""))]
    except (KeyError, ValueError):
        return bad_request(_("Choose who the customers move from and to."))
    if not ids:
        return bad_request(_("Select at least one customer."))
    if from_owner == to_owner:
        return bad_request(_("Choose two different people."))
    entity = staff_profile(request.user).legal_entity
    moved = services.client_book_reassign(
        from_book=services.client_book_get_or_create(owner=from_owner, legal_entity=entity),
        to_book=services.client_book_get_or_create(owner=to_owner, legal_entity=entity),
        customer_ids=ids, reassigned_by=request.user,
    )
    messages.success(request, ngettext("%(n)s customer moved to %(name)s.",
                                       "%(n)s customers moved to %(name)s.", moved) % {
        "n": moved, "name": to_owner.get_full_name() or to_owner.username})
    return redirect("clienteling:store_client_book")
