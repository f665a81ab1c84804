"""Seeds conversations: messaging settings, quick replies, templates and a few live threads."""


from django.contrib.auth import get_user_model
from django.db import transaction

from clienteling import services
from clienteling.models import (
    Channel,
    ConsentState,
    Customer,
    CustomerConsent,
    Store,
)
from conversations import services as conversation_services
from conversations.demo import simulate_customer_reply
from conversations.models import (
    Conversation,
    MessageTemplate,
    QuickReply,
    StoreMessagingSettings,
    TemplateVariable,
)
from demo.data import clienteling as clienteling_data
from demo.data import conversations as conversations_data


def seed_messaging(*, stores: dict[str, Store]) -> None:
    """Per-store messaging settings, quick replies and message templates."""
    for spec in clienteling_data.STORES:
        StoreMessagingSettings.objects.update_or_create(
            store=stores[spec["code"]],
            defaults={
                "sms_number": spec["clienteling_phone"],
                "whatsapp_sender": spec["whatsapp_sender"],
                "opt_in_intro": f"Welcome to {spec['name']}!",
            },
        )
    for position, (title, body) in enumerate(conversations_data.QUICK_REPLIES):
        QuickReply.objects.update_or_create(
            title=title, store=None, defaults={"body": body, "position": position}
        )
    for number, spec in enumerate(conversations_data.MESSAGE_TEMPLATES, start=1):
        channel, name, event, status, category, subject, body, sources = spec
        template, _ = MessageTemplate.objects.update_or_create(
            channel=channel, name=name, language="en",
            defaults={
                "event": event, "status": status, "category": category, "subject": subject,
                "body": body, "active": True,
                # A fake Content SID: the demo provider never calls Twilio.
                "content_sid": f"HX{number:032x}" if channel == "whatsapp" else "",
            },
        )
        for position, source in enumerate(sources, start=1):
            TemplateVariable.objects.update_or_create(
                template=template, position=position, defaults={"source": source}
            )


def seed_conversations(*, stores: list[Store], associates: dict[int, list[int]]) -> int:
    """A few live threads per store, so the demo's inboxes have something to show.

    Written through conversations' own services (consent, opt-in request, send,
    inbound), so the sends queue to the worker like any other and the unread
    counts, contact history and grid columns follow. Each store's threads are one
    transaction: a store with threads is complete, and a store without any (a run
    stopped before it, or too few customers) gets them on the next run.
    """
    made = 0
    opted_out = CustomerConsent.objects.filter(channel=Channel.SMS, state=ConsentState.OPTED_OUT)
    for store in stores:
        owners = associates.get(store.pk) or []
        if not owners or Conversation.objects.filter(store=store).exists():
            continue
        associate = get_user_model().objects.get(pk=owners[0])
        # Customers who may be texted: never one who opted out of SMS.
        candidates = list(
            Customer.objects.filter(client_book_entries__book__owner=associate, home_store=store,
                                    can_receive_texts=True, is_prospect=False)
            .exclude(phone="").exclude(pk__in=opted_out.values("customer_id"))
            .order_by("pk")[:len(conversations_data.DEMO_THREADS) * 4])
        asked = set(CustomerConsent.objects.filter(customer__in=candidates, channel=Channel.SMS)
                    .exclude(state=ConsentState.UNKNOWN).values_list("customer_id", flat=True))
        with transaction.atomic():
            for consent, lines in conversations_data.DEMO_THREADS:
                # The opt-in script needs someone never asked; the others are opted in here.
                pool = [c for c in candidates if consent == "opted_in" or c.pk not in asked]
                if not pool:
                    continue
                customer = pool[0]
                candidates.remove(customer)
                made += _demo_thread(store=store, associate=associate, customer=customer,
                                     consent=consent, lines=lines)
    return made


def _demo_thread(*, store, associate, customer, consent: str, lines) -> int:
    if consent == "opted_in":
        services.customer_consent_set(customer=customer, channel=Channel.SMS,
                                      state=ConsentState.OPTED_IN,
                                      source=CustomerConsent.Source.IMPORT)
    thread = conversation_services.conversation_get_or_create(
        customer=customer, store=store, channel=Channel.SMS, user=associate)
    for who, text in lines:
        if who == "opt_in":
            conversation_services.opt_in_request(conversation=thread, sender=associate)
        elif who == "us":
            conversation_services.message_send(conversation=thread, sender=associate, body=text)
        else:
            simulate_customer_reply(conversation=thread, body=text)
    return 1
