"""Bulk upserts through the ingest services: customers, sales with lines, products, measures."""

import pytest

from catalog.models import Product
from clienteling.models import (
    AuditEvent,
    Customer,
    ExternalMeasure,
    ExternalMeasuresSettings,
    Sale,
    SaleLine,
)
from tests.factories import CustomerFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def customers(n, start=0):
    return [{"external_id": f"C{i}", "first_name": "Ann", "last_name": f"Lee{i}",
             "email": f"ann{i}@example.com", "home_store": "nyc"} for i in range(start, start + n)]


def test_customers_create_then_repeat_changes_nothing(api, org):
    response = api.post("/api/v1/customers/bulk/", {"records": customers(3)}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() | {"rejected": []} == {"atomic": False, "applied": True, "created": 3,
                                                  "updated": 0, "unchanged": 0, "rejected": []}
    again = api.post("/api/v1/customers/bulk/", {"records": customers(3)}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert Customer.objects.filter(legal_entity=org["entity"]).count() == 3
    assert AuditEvent.objects.filter(action="api.write").count() == 1  # the no-op is not a write


def test_customers_partial_batch_lists_the_rejected_by_index(api, org):
    records = customers(2) + [{"external_id": "BAD", "email": "not-an-email"}, {"first_name": "NoId"}]
    body = api.post("/api/v1/customers/bulk/", {"records": records}, format="json").json()
    assert body["created"] == 2
    assert [(r["index"], r["external_id"]) for r in body["rejected"]][0] == (2, "BAD")
    assert "email" in body["rejected"][0]["errors"]
    assert [r["index"] for r in body["rejected"]] == [2, 3]
    assert not Customer.objects.filter(external_id="BAD").exists()


def test_customers_atomic_batch_writes_nothing_when_one_is_rejected(api, org):
    records = customers(2) + [{"external_id": "BAD", "email": "not-an-email"}]
    response = api.post("/api/v1/customers/bulk/?atomic=true", {"records": records}, format="json")
    assert response.status_code == 400
    assert response.json()["applied"] is False and response.json()["rejected"][0]["index"] == 2
    assert not Customer.objects.filter(legal_entity=org["entity"]).exists()


def test_over_1000_records_is_413_and_nothing_is_written(api, org):
    response = api.post("/api/v1/customers/bulk/", {"records": customers(1001)}, format="json")
    assert response.status_code == 413 and response.json()["detail"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": ["x"]}, {"records": {"a": 1}}, [],
                                  {"records": [{"external_id": ["nested"]}]}])
def test_malformed_batches_are_400(api, body):
    response = api.post("/api/v1/customers/bulk/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]


def test_bad_channel_is_400(api):
    response = api.post("/api/v1/customers/bulk/?channel=fax", {"records": customers(1)}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]


def test_sales_with_lines_and_idempotency_key(api, org):
    CustomerFactory(legal_entity=org["entity"], external_id="C1")
    variant = VariantFactory(sku="COAT-S")
    sale = {"external_id": "R-1", "customer": "C1", "store": "nyc", "sold_at": "2026-11-01T10:00:00Z",
            "lines": [{"kind": "goods", "sku": variant.sku, "quantity": 1, "amount": "900.00"},
                      {"kind": "return", "sku": variant.sku, "quantity": 1, "amount": "100.00"},
                      {"kind": "custom", "title": "Alterations", "quantity": 1, "amount": "40.00"}]}
    first = api.post("/api/v1/sales/bulk/", {"records": [sale]}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 200 and first.json()["created"] == 1, first.json()
    replay = api.post("/api/v1/sales/bulk/", {"records": [sale]}, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert Sale.objects.count() == 1 and SaleLine.objects.count() == 3
    bad = dict(sale, external_id="R-2",
               lines=[{"kind": "goods", "sku": "NOPE", "quantity": 1, "amount": "1"}])
    body = api.post("/api/v1/sales/bulk/", {"records": [bad]}, format="json").json()
    assert body["rejected"][0]["external_id"] == "R-2" and Sale.objects.count() == 1


def test_products_with_variants(api):
    record = {"sku": "SCARF", "title": "Silk scarf", "price": "250.00", "currency": "USD",
              "variants": [{"sku": "SCARF-OS", "size": "OS"}]}
    body = api.post("/api/v1/products/bulk/", {"records": [record]}, format="json").json()
    assert body["created"] == 1, body
    assert Product.objects.get(sku="SCARF").variants.filter(sku="SCARF-OS").exists()
    ProductFactory(sku="OTHER")
    again = api.post("/api/v1/products/bulk/", {"records": [record]}, format="json").json()
    assert again["unchanged"] == 1


def test_external_measures(api, org):
    ExternalMeasuresSettings.objects.create(legal_entity=org["entity"], source_name="Lens",
                                            match_field="external_id")
    CustomerFactory(legal_entity=org["entity"], external_id="C1")
    records = [{"customer": "C1", "measure": "clv", "value": "1200"},
               {"customer": "NOPE", "measure": "clv", "value": "5"}]
    atomic = api.post("/api/v1/measures/bulk/?atomic=true", {"source": "Lens", "records": records},
                      format="json")
    assert atomic.status_code == 400 and not ExternalMeasure.objects.exists()
    body = api.post("/api/v1/measures/bulk/", {"source": "Lens", "records": records}, format="json").json()
    assert body["imported"] == 1 and [r["index"] for r in body["rejected"]] == [1]
    assert body["rejected"][0]["external_id"] == "NOPE"
    assert ExternalMeasure.objects.get().value == "1200"
    missing = api.post("/api/v1/measures/bulk/", {"records": records}, format="json")
    assert missing.status_code == 400 and "source" in missing.json()["errors"]
