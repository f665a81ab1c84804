"""The store WhatsApp setup page's one write: a test message through the configured provider."""

from django.utils.translation import gettext as _

from clienteling.models import Channel, Store

from ..providers import PermanentError, get_provider
from ..providers.addresses import active_twilio_account, sender_number


def whatsapp_test_send(*, store: Store, to: str) -> str:
    """Send a test WhatsApp text from the store's number to `to` (E.164); the provider's message id.

    Raises the provider's errors (PermanentError, TransientError, UnknownOutcome) for the page to say.
    """
    provider = get_provider(Channel.WHATSAPP)
    body = _("Atelier test message from %(store)s: WhatsApp is set up.") % {"store": store.name}
    if provider.name == "meta":
        return provider.send_test(to=to, store=store, body=body)
    if provider.name == "twilio":
        account = active_twilio_account()
        if account is None:
            raise PermanentError(_("No active Twilio account is configured."), code="no_account")
        from_number = sender_number(store, Channel.WHATSAPP, account)
        if not from_number:
            raise PermanentError(_("No WhatsApp sender is configured."), code="no_sender")
        return provider.send_test(account=account, to=to, from_number=from_number, channel=Channel.WHATSAPP,
                                  body=body)
    raise PermanentError(_("WhatsApp goes through the demo provider, which sends nothing: "
                           "choose Meta or Twilio (MESSAGING_WHATSAPP_PROVIDER)."), code="demo")
