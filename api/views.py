"""The REST API: thin views over the api services and selectors (docs/api.md)."""

import json
import logging
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.ingest import products_upsert
from clienteling.models import AuditAction, SalesChannel
from clienteling.paging import BadCursor
from clienteling.selectors.lists import PAGE_SIZES
from clienteling.services.audit import audit_record
from clienteling.services.external_measures import external_measures_import
from clienteling.services.ingest import customers_upsert, sales_upsert

from . import serializers as s
from .models import CONTACT_SCOPE, WebhookDelivery
from .selectors import (
    api_carts_page,
    api_conversation,
    api_customer,
    api_customer_conversations,
    api_customer_list,
    api_deliveries_page,
    api_messages_page,
)
from .services.idempotency import (
    MAX_KEY_LENGTH,
    IdempotencyConflict,
    idempotency_claim,
    idempotency_release,
    idempotency_store,
)
from .services.segments import segment_operations_apply
from .throttling import ApiKeyRateThrottle

logger = logging.getLogger(__name__)


class TooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
ERRORS = {400: s.ErrorSerializer, 401: s.ErrorSerializer, 403: s.ErrorSerializer,
          404: s.ErrorSerializer, 429: s.ErrorSerializer}
WRITE_ERRORS = {**ERRORS, 409: s.ErrorSerializer, 413: s.ErrorSerializer, 422: s.ErrorSerializer}
ATOMIC = OpenApiParameter("atomic", OpenApiTypes.BOOL, description=(
    "true: apply every record or none (400 listing the rejected ones); "
    "otherwise the valid records are applied and the rejected ones listed."))
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, description=(
        "Replays the stored answer for the same key and body; 422 for another body, "
        "409 while the first request with this key still runs."))
CHANNEL = OpenApiParameter("channel", OpenApiTypes.STR, enum=["store", "web", "app"], description=(
    "The channel the attribute values are written from (store by default)."))
CUSTOMER_ID = OpenApiParameter("customer_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CONVERSATION_ID = OpenApiParameter("conversation_id", OpenApiTypes.INT, OpenApiParameter.PATH)
CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="next_cursor or previous_cursor of a page")


