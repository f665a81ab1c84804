"""Message templates: `{{1}}` placeholders, their data sources, plain-text rendering."""

import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.links import public_url
from catalog.money import format_money
from clienteling.models import Channel

from .models import MessageTemplate, TemplateVariable

PLACEHOLDER = re.compile(r"\{\{\s*(\d{1,2})\s*\}\}")
Source = TemplateVariable.Source


class TemplateRenderError(ValidationError):
    """A placeholder has no value: the send fails instead of sending a broken message."""

    def __init__(self, message, *, missing: Iterable[int] = ()):
        super().__init__(message, code="template_variable_missing")
        self.reason_code = "template_variable_missing"
        self.missing = sorted(set(missing))


def placeholders(text: str) -> list[int]:
    """Placeholder numbers used in a text, in order, once each."""
    seen: list[int] = []
    for match in PLACEHOLDER.finditer(text or ""):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def template_placeholders(template: MessageTemplate) -> list[int]:
    return sorted(set(placeholders(template.body)) | set(placeholders(template.subject)))


def _plain(value) -> str:
    """A value as safe plain text: no control characters, no nested placeholders."""
    text = str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    # A customer's name containing "{{2}}" must stay text, never a placeholder.
    return text.replace("{{", "{ {").replace("}}", "} }").strip()


def render_text(text: str, variables: dict) -> str:
    values = {str(k): v for k, v in (variables or {}).items()}
    missing = [n for n in placeholders(text)
               if values.get(str(n)) is None or str(values.get(str(n))).strip() == ""]
    if missing:
        raise TemplateRenderError(
            _("The template needs a value for %(placeholders)s.")
            % {"placeholders": ", ".join(f"{{{{{n}}}}}" for n in missing)},
            missing=missing,
        )
    # One pass: a substituted value is never scanned for placeholders again.
    return PLACEHOLDER.sub(lambda m: _plain(values[str(int(m.group(1)))]), text)


def template_render(*, template: MessageTemplate, variables: dict) -> str:
    """The template's body with every `{{n}}` replaced; a missing one raises.

    A WhatsApp template's subject is its header line, sent in bold above the body.
    """
    body = render_text(template.body, variables)
    if template.channel == Channel.WHATSAPP and template.subject.strip():
        return f"*{render_text(template.subject.strip(), variables)}*\n{body}"
    return body


def template_sample_text(template: MessageTemplate) -> str:
    """The template as a reviewer reads it: each variable's sample, else its source's name."""
    values = {}
    for variable in template.variables.all():
        label = Source(variable.source).label if variable.source in Source.values else ""
        values[str(variable.position)] = variable.sample or (f"[{label}]" if label else "")
    for number in template_placeholders(template):
        values.setdefault(str(number), f"[{{{{{number}}}}}]")
        if not values[str(number)]:
            values[str(number)] = f"[{{{{{number}}}}}]"
    return template_render(template=template, variables=values)


def template_media_urls(template: MessageTemplate) -> list[str]:
    """What a template sends as the message's media: its header image, if it is a media template."""
    image = template.header_image
    return [image] if image else []


# --- WhatsApp's template rules -----------------------------------------------------------
# Meta's and Twilio's documented limits (twilio/quick-reply, WhatsApp template components):
# body 1,024 characters, header 60, a quick-reply button's title 20 (Twilio's limit; Meta
# allows 25 in templates but Twilio refuses more than 20), at most 3 buttons here.
BODY_MAX = 1024
HEADER_MAX = 60
BUTTON_TITLE_MAX = 20
BUTTONS_MAX = 3
# Wording that makes a message marketing in WhatsApp's eyes (its category guidelines):
# a utility template carrying it is recategorised or refused, so we refuse it first.
PROMOTIONAL = re.compile(
    r"\b(discounts?|sales?|offers?|promo(tion)?s?|coupons?|deals?|clearance|bargains?|"
    r"free gifts?|limited[- ]time|buy now|shop now|save \d+|vouchers?|"
    r"soldes|rabais|promotions?|descuentos?|ofertas?|rebajas|sconti?|saldi|rabatt|angebote?)\b"
    r"|\d+\s?%\s?(off|de r[ée]duction|de descuento|di sconto|rabatt)?",
    re.IGNORECASE)


