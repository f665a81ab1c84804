"""What the thread's composer may offer, and what a template would say: reads only."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from catalog.money import babel_locale
from clienteling.models import ConsentState

from ..media import IMAGE_TYPES, MEDIA_FOLDER, MEDIA_NAME
from ..models import Conversation, Message, MessageTemplate, QuickReply
from ..providers.addresses import messaging_settings
from ..templating import template_render, template_variables_for
from .rules import ComposerState, consent_for, images_allowed, send_refusal, window_closes_at


def composer_state(*, conversation: Conversation, now: datetime | None = None) -> ComposerState:
    """What the composer may offer right now, with the reason when it may not."""
    now = now or timezone.now()
    customer = conversation.customer
    consent = consent_for(customer, conversation.channel)
    state = consent.state if consent else ConsentState.UNKNOWN
    closes = window_closes_at(conversation)
    if closes is not None and closes <= now:
        closes = None
    settings = messaging_settings(conversation.store)
    blocked = send_refusal(
        conversation=conversation, customer=customer, consent=consent,
        settings=settings, kind=Message.Kind.TEXT,
        is_marketing=state == ConsentState.OPTED_OUT, template=None, now=now)
    images = images_allowed(conversation, settings)
    if blocked is None:
        return ComposerState(True, None, False, closes, state, images)
    templates_only = blocked.reason_code == "window_closed"
    return ComposerState(False, blocked.messages[0], templates_only, closes, state, images)


def media_open(name: str):
    """(file, content type) of a stored outbound image by its public name, or None."""
    match = MEDIA_NAME.match(name or "")
    path = f"{MEDIA_FOLDER}/{name}"
    if match is None or not default_storage.exists(path):
        return None
    return default_storage.open(path), IMAGE_TYPES[match.group(1)]


def template_preview(*, conversation: Conversation, template: MessageTemplate, sender,
                     variables: dict | None = None) -> str:
    """The text this template would send on this thread now; TemplateRenderError when it cannot."""
    values = template_variables_for(template=template, customer=conversation.customer, sender=sender,
                                    store=conversation.store, extra=dict(variables or {}))
    return template_render(template=template, variables=values)


# --- Versions in the customer's language -------------------------------------------------


def language_code(code: str | None) -> str:
    """A language code as Django writes it: "fr_CA" and "fr-CA" are "fr-ca"."""
    return (code or "").strip().replace("_", "-").lower()


def language_name(code: str) -> str:
    """The language's name as the reader's language writes it ("French", "français", "フランス語");
    the code when neither Babel nor Django knows it."""
    name = babel_locale().languages.get(code.replace("-", "_"))
    if name:
        return name
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


@dataclass(frozen=True)
class Version:
    """The version of a template or quick reply the composer offers, with the customer's wish."""

    item: MessageTemplate | QuickReply
    wanted: str  # the customer's language ("" when unknown: the default is no fallback)

    @property
    def language(self) -> str:
        return language_code(self.item.language)

    @property
    def fallback(self) -> bool:
        """Sent in another language than the customer's ("fr-ca" served by "fr" is no fallback)."""
        return bool(self.wanted) and self.language.split("-")[0] != self.wanted.split("-")[0]

    @property
    def fallback_note(self) -> str:
        if not self.fallback:
            return ""
        return _("No %(wanted)s version: sending the %(language)s one.") % {
            "wanted": language_name(self.wanted.split("-")[0]),
            "language": language_name(self.language.split("-")[0])}


def _rank(language: str, wanted: str, default: str) -> tuple:
    """How well a version's language serves: the customer's, its base, the default's, any other."""
    base = language.split("-")[0]
    for rank, target in enumerate((wanted, wanted.split("-")[0], default, default.split("-")[0])):
        if target and (language == target or (rank % 2 and base == target)):
            return (rank, language)
    return (4, language)


def best_versions(items, *, key, wanted: str) -> list[Version]:
    """One version per `key` (a template's name, a quick reply's title), in the items' order: the
    customer's language, else its base language, else the default language, else any."""
    wanted, default = language_code(wanted), language_code(settings.LANGUAGE_CODE)
    best = {}
    for item in items:
        group = key(item)
        rank = _rank(language_code(item.language), wanted, default)
        if group not in best or rank < best[group][0]:
            best[group] = (rank, item)
    chosen = {id(item) for _rank_, item in best.values()}
    return [Version(item, wanted) for item in items if id(item) in chosen]


def composer_templates(*, conversation: Conversation) -> list[Version]:
    """Approved templates of the thread's channel, for every store or this one, one per name in
    the customer's language when it has one (one query)."""
    items = list(MessageTemplate.objects.filter(
        Q(store__isnull=True) | Q(store=conversation.store_id), channel=conversation.channel,
        status=MessageTemplate.Status.APPROVED, active=True).order_by("name", "language"))
    return best_versions(items, key=lambda template: template.name, wanted=conversation.customer.language)


def composer_quick_replies(*, conversation: Conversation) -> list[Version]:
    """Active quick replies for every store or this one, one per title in the customer's language
    when it has one (one query)."""
    items = list(QuickReply.objects.filter(Q(store__isnull=True) | Q(store=conversation.store_id),
                                           active=True))
    return best_versions(items, key=lambda reply: reply.title, wanted=conversation.customer.language)


def template_version(*, conversation: Conversation, template: MessageTemplate) -> Version:
    """A chosen template as a version for this thread's customer (says when it falls back)."""
    return Version(template, language_code(conversation.customer.language))
