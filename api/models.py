"""API keys, stored idempotent responses, outbound webhook endpoints and their deliveries."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import LegalEntity
from conversations.fields import EncryptedTextField

RESOURCES = (
    ("customers", _("Customers")),
    ("sales", _("Sales")),
    ("products", _("Products")),
    ("tags", _("Tags and mailing lists")),
    ("measures", _("External measures")),
    ("conversations", _("Conversations")),
    ("carts", _("Carts")),
    ("webhooks", _("Webhooks")),
)
SCOPE_CHOICES = [
    (f"{resource}:{mode}", f"{label} ({mode_label})")
    for resource, label in RESOURCES
    for mode, mode_label in (("read", _("read")), ("write", _("write")))
]
SCOPES = frozenset(value for value, _label in SCOPE_CHOICES)
# Contact details (email, phone, address, birth dates) are shown only with this scope.
CONTACT_SCOPE = "customers:contact"
ALL_SCOPES = SCOPES | {CONTACT_SCOPE}


class ApiKey(models.Model):
    """An integrator's key: the secret is shown once, only its SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="api_keys",
                                     verbose_name=_("legal entity"))
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=600,
        help_text=_("Requests beyond this in a minute are answered 429 with Retry-After."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotentResponse(models.Model):
    """The answer given to a write with an Idempotency-Key, replayed for the same key and body."""

    api_key = models.ForeignKey(ApiKey, models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null while the first request runs
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_unique")]


class WebhookEvent(models.TextChoices):
    CUSTOMER_OPTED_IN = "customer.opted_in", _("Customer opted in")
    CUSTOMER_OPTED_OUT = "customer.opted_out", _("Customer opted out")
    MESSAGE_RECEIVED = "message.received", _("Message received")
    CART_SHARED = "cart.shared", _("Cart shared")
    CART_PAID = "cart.paid", _("Cart paid")
    APPOINTMENT_BOOKED = "appointment.booked", _("Appointment booked")
    TEST = "webhook.test", _("Test")


class WebhookEndpoint(models.Model):
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="webhook_endpoints",
                                     verbose_name=_("legal entity"))
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, blank=True)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, models.CASCADE, related_name="deliveries",
                                 verbose_name=_("endpoint"))
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="api_delivery_due",
                         condition=Q(status="pending")),
            models.Index(fields=["endpoint", "-created_at"], name="api_delivery_endpoint"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
