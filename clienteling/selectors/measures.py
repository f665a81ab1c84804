"""The measures as the profile shows them: the header at a glance and the Measures section."""

from catalog import reference
from clienteling.measures.display import percent_text, segment_label
from clienteling.models import (
    ConsentState,
    Customer,
    CustomerMeasures,
    ExternalMeasure,
    ExternalMeasuresSettings,
)

EXTERNAL_SHOWN = 30
# The header's segment badge: good news green, a warning amber, gone grey.
SEGMENT_TONES = {
    "champions": "success", "loyal": "success", "potential_loyalist": "primary", "new": "primary",
    "at_risk": "warning", "cant_lose": "danger", "hibernating": "secondary", "lost": "secondary",
}
HEADER_ACTIONS = {  # profile section kind: (label key, icon), in the header's order
    "conversations": ("message", "chat-dots"), "carts": ("cart", "cart"), "tasks": ("follow_up", "clock"),
}


def _entities_importing() -> set[int]:
    """Legal entities with external measures settings: only their customers can have imported
    measures, so the others' profiles skip the query (cached, retired when settings change)."""
    return reference.cached("external-measures-entities", (ExternalMeasuresSettings,), lambda: set(
        ExternalMeasuresSettings.objects.values_list("legal_entity_id", flat=True)))


def measures_section(*, customer: Customer) -> dict:
    """The customer's measures row (None before a first purchase) and imported measures by source."""
    external = []
    if customer.legal_entity_id in _entities_importing():
        external = list(ExternalMeasure.objects.filter(customer=customer)
                        .order_by("source", "name")[:EXTERNAL_SHOWN])
    sources: dict[str, list[ExternalMeasure]] = {}
    for measure in external:
        sources.setdefault(measure.source, []).append(measure)
    measures = CustomerMeasures.objects.filter(customer=customer).first()
    return {"measures": measures, "external_sources": sources,
            "segment_label": segment_label(measures.segment) if measures else "",
            "churn_percent": percent_text(measures.churn_risk) if measures else None}


def profile_header(*, measures: CustomerMeasures | None, consents: list[dict], sections: list[dict]) -> dict:
    """The profile header's facts, from what the page's sections already loaded (no query).

    `consents` are the contact section's (channel label, state code) per channel; the
    preferred channel is the first one the customer opted in to. The one-tap buttons
    lead to the sections on the page that hold the message, cart and follow-up forms
    (present only when the user may use them).
    """
    opted_in = [c for c in consents if c["code"] == ConsentState.OPTED_IN]
    kinds = {item["section"].kind: item["section"].pk for item in sections}
    actions = [{"key": key, "icon": icon, "anchor": f"section-{kinds[kind]}"}
               for kind, (key, icon) in HEADER_ACTIONS.items() if kind in kinds]
    return {
        "segment": measures.segment if measures else "",
        "segment_label": segment_label(measures.segment) if measures else "",
        "segment_tone": SEGMENT_TONES.get(measures.segment, "secondary") if measures else "secondary",
        "sales_12mo": measures.sales_12mo if measures else None,
        "last_purchase_at": measures.last_purchase_at if measures else None,
        "preferred_channel": opted_in[0]["channel"] if opted_in else None,
        "consents": consents,
        "actions": actions,
    }
