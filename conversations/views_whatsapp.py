"""The store's WhatsApp setup page: a QR code and wa.me link to the store's number, a test
message, and the first customer message arriving (polled), for store managers and company admins."""

from datetime import UTC, datetime

import segno
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from phonenumber_field.formfields import PhoneNumberField

from clienteling.access import can_see_sensitive, mask_phone
from clienteling.htmx import bad_request, form_errors_text

from .access import conversations_view
from .providers import ProviderError
from .selectors.whatsapp import whatsapp_first_inbound, whatsapp_managed_store, whatsapp_sender
from .services.whatsapp_setup import whatsapp_test_send

POLL_SECONDS = 3


class WhatsAppTestForm(forms.Form):
    to = PhoneNumberField(
        label=gettext_lazy("Send to"),
        help_text=gettext_lazy("A WhatsApp number you can check, with its country code."),
        error_messages={"required": gettext_lazy("Enter the number to send the test to."),
                        "invalid": gettext_lazy("Enter a valid phone number, e.g. +12125550123.")})


def _store(user, store_id):
    store = whatsapp_managed_store(user=user, store_id=store_id)
    if store is None:
        raise Http404
    return store


def qr_svg(link: str) -> str:
    """The chat link as an SVG QR code, made here (no script, no outside service)."""
    code = segno.make(link, error="m")
    return mark_safe(code.svg_inline(scale=6, border=2, dark="#111", light="#fff",  # noqa: S308  our own SVG
                                     title=_("QR code: open a WhatsApp chat with the store")))


def _since(request) -> datetime | None:
    """The moment the page was opened (the poll's ?since=, a POSIX timestamp)."""
    value = request.GET.get("since", "")
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _arrival(request, store, since: datetime) -> dict:
    message = whatsapp_first_inbound(store=store, since=since)
    context = {"store": store, "since": int(since.timestamp()), "poll_seconds": POLL_SECONDS,
               "arrival": message}
    if message is not None:
        customer = message.conversation.customer
        phone = str(customer.phone or "")
        name = f"{customer.first_name} {customer.last_name}".strip() or customer.profile_name
        # Formatted here: the template's date filter would move it to the viewer's timezone.
        arrived_at = timezone.localtime(message.created_at, store.tzinfo)
        context.update(
            arrived_at_text=date_format(arrived_at, "DATETIME_FORMAT"),
            customer_name=name or _("New prospect"),
            customer_phone=phone if can_see_sensitive(request.user) else mask_phone(phone),
        )
    return context


@conversations_view
@require_GET
def whatsapp_setup(request, store_id: int):
    store = _store(request.user, store_id)
    sender = whatsapp_sender(store=store)
    context = {
        "store": store, "sender": sender, "qr": qr_svg(sender.chat_link) if sender.number else "",
        "form": WhatsAppTestForm(),
        **_arrival(request, store, timezone.now()),
    }
    return render(request, "conversations/whatsapp_setup.html", context)


@conversations_view
@require_GET
def whatsapp_first_message(request, store_id: int):
    """The poll: the first customer message since the page opened, or still waiting."""
    store = _store(request.user, store_id)
    since = _since(request)
    if since is None:
        return bad_request(_("The poll needs the time the page was opened."))
    return render(request, "conversations/whatsapp_setup.html#arrival", _arrival(request, store, since))


@conversations_view
@require_POST
def whatsapp_test(request, store_id: int):
    """Send a test message from the store's WhatsApp number; the outcome in place (htmx) or as a notice."""
    store = _store(request.user, store_id)
    form = WhatsAppTestForm(request.POST)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    to = str(form.cleaned_data["to"])
    try:
        sid = whatsapp_test_send(store=store, to=to)
    except ProviderError as error:
        outcome = {"ok": False, "text": _("Not sent: %(reason)s") % {"reason": error.message or error.code}}
    else:
        outcome = {"ok": True, "text": _("Test message sent to %(to)s (%(id)s).") % {"to": to, "id": sid}}
    if not request.htmx:
        (messages.success if outcome["ok"] else messages.error)(request, outcome["text"])
        return redirect(reverse("conversations:whatsapp_setup", args=[store.pk]))
    return render(request, "conversations/whatsapp_setup.html#test_result", {"outcome": outcome})
