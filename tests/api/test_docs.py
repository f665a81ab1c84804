"""The schema and the docs page: served from our own static files, within the site's CSP."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_operation_with_key_auth(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"customers_list", "customers_bulk_upsert", "sales_bulk_upsert", "products_bulk_upsert",
            "segments_apply", "measures_import", "customer_timeline", "customer_conversations",
            "conversation_messages", "carts_list", "webhook_deliveries_list"} == operations
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_docs_page_loads_its_assets_from_static_and_nothing_inline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "<style" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))  # no inline script
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
