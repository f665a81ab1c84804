"""The purchase-history filters' pickers."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from clienteling.access import customers_view
from clienteling.filters import skus_from
from clienteling.selectors.purchases import sku_suggestions


@customers_view
@require_GET
def sku_options(request):
    """The products and SKUs matching what is typed after the last comma, as datalist options.

    Each option's value is the whole entry with that SKU put in place of the typed word.
    """
    text = request.GET.get("skus", "")[:1400]
    head, _comma, term = text.rpartition(",")
    chosen = skus_from(head)
    options = [{"value": ", ".join([*chosen, sku]), "label": label}
               for sku, label in sku_suggestions(user=request.user, term=term) if sku not in chosen]
    return render(request, "clienteling/partials/sku_options.html", {"options": options})