def whatsapp_rule_problems(template: MessageTemplate, samples: dict[int, str]) -> list[str]:
    """Why WhatsApp would refuse this template, as readable sentences ([] when it passes).

    `samples` is {placeholder number: sample value} from the template's variables.
    """
    problems: list[str] = []
    body = template.body or ""
    header = (template.subject or "").strip()
    numbers = placeholders(body)
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(_("Number the variables {{1}}, {{2}}, {{3}}… in the order they appear, "
                          "without gaps (found %(found)s).")
                        % {"found": ", ".join(f"{{{{{n}}}}}" for n in numbers)})
    stripped = body.strip()
    if PLACEHOLDER.match(stripped) or re.search(PLACEHOLDER.pattern + r"$", stripped):
        problems.append(_("The text may not start or end with a variable."))
    if re.search(PLACEHOLDER.pattern + r"\s*" + PLACEHOLDER.pattern, body):
        problems.append(_("Two variables may not be next to each other: put words between them."))
    if len(body) > BODY_MAX:
        problems.append(_("The text has %(length)s characters; WhatsApp allows %(max)s.")
                        % {"length": len(body), "max": BODY_MAX})
    if len(header) > HEADER_MAX:
        problems.append(_("The header (subject) has %(length)s characters; WhatsApp allows %(max)s.")
                        % {"length": len(header), "max": HEADER_MAX})
    if len(placeholders(header)) > 1:
        problems.append(_("The header (subject) may hold one variable at most."))
    missing = [n for n in sorted(set(numbers) | set(placeholders(header)))
               if not str(samples.get(n, "")).strip()]
    if missing:
        problems.append(_("Give a sample value for %(placeholders)s: WhatsApp reviews the "
                          "template with them.")
                        % {"placeholders": ", ".join(f"{{{{{n}}}}}" for n in missing)})
    buttons = template.quick_replies
    if len(buttons) > BUTTONS_MAX:
        problems.append(_("At most %(max)s quick-reply buttons.") % {"max": BUTTONS_MAX})
    long = [title for title in buttons if len(title) > BUTTON_TITLE_MAX]
    if long:
        problems.append(_("A button title has at most %(max)s characters: %(titles)s.")
                        % {"max": BUTTON_TITLE_MAX, "titles": ", ".join(f"“{t}”" for t in long)})
    if template.category == MessageTemplate.Category.UTILITY:
        found = PROMOTIONAL.search(f"{header}\n{body}\n" + "\n".join(buttons))
        if found:
            problems.append(_("“%(words)s” is promotional wording: WhatsApp treats this template as "
                              "marketing, not utility. Choose the marketing category or reword it.")
                            % {"words": found.group(0).strip()})
    return problems


def template_render_subject(*, template: MessageTemplate, variables: dict) -> str:
    return render_text(template.subject, variables) if template.subject else ""


def share_public_url(share) -> str:
    """A catalog share (product, collection, product list): public, login-free."""
    return public_url(reverse("catalog:shared", args=[share.token]))


def _share_link(extra: dict, sender, kind: str) -> str:
    """The link of the product or collection (`kind`) a message shares: typed, made, or new.

    A new share is kept in `extra`, so two placeholders of one send get one link.
    """
    if extra.get(f"{kind}_link"):
        return extra[f"{kind}_link"]
    if extra.get(f"{kind}_share") is not None:
        return share_public_url(extra[f"{kind}_share"])
    item = extra.get(kind)
    if item is None:
        return ""
    from catalog import services as catalog_services

    create = {"product": catalog_services.product_share_create,
              "collection": catalog_services.collection_share_create}[kind]
    share = create(**{kind: item}, created_by=sender, currency=extra.get("currency", ""))
    extra[f"{kind}_share"] = share
    return share_public_url(share)


def _product_price(product, store) -> str:
    """The price the customer would pay at this store, in its currency ("" when it has none)."""
    from catalog.selectors import prices_in

    currency = store.currency if store else product.currency
    amount = prices_in(currency=currency, products=[product]).product_price(product)
    return format_money(amount, currency) if amount is not None else ""


def source_value(source: str, *, customer, sender, store, extra: dict) -> str:
    """The value of one data source; "" when it has none (the render then fails)."""
    product = extra.get("product")
    if source == Source.CUSTOMER_FIRST_NAME:
        return customer.first_name if customer else ""
    if source == Source.CUSTOMER_LAST_NAME:
        return customer.last_name if customer else ""
    if source == Source.ASSOCIATE_FIRST_NAME:
        return getattr(sender, "first_name", "") or ""
    if source == Source.STORE_NAME:
        return store.name if store else ""
    if source == Source.STORE_PHONE:
        from .providers.addresses import sender_number

        return sender_number(store, "sms") if store else ""
    if source == Source.PRODUCT_TITLE:
        return extra.get("product_title") or (product.title if product else "")
    if source == Source.PRODUCT_PRICE:
        if extra.get("product_price"):
            return str(extra["product_price"])
        return _product_price(product, store) if product else ""
    if source == Source.PRODUCT_LINK:
        return _share_link(extra, sender, "product")
    if source == Source.COLLECTION_LINK:
        return _share_link(extra, sender, "collection")
    if source == Source.PRODUCT_LIST_LINK:
        if extra.get("product_list_link"):
            return extra["product_list_link"]
        return share_public_url(extra["product_list_share"]) if extra.get("product_list_share") else ""
    if source == Source.CART_LINK:
        return extra.get("cart_link", "")
    if source == Source.CART_TOTAL:
        return str(extra.get("cart_total", ""))
    if source == Source.CUSTOM_TEXT:
        return extra.get("custom_text", "")
    return ""


def template_variables_for(*, template: MessageTemplate, customer, sender, store,
                           extra: dict | None = None,
                           mapping: list[TemplateVariable] | None = None) -> dict:
    """{"1": value, ...} for every mapped placeholder.

    `extra` carries what only the caller knows (product, collection, cart_link,
    custom_text ...); a key "1", "2" ... in it sets that placeholder directly.
    Placeholders without a value are left out, so rendering names them.
    """
    extra = {} if extra is None else extra
    if mapping is None:
        mapping = list(template.variables.all())
    values: dict[str, str] = {}
    for variable in mapping:
        key = str(variable.position)
        if extra.get(key) not in (None, ""):
            values[key] = str(extra[key])
            continue
        if not variable.source:
            continue
        value = source_value(variable.source, customer=customer, sender=sender, store=store,
                             extra=extra)
        if value not in (None, ""):
            values[key] = str(value)
    for key, value in extra.items():
        if str(key).isdigit() and str(key) not in values and value not in (None, ""):
            values[str(key)] = str(value)
    return values
