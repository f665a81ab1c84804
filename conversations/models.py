import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from catalog.links import ProviderAddressRefused, provider_base_url_check
from clienteling.models import Channel, Customer, Store

from .fields import EncryptedTextField


class TwilioAccount(models.Model):
    """Twilio credentials; the auth token is encrypted and never shown again."""

    name = models.CharField(_("name"), max_length=80, default="Twilio")
    account_sid = models.CharField(_("Account SID"), max_length=64)
    auth_token = EncryptedTextField(_("Auth Token"))
    whatsapp_sender = PhoneNumberField(_("WhatsApp sender"), blank=True)
    messaging_service_sid = models.CharField(_("Messaging Service SID"), max_length=64, blank=True)
    api_base_url = models.URLField(
        _("API base URL"), blank=True,
        help_text=_("Leave empty for Twilio. Set only to point at a test double."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Twilio account")
        verbose_name_plural = _("Twilio accounts")
        permissions = [("access_conversations", _("Can access conversations"))]

    def __str__(self):
        return f"{self.name} ({self.account_sid[:6]}…)"

    OWN_DOMAINS = ("twilio.com",)

    def clean(self):
        try:
            provider_base_url_check(self.api_base_url, own_domains=self.OWN_DOMAINS)
        except ProviderAddressRefused:
            raise ValidationError({"api_base_url": _(
                "Only Twilio's own addresses (https://…twilio.com) may receive the account's "
                "credentials.")}) from None


def default_help_reply() -> str:
    """The HELP answer a new store starts with, in the language of whoever creates it."""
    return gettext("Reply STOP to unsubscribe. Call the store for help.")


class StoreMessagingSettings(models.Model):
    store = models.OneToOneField(Store, models.CASCADE, related_name="messaging_settings",
                                 verbose_name=_("store"))
    sms_number = PhoneNumberField(_("clienteling SMS number"), blank=True)
    whatsapp_sender = PhoneNumberField(_("WhatsApp sender"), blank=True)
    mms_enabled = models.BooleanField(_("images by MMS"), default=True)
    quiet_hours_start = models.TimeField(_("marketing allowed from"), default=time(8, 0))
    quiet_hours_end = models.TimeField(_("marketing allowed until"), default=time(21, 0))
    bulk_cap_per_day = models.PositiveSmallIntegerField(
        _("bulk marketing messages per customer per 24 hours"), default=1
    )
    help_text = models.TextField(
        _("HELP reply"), blank=True, default=default_help_reply,
    )
    opt_in_intro = models.TextField(_("opt-in introduction"), blank=True)
    round_robin_enabled = models.BooleanField(_("assign new conversations round-robin"), default=False)
    round_robin_last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False, verbose_name=_("last assigned round-robin"),
    )

    class Meta:
        verbose_name = _("store messaging settings")
        verbose_name_plural = _("store messaging settings")

    def __str__(self):
        return str(self.store)


class ArchivePolicy(models.Model):
    """Auto-archiving thresholds (one row)."""

    inactive_days = models.PositiveIntegerField(_("archive after days without activity"), default=120)
    opted_out_days = models.PositiveIntegerField(_("archive days after opt-out"), default=2)
    unanswered_opt_in_days = models.PositiveIntegerField(
        _("archive unanswered opt-in requests after days"), default=7
    )

    class Meta:
        verbose_name = _("archive policy")
        verbose_name_plural = _("archive policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="archive_policy_singleton")]

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ArchivePolicy":
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ClientelingEvent(models.TextChoices):
    PRODUCT_SHARING = "product_sharing", _("Product sharing")
    CART_SHARING = "cart_sharing", _("Cart sharing")
    COLLECTION_SHARING = "collection_sharing", _("Collection sharing")
    PRODUCT_LIST_SHARING = "product_list_sharing", _("Product list sharing")
    OPT_IN = "opt_in", _("Opt-in request")
    RECEIPT = "receipt", _("Payment receipt")
    OTHER = "other", _("Other: follow-ups and reminders")


class MessageTemplate(models.Model):
    """A message associates send; docs/templates.md tells its lifecycle.

    Email and SMS templates are approved when saved. A WhatsApp template is checked
    against WhatsApp's rules, then approved (demo) or submitted to Twilio's Content
    API and RECEIVED until the sync task reads WhatsApp's verdict.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting for WhatsApp approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class MessageType(models.TextChoices):
        TEXT = "text", _("Text")
        MEDIA = "media", _("Text with a header image")
        QUICK_REPLY = "quick_reply", _("Text with quick-reply buttons (WhatsApp)")

    class Category(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        UTILITY = "utility", _("Utility")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.MARKETING
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    message_type = models.CharField(_("message type"), max_length=20, choices=MessageType.choices,
                                    default=MessageType.TEXT)
    event = models.CharField(
        _("clienteling event"), max_length=24, choices=ClientelingEvent.choices,
        default=ClientelingEvent.OTHER,
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    header_image_url = models.URLField(
        _("header image URL"), max_length=500, blank=True,
        help_text=_("Media templates: a public https address of the image sent above the text."),
    )
    header_product = models.ForeignKey(
        "catalog.Product", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("header image from product"),
        help_text=_("Media templates: send this product's image (when no image URL is given)."),
    )
    buttons = models.JSONField(_("quick-reply buttons"), default=list, blank=True)
    content_sid = models.CharField(
        _("Twilio Content SID"), max_length=64, blank=True,
        help_text=_("WhatsApp: the content template in Twilio's Content API (made when submitted)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    submitted_at = models.DateTimeField(_("submitted to WhatsApp at"), null=True, blank=True,
                                        editable=False)
    rejection_reason = models.CharField(_("rejection reason"), max_length=1000, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    store = models.ForeignKey(
        Store, models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("store"), help_text=_("Empty for every store."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["channel", "event", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "name", "language"], name="message_template_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"

    def clean(self):
        """What a message type asks of the template (WhatsApp's own rules are checked on publish)."""
        super().clean()
        kind = self.message_type
        if kind == self.MessageType.QUICK_REPLY and self.channel and self.channel != Channel.WHATSAPP:
            raise ValidationError({"message_type": _(
                "Quick-reply buttons exist on WhatsApp only: choose text or media for %(channel)s.")
                % {"channel": Channel(self.channel).label}})
        if kind == self.MessageType.QUICK_REPLY and not [b for b in self.buttons or [] if str(b).strip()]:
            raise ValidationError({"message_type": _("Give the quick-reply buttons their titles.")})
        if kind != self.MessageType.QUICK_REPLY and [b for b in self.buttons or [] if str(b).strip()]:
            raise ValidationError({"message_type": _(
                "Buttons are sent only by a quick-reply template: choose that type or remove them.")})
        if kind == self.MessageType.MEDIA and not self.header_image_url and not (
                self.header_product_id and self.header_product.image_url):
            raise ValidationError({"header_image_url": _(
                "A media template needs its image: give an image URL or a product that has an image.")})

    @property
    def header_image(self) -> str:
        """The header image's address of a media template ("" for other types)."""
        if self.message_type != self.MessageType.MEDIA:
            return ""
        if self.header_image_url:
            return self.header_image_url
        product = self.header_product
        return product.image_url if product is not None else ""

    @property
    def quick_replies(self) -> list[str]:
        if self.message_type != self.MessageType.QUICK_REPLY:
            return []
        return [str(title) for title in self.buttons or [] if str(title).strip()]


class TemplateVariable(models.Model):
    """Links a `{{n}}` placeholder of a template to a data source."""

    class Source(models.TextChoices):
        CUSTOMER_FIRST_NAME = "customer_first_name", _("Customer first name")
        CUSTOMER_LAST_NAME = "customer_last_name", _("Customer last name")
        ASSOCIATE_FIRST_NAME = "associate_first_name", _("Associate first name")
        STORE_NAME = "store_name", _("Store name")
        STORE_PHONE = "store_phone", _("Store phone")
        PRODUCT_TITLE = "product_title", _("Product title")
        PRODUCT_PRICE = "product_price", _("Product price")
        PRODUCT_LINK = "product_link", _("Product link")
        COLLECTION_LINK = "collection_link", _("Collection link")
        PRODUCT_LIST_LINK = "product_list_link", _("Product list link")
        CART_LINK = "cart_link", _("Cart link")
        CART_TOTAL = "cart_total", _("Cart total")
        CUSTOM_TEXT = "custom_text", _("Text typed by the associate")

    template = models.ForeignKey(MessageTemplate, models.CASCADE, related_name="variables",
                                 verbose_name=_("template"))
    position = models.PositiveSmallIntegerField(_("placeholder number"))
    source = models.CharField(_("data source"), max_length=32, choices=Source.choices, blank=True)
    sample = models.CharField(_("sample value"), max_length=200, blank=True,
                              help_text=_("WhatsApp reviews the template with this value in place."))

    class Meta:
        verbose_name = _("template variable")
        verbose_name_plural = _("template variables")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_variable_unique")
        ]

    def __str__(self):
        return f"{{{{{self.position}}}}}"


class QuickReply(models.Model):
    """A text the associate drops into the composer. Replies with one title in several languages
    are versions of one reply: the composer offers the customer's (conversations.selectors.composer)."""

    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"), max_length=1000)
    language = models.CharField(
        _("language"), max_length=10, default="en",
        help_text=_("The language of the text (en, fr, fr-ca, ja …). Give each language's version "
                    "the same title."),
    )
    store = models.ForeignKey(
        Store, models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("store"), help_text=_("Empty for every store."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ARCHIVED = "archived", _("Archived")

    class ArchiveReason(models.TextChoices):
        INACTIVE = "inactive", _("No activity")
        OPTED_OUT = "opted_out", _("Customer opted out")
        OPT_IN_UNANSWERED = "opt_in_unanswered", _("Opt-in request not accepted")
        MANUAL = "manual", _("Archived by staff")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="conversations",
                                 verbose_name=_("customer"))
    store = models.ForeignKey(Store, models.CASCADE, related_name="conversations", verbose_name=_("store"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
        related_name="assigned_conversations", verbose_name=_("assigned to"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    archive_reason = models.CharField(_("archive reason"), max_length=20, choices=ArchiveReason.choices,
                                      blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    opt_in_requested_at = models.DateTimeField(_("opt-in requested at"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(
        _("last customer message at"), null=True, blank=True,
        help_text=_("Opens the WhatsApp 24-hour window."),
    )
    last_message_preview = models.CharField(_("last message"), max_length=160, blank=True)
    # A counter that only grows: customer messages and team notices. What one
    # user has not read is this minus ConversationReadState.seen_count, so a
    # manager opening a thread leaves the assignee's unread alone.
    unread_count = models.PositiveIntegerField(
        _("messages calling for attention"), default=0,
        help_text=_("Customer messages and team notices; unread per user is counted from here."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "store", "channel"], name="conversation_unique_thread"
            )
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "-last_message_at"], name="conv_my_inbox"),
            models.Index(fields=["store", "status", "-last_message_at"], name="conv_store_inbox"),
            models.Index(fields=["status", "last_message_at"], name="conv_archive_sweep"),
        ]


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        UNKNOWN = "unknown", _("Outcome unknown")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Failed")
        RECEIVED = "received", _("Received")
        BLOCKED = "blocked", _("Not sent")
        CANCELED = "canceled", _("Cancelled")

    class ScheduleReason(models.TextChoices):
        REQUESTED = "requested", _("Scheduled by staff")
        QUIET_HOURS = "quiet_hours", _("Waiting for the store's allowed hours for marketing")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        OPT_IN = "opt_in", _("Opt-in request")
        TEMPLATE = "template", _("Template")
        PRODUCT = "product", _("Product")
        CART = "cart", _("Cart")
        SYSTEM = "system", _("System notice")

    conversation = models.ForeignKey(Conversation, models.CASCADE, related_name="messages",
                                     verbose_name=_("conversation"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    is_marketing = models.BooleanField(_("marketing"), default=False)
    body = models.TextField(_("text"), blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    media_urls = models.JSONField(_("images"), default=list, blank=True)
    template = models.ForeignKey(
        MessageTemplate, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("template"),
    )
    template_variables = models.JSONField(_("template variables"), default=dict, blank=True)
    content_sid = models.CharField(
        _("Twilio Content SID"), max_length=64, blank=True,
        help_text=_("WhatsApp: sent through Twilio's Content API with the template variables."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    schedule_reason = models.CharField(
        _("schedule reason"), max_length=12, choices=ScheduleReason.choices, blank=True,
        help_text=_("Why a scheduled message waits."),
    )
    error_code = models.CharField(_("error code"), max_length=16, blank=True)
    error_message = models.CharField(_("error"), max_length=255, blank=True)
    provider_sid = models.CharField(_("provider message id"), max_length=64, null=True, blank=True,
                                    unique=True)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True,
                                       editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"),
    )
    bulk_job_id = models.BigIntegerField(_("bulk job"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    status_updated_at = models.DateTimeField(_("status updated at"), null=True, blank=True)
    # Words and images removed once the retention period passed (or on erasure).
    redacted_at = models.DateTimeField(_("content removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["conversation", "-created_at", "-id"], name="message_thread"),
            models.Index(
                fields=["scheduled_for"], name="message_due_scheduled",
                condition=Q(status="scheduled"),
            ),
            models.Index(
                fields=["status", "created_at"], name="message_stuck_sends",
                condition=Q(status__in=["sending", "unknown"]),
            ),
            # The requeue sweep reads the few messages still queued, oldest first.
            models.Index(fields=["created_at"], name="message_queued", condition=Q(status="queued")),
            # The retention sweep reads only what it has not redacted yet, oldest first.
            models.Index(fields=["created_at"], name="message_to_redact",
                         condition=Q(redacted_at__isnull=True)),
            # A bulk send's report and a campaign's progress read its messages alone.
            models.Index(fields=["bulk_job_id"], name="message_bulk_job",
                         condition=Q(bulk_job_id__isnull=False)),
        ]


class ConversationReadState(models.Model):
    """Unread counts per user: where each staff member last read a thread."""

    conversation = models.ForeignKey(Conversation, models.CASCADE, related_name="read_states",
                                     verbose_name=_("conversation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    last_read_at = models.DateTimeField(_("last read at"))
    # Conversation.unread_count when this user last read the thread.
    seen_count = models.PositiveIntegerField(_("messages seen"), default=0)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="read_state_unique")
        ]


class WebhookEvent(models.Model):
    """Every verified provider callback, once (replays hit the unique key)."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=128)
    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")
        ]
        # The log grows by every callback: each reader gets an index on the few rows it wants.
        indexes = [
            # Drains claim a kind's oldest unprocessed events; the stale sweep reads the index alone.
            models.Index(fields=["kind", "id", "received_at"], name="webhook_event_pending",
                         condition=Q(processed_at__isnull=True)),
            # The prune deletes processed events oldest first, a batch of ids read from the index.
            models.Index(fields=["received_at", "id"], name="webhook_event_done",
                         condition=Q(processed_at__isnull=False)),
        ]


class MetaWhatsAppAccount(models.Model):
    """One WhatsApp number on Meta's Cloud API; the token and app secret are encrypted, never shown again."""

    name = models.CharField(_("name"), max_length=80, default="WhatsApp (Meta)")
    phone_number_id = models.CharField(
        _("phone number ID"), max_length=32, unique=True,
        help_text=_("WhatsApp Manager → API setup: the ID of the sending number (not the number)."))
    business_account_id = models.CharField(_("WhatsApp Business Account ID"), max_length=32)
    whatsapp_number = PhoneNumberField(
        _("WhatsApp number"), help_text=_("The number customers write to, as Meta shows it."))
    access_token = EncryptedTextField(_("access token"))
    app_secret = EncryptedTextField(_("app secret"))
    verify_token = models.CharField(
        _("webhook verify token"), max_length=128,
        help_text=_("Any secret text; type the same in the app's webhook settings at Meta."))
    api_version = models.CharField(_("Graph API version"), max_length=10, default="v21.0")
    api_base_url = models.URLField(
        _("API base URL"), blank=True,
        help_text=_("Leave empty for Meta. Set only to point at a test double."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp account (Meta)")
        verbose_name_plural = _("WhatsApp accounts (Meta)")

    def __str__(self):
        return f"{self.name} ({self.whatsapp_number})"

    GRAPH_API = "https://graph.facebook.com"
    OWN_DOMAINS = ("facebook.com", "graph.facebook.com")

    def clean(self):
        try:
            provider_base_url_check(self.api_base_url, own_domains=self.OWN_DOMAINS)
        except ProviderAddressRefused:
            raise ValidationError({"api_base_url": _(
                "Only Meta's own addresses (https://graph.facebook.com) may receive the account's "
                "credentials.")}) from None
        major, dot, minor = self.api_version.removeprefix("v").partition(".")
        if not (self.api_version.startswith("v") and dot and major.isdigit() and minor.isdigit()):
            raise ValidationError({"api_version": _("A Graph API version looks like v21.0.")})
