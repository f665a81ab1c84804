"""Request and response shapes (they make the OpenAPI schema too)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class BatchRequestSerializer(serializers.Serializer):
    records = serializers.ListField(
        child=serializers.DictField(), allow_empty=False,
        help_text=_("Up to 1,000 records, each keyed by its external_id."))


class RejectedSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField(allow_blank=True, allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    applied = serializers.BooleanField(help_text=_("False when an atomic batch was refused whole."))
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = RejectedSerializer(many=True)


class MeasuresRequestSerializer(BatchRequestSerializer):
    source = serializers.CharField(max_length=100, help_text=_(
        "The source the external measures settings expect (e.g. the analytics product's name)."))


class MeasuresResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    applied = serializers.BooleanField()
    imported = serializers.IntegerField()
    switched_off = serializers.CharField(allow_blank=True, help_text=_(
        "Why this import switched the settings off (nothing matched), else empty."))
    rejected = RejectedSerializer(many=True)


class SegmentOperationSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["add", "remove"])
    customer = serializers.CharField(max_length=64, help_text=_("The customer's external id."))
    tag = serializers.SlugField(max_length=100, required=False)
    mailing_list = serializers.SlugField(max_length=100, required=False)

    def validate(self, attrs):
        if bool(attrs.get("tag")) == bool(attrs.get("mailing_list")):
            raise serializers.ValidationError(_("Give either a tag or a mailing_list."))
        return attrs


class SegmentRequestSerializer(serializers.Serializer):
    operations = serializers.ListField(child=serializers.DictField(), allow_empty=False,
                                       max_length=settings.API_MAX_BATCH)


class SegmentResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    applied = serializers.BooleanField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    rejected = RejectedSerializer(many=True)


class ContactSerializer(serializers.Serializer):
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    birth_date = serializers.DateField(allow_null=True)
    anniversary = serializers.DateField(allow_null=True)
    address_line1 = serializers.CharField(allow_blank=True)
    address_line2 = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_blank=True)
    zip_code = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    home_store_id = serializers.IntegerField(allow_null=True)
    language = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    is_prospect = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    contact = ContactSerializer(allow_null=True, help_text=_(
        "Contact details; null unless the key holds the customers:contact scope."))


class CustomerPageSerializer(serializers.Serializer):
    results = CustomerSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    label = serializers.CharField(allow_null=True, allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    details = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(allow_blank=True)


class TimelineSerializer(serializers.Serializer):
    results = TimelineEntrySerializer(many=True)
    next_before = serializers.CharField(allow_null=True)


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    channel = serializers.CharField()
    status = serializers.CharField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ConversationListSerializer(serializers.Serializer):
    results = ConversationSerializer(many=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    subject = serializers.CharField(allow_blank=True)
    is_marketing = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


class CartLineSerializer(serializers.Serializer):
    title = serializers.CharField()
    sku = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class CartSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    status = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    shared_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    sale_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    lines = CartLineSerializer(many=True)


class CartPageSerializer(serializers.Serializer):
    results = CartSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    event = serializers.CharField()
    endpoint_id = serializers.IntegerField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class DeliveryPageSerializer(serializers.Serializer):
    results = DeliverySerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)