def page_size(request, default: int = 100, maximum: int = 100) -> int:
    raw = request.query_params.get("size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"size": [_("Enter a whole number.")]}) from None
    if not 1 <= size <= maximum:
        raise ValidationError({"size": [_("Between 1 and %(max)d.") % {"max": maximum}]})
    return size


def query_bool(request, name: str) -> bool:
    value = request.query_params.get(name, "").lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValidationError({name: [_("Use true or false.")]})


def int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if not 0 < value < 2 ** 63:
        raise ValidationError({name: [_("Enter a valid id.")]})
    return value


class ApiView(APIView):
    throttle_classes = [ApiKeyRateThrottle]
    scope_resource = ""


class WriteView(ApiView):
    """A POST with Idempotency-Key support and an audit event for every applied write."""

    def post(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": [_("At most %(max)d characters.") % {
                "max": MAX_KEY_LENGTH}]})
        if not key:
            return self.write(request)
        api_key = request.auth
        try:
            stored = idempotency_claim(api_key=api_key, key=key, path=request.path, body=request.body)
        except IdempotencyConflict as conflict:
            if conflict.reason == "mismatch":
                return Response({"detail": _("This Idempotency-Key was used with another request body.")},
                                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
            return Response({"detail": _("A request with this Idempotency-Key is still running.")},
                            status=status.HTTP_409_CONFLICT)
        if stored is not None:
            response = Response(stored.body, status=stored.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = self.write(request)
        except Exception:
            idempotency_release(api_key=api_key, key=key)
            raise
        idempotency_store(api_key=api_key, key=key, status_code=response.status_code,
                          body=json.loads(json.dumps(response.data, default=str)))
        return response

    def audit(self, request, **detail):
        audit_record(action=AuditAction.API_WRITE, actor_name=request.user.get_username(),
                     target=request.path, request=request, detail={"key": request.auth.prefix, **detail})


class BatchView(WriteView):
    """Bulk upsert keyed by external id through an ingest service (they own the rules)."""

    service = None
    takes_channel = False
    key_field = "external_id"

    def records(self, request) -> list:
        records = request.data.get("records") if isinstance(request.data, dict) else None
        if isinstance(records, list) and len(records) > settings.API_MAX_BATCH:
            raise TooLarge(_("At most %(max)d records a request.") % {"max": settings.API_MAX_BATCH})
        payload = s.BatchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        records = payload.validated_data["records"]
        # A record's key is a string (or a number): a list or an object there is a mistake in the
        # sender's mapping, refused whole before anything is written.
        wrong = {str(index): {self.key_field: [_("Give a text or a number.")]}
                 for index, record in enumerate(records)
                 if isinstance(record.get(self.key_field), (list, dict, bool))}
        if wrong:
            raise ValidationError({"records": wrong})
        return records

    def write(self, request):
        records = self.records(request)
        atomic = query_bool(request, "atomic")
        extra = {}
        if self.takes_channel:
            extra["channel"] = request.query_params.get("channel") or SalesChannel.STORE
            if extra["channel"] not in SalesChannel.values:
                raise ValidationError({"channel": [_("Choose one of: %(values)s.") % {
                    "values": ", ".join(SalesChannel.values)}]})
        try:
            result = self.service(legal_entity=request.auth.legal_entity, records=records,
                             source=f"api key {request.auth.prefix}", all_or_nothing=atomic, **extra)
        except (TypeError, ValueError) as exc:  # a record of a shape the service cannot read
            logger.warning("%s refused a batch: %r", self.scope_resource, exc)
            raise ValidationError({"records": [_("A record has a value of the wrong type.")]}) from exc
        rejected = [{"index": r.index, "external_id": r.external_id, "errors": r.errors}
                    for r in result.rejected]
        applied = not (atomic and (rejected or result.rolled_back))
        body = {"atomic": atomic, "applied": applied,
                "created": result.created if applied else 0,
                "updated": result.updated if applied else 0,
                "unchanged": result.unchanged if applied else 0,
                "rejected": rejected}
        if applied and (body["created"] or body["updated"]):
            self.audit(request, resource=self.scope_resource, created=body["created"],
                       updated=body["updated"], rejected=len(rejected))
        return Response(body, status=status.HTTP_200_OK if applied else status.HTTP_400_BAD_REQUEST)


def refusal(name: str, result):
    """A 400 is either the batch's result (atomic, nothing applied) or the error shape."""
    return PolymorphicProxySerializer(component_name=name, serializers=[result, s.ErrorSerializer],
                                      resource_type_field_name=None)


def batch_schema(resource: str, description: str, parameters=()):
    return extend_schema_view(post=extend_schema(
        operation_id=f"{resource}_bulk_upsert", tags=[resource], description=description,
        request=s.BatchRequestSerializer, parameters=[ATOMIC, IDEMPOTENCY_KEY, *parameters],
        responses={200: s.BatchResultSerializer,
                   400: OpenApiResponse(refusal("BatchRefusal", s.BatchResultSerializer), description=_(
                       "An atomic batch with rejected records (nothing applied), or a malformed request.")),
                   **{code: serializer for code, serializer in WRITE_ERRORS.items() if code != 400}}))


@batch_schema("customers", "Create or update customers by external_id (up to 1,000).", [CHANNEL])
class CustomersBulkView(BatchView):
    scope_resource = "customers"
    takes_channel = True
    service = staticmethod(customers_upsert)


@batch_schema("sales", "Create or update sales with their lines by external_id (up to 1,000).")
class SalesBulkView(BatchView):
    scope_resource = "sales"
    service = staticmethod(sales_upsert)


@batch_schema("products", "Create or update products with variants, prices and stock (up to 1,000).")
class ProductsBulkView(BatchView):
    scope_resource = "products"
    key_field = "sku"
    service = staticmethod(products_upsert)


@extend_schema_view(post=extend_schema(
    operation_id="measures_import", tags=["measures"], request=s.MeasuresRequestSerializer,
    parameters=[ATOMIC, IDEMPOTENCY_KEY],
    description="Import external measures ({customer, measure, value}; up to 1,000) from the source "
                "the legal entity's external measures settings name.",
    responses={200: s.MeasuresResultSerializer, 400: OpenApiResponse(
        refusal("MeasuresRefusal", s.MeasuresResultSerializer), description=(
        "An atomic import with rejected records (nothing applied), or a malformed request.")),
        **{code: serializer for code, serializer in WRITE_ERRORS.items() if code != 400}}))
class MeasuresBulkView(BatchView):
    scope_resource = "measures"
    key_field = "customer"

    def write(self, request):
        records = self.records(request)
        atomic = query_bool(request, "atomic")
        source = request.data.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValidationError({"source": [_("Name the source of the measures.")]})
        with transaction.atomic():  # a savepoint around the service's own: ?atomic=true undoes it
            result = external_measures_import(legal_entity=request.auth.legal_entity, records=records,
                                              source=source[:100])
            applied = not (atomic and result.rejected)
            if not applied:
                transaction.set_rollback(True)
        rejected = [{"index": max(number - 1, 0),
                     "external_id": str(records[number - 1].get("customer") or "")
                     if 0 < number <= len(records) else None,
                     "errors": {"__all__": [str(reason)]}} for number, reason in result.rejected]
        body = {"atomic": atomic, "applied": applied, "imported": result.imported if applied else 0,
                "switched_off": result.switched_off, "rejected": rejected}
        if applied and result.imported:
            self.audit(request, resource="measures", imported=result.imported, rejected=len(rejected))
        return Response(body, status=status.HTTP_200_OK if applied else status.HTTP_400_BAD_REQUEST)


@extend_schema_view(post=extend_schema(operation_id="segments_apply", tags=["tags"],
               description="Add or remove tag and mailing-list membership by customer external id.",
               request=s.SegmentRequestSerializer, parameters=[ATOMIC, IDEMPOTENCY_KEY],
               responses={200: s.SegmentResultSerializer,
                          400: refusal("SegmentRefusal", s.SegmentResultSerializer),
                          **{code: serializer for code, serializer in WRITE_ERRORS.items() if code != 400}}))
class SegmentOperationsView(WriteView):
    scope_resource = "tags"

    def write(self, request):
        operations = request.data.get("operations") if isinstance(request.data, dict) else None
        if isinstance(operations, list) and len(operations) > settings.API_MAX_BATCH:
            return Response({"detail": _("At most %(max)d operations a request.") % {
                "max": settings.API_MAX_BATCH}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        payload = s.SegmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        atomic = query_bool(request, "atomic")
        shaped, rejected = [], []
        for index, raw in enumerate(payload.validated_data["operations"]):
            operation = s.SegmentOperationSerializer(data=raw)
            if operation.is_valid():
                shaped.append((index, operation.validated_data))
            else:
                external_id = raw.get("customer")
                rejected.append({"index": index,
                                 "external_id": external_id if isinstance(external_id, str) else None,
                                 "errors": {name: [str(m) for m in messages]
                                            for name, messages in operation.errors.items()}})
        if atomic and rejected:
            return Response({"atomic": True, "applied": False, "added": 0, "removed": 0,
                             "rejected": rejected}, status=status.HTTP_400_BAD_REQUEST)
        result = segment_operations_apply(legal_entity=request.auth.legal_entity,
                                          operations=[op for _i, op in shaped], atomic=atomic)
        rejected += [{"index": shaped[position][0], "external_id": external_id, "errors": errors}
                     for position, external_id, errors in result.rejected]
        rejected.sort(key=lambda row: row["index"])
        if not result.applied:
            return Response({"atomic": True, "applied": False, "added": 0, "removed": 0,
                             "rejected": rejected}, status=status.HTTP_400_BAD_REQUEST)
        if result.added or result.removed:
            self.audit(request, resource="tags", added=result.added, removed=result.removed,
                       rejected=len(rejected))
        return Response({"atomic": atomic, "applied": True, "added": result.added,
                         "removed": result.removed, "rejected": rejected})


def customer_row(customer, *, contact: bool) -> dict:
    return {
        "id": customer.pk, "external_id": customer.external_id,
        "first_name": customer.first_name, "last_name": customer.last_name,
        "home_store_id": customer.home_store_id, "language": customer.language,
        "currency": customer.currency, "is_prospect": customer.is_prospect,
        "created_at": customer.created_at, "updated_at": customer.updated_at,
        "contact": {
            "email": customer.email, "phone": str(customer.phone) if customer.phone else "",
            "birth_date": customer.birth_date, "anniversary": customer.anniversary,
            "address_line1": customer.address_line1, "address_line2": customer.address_line2,
            "city": customer.city, "state": customer.state, "zip_code": customer.zip_code,
            "country": customer.country,
        } if contact else None,
    }


@extend_schema_view(get=extend_schema(operation_id="customers_list", tags=["customers"], parameters=[
    OpenApiParameter("q", OpenApiTypes.STR, description="Search (name, email, phone), as the console's."),
    OpenApiParameter("sort", OpenApiTypes.STR, description="A console sort key, e.g. customer or -customer."),
    OpenApiParameter("size", OpenApiTypes.INT, enum=list(PAGE_SIZES), description="Rows a page (100)."),
    CURSOR,
], description="Customers with the console list's filters (any of its query parameters), cursor paging.",
    responses={200: s.CustomerPageSerializer, **ERRORS}))
class CustomersView(ApiView):
    scope_resource = "customers"

    def get(self, request):
        size = page_size(request)
        if size not in PAGE_SIZES:
            raise ValidationError({"size": [_("Choose one of: %(values)s.") % {
                "values": ", ".join(str(value) for value in PAGE_SIZES)}]})
        found = api_customer_list(legal_entity=request.auth.legal_entity, params=request.query_params,
                                  size=size)
        if found.errors:
            raise ValidationError({name: [str(m) for m in messages]
                                   for name, messages in found.errors.items()})
        contact = request.auth.has_scope(CONTACT_SCOPE)
        page = found.page
        return Response({"results": [customer_row(c, contact=contact) for c in page.rows],
                         "next_cursor": page.next_cursor, "previous_cursor": page.previous_cursor})


@extend_schema_view(get=extend_schema(operation_id="customer_timeline", tags=["customers"], parameters=[
    CUSTOMER_ID,
    OpenApiParameter("before", OpenApiTypes.DATETIME, description="next_before of the previous page"),
], responses={200: s.TimelineSerializer, **ERRORS}))
class CustomerTimelineView(ApiView):
    scope_resource = "customers"

    def get(self, request, customer_id: str):
        from clienteling.selectors.profile import customer_timeline

        customer = api_customer(legal_entity=request.auth.legal_entity, customer_id=customer_id)
        before = None
        raw = request.query_params.get("before")
        if raw:
            from django.utils.dateparse import parse_datetime
            try:
                before = parse_datetime(raw)
            except ValueError:
                before = None
            if before is None or before.tzinfo is None:
                raise ValidationError({"before": [_("Give a date and time with its UTC offset.")]})
        timeline = customer_timeline(customer=customer, tz=UTC, today=timezone.now().date(),
                                     before=before)
        entries = [{"kind": e["kind"], "at": e["at"], "label": e["label"], "summary": e["summary"] or "",
                    "details": e["details"] or "", "actor": e["actor"] or ""}
                   for day in timeline["days"] for e in day["entries"]]
        return Response({"results": entries, "next_before": timeline["next_before"] or None})


@extend_schema_view(get=extend_schema(operation_id="customer_conversations", tags=["conversations"],
                                      parameters=[CUSTOMER_ID],
                                      responses={200: s.ConversationListSerializer, **ERRORS}))
class CustomerConversationsView(ApiView):
    scope_resource = "conversations"

    def get(self, request, customer_id: str):
        customer = api_customer(legal_entity=request.auth.legal_entity, customer_id=customer_id)
        rows = [{"id": c.pk, "customer_id": c.customer_id, "store_id": c.store_id, "channel": c.channel,
                 "status": c.status, "last_message_at": c.last_message_at, "created_at": c.created_at}
                for c in api_customer_conversations(customer=customer)]
        return Response({"results": rows})


@extend_schema_view(get=extend_schema(
    operation_id="conversation_messages", tags=["conversations"], parameters=[CONVERSATION_ID,
        CURSOR, OpenApiParameter("size", OpenApiTypes.INT, description="1 to 100 (50)")],
    responses={200: s.MessagePageSerializer, **ERRORS}))
class ConversationMessagesView(ApiView):
    scope_resource = "conversations"

    def get(self, request, conversation_id: str):
        conversation = api_conversation(legal_entity=request.auth.legal_entity,
                                        conversation_id=conversation_id)
        size = page_size(request, default=50)
        try:
            page = api_messages_page(conversation=conversation, size=size,
                                     cursor=request.query_params.get("cursor") or None)
        except BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        rows = [{"id": m.pk, "direction": m.direction, "kind": m.kind, "status": m.status,
                 "body": m.body, "subject": m.subject, "is_marketing": m.is_marketing,
                 "created_at": m.created_at, "sent_at": m.sent_at, "delivered_at": m.delivered_at}
                for m in page.rows]
        return Response({"results": rows, "next_cursor": page.next_cursor,
                         "previous_cursor": page.previous_cursor})


@extend_schema_view(get=extend_schema(operation_id="carts_list", tags=["carts"], parameters=[
    OpenApiParameter("customer", OpenApiTypes.INT, description="A customer's id"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "paid", "cleared", "expired"]),
    OpenApiParameter("size", OpenApiTypes.INT, description="1 to 100 (50)"), CURSOR,
], responses={200: s.CartPageSerializer, **ERRORS}))
class CartsView(ApiView):
    scope_resource = "carts"

    def get(self, request):
        from carts.models import Cart

        size = page_size(request, default=50)
        customer_id = int_param(request, "customer")
        cart_status = request.query_params.get("status") or None
        if cart_status and cart_status not in Cart.Status.values:
            raise ValidationError({"status": [_("Choose one of: %(values)s.") % {
                "values": ", ".join(Cart.Status.values)}]})
        try:
            page = api_carts_page(legal_entity=request.auth.legal_entity, customer_id=customer_id,
                                  status=cart_status, size=size,
                                  cursor=request.query_params.get("cursor") or None)
        except BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        rows = [{"id": c.pk, "customer_id": c.customer_id, "store_id": c.store_id, "status": c.status,
                 "currency": c.currency, "total": str(c.total), "shared_at": c.shared_at,
                 "paid_at": c.paid_at,
                 "sale_id": c.sale_id, "created_at": c.created_at,
                 "lines": [{"title": line.title, "sku": line.variant.sku if line.variant_id else "",
                            "quantity": line.quantity, "unit_price": str(line.unit_price),
                            "line_total": str(line.line_total)} for line in c.lines.all()]}
                for c in page.rows]
        return Response({"results": rows, "next_cursor": page.next_cursor,
                         "previous_cursor": page.previous_cursor})


@extend_schema_view(get=extend_schema(operation_id="webhook_deliveries_list", tags=["webhooks"], parameters=[
    OpenApiParameter("status", OpenApiTypes.STR, enum=WebhookDelivery.Status.values),
    OpenApiParameter("size", OpenApiTypes.INT, description="1 to 100 (50)"), CURSOR,
], description="The delivery log of the legal entity's webhook endpoints, newest first.",
    responses={200: s.DeliveryPageSerializer, **ERRORS}))
class WebhookDeliveriesView(ApiView):
    scope_resource = "webhooks"

    def get(self, request):
        size = page_size(request, default=50)
        wanted = request.query_params.get("status") or None
        if wanted and wanted not in WebhookDelivery.Status.values:
            raise ValidationError({"status": [_("Choose one of: %(values)s.") % {
                "values": ", ".join(WebhookDelivery.Status.values)}]})
        try:
            page = api_deliveries_page(legal_entity=request.auth.legal_entity, status=wanted, size=size,
                                       cursor=request.query_params.get("cursor") or None)
        except BadCursor as exc:
            raise ValidationError({"cursor": [str(exc)]}) from None
        rows = [{"id": d.pk, "event_id": d.event_id, "event": d.event, "endpoint_id": d.endpoint_id,
                 "status": d.status, "attempts": d.attempts, "response_status": d.response_status,
                 "last_error": d.last_error, "created_at": d.created_at,
                 "next_attempt_at": d.next_attempt_at, "delivered_at": d.delivered_at} for d in page.rows]
        return Response({"results": rows, "next_cursor": page.next_cursor,
                         "previous_cursor": page.previous_cursor})


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema: public, it holds no data."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its start script is a separate request (CSP)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
