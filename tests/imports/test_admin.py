"""The admin's upload page: preview of the first rows and the detected format, the job, its report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling.models import Customer
from imports.models import ImportJob
from tests.imports.conftest import SAMPLES


@pytest.fixture
def admin_client(client, company_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(company_admin)
    return client


def upload(client, org, name="shopify_customers.csv", **extra):
    data = {
        "kind": "customers",
        "legal_entity": org["entity"].pk,
        "store": org["store_a"].pk,
        "file": SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="text/csv"),
        **extra,
    }
    return client.post(reverse("admin:imports_importjob_add"), data)


def test_upload_previews_then_imports_with_a_report(admin_client, org, django_capture_on_commit_callbacks):
    assert admin_client.get(reverse("admin:imports_importjob_add")).status_code == 200
    response = upload(admin_client, org)
    job = ImportJob.objects.get()
    assert response.url == reverse("admin:imports_importjob_change", args=[job.pk])
    assert (job.status, job.format_code, job.kind) == ("pending", "shopify_customers", "customers")
    page = admin_client.get(response.url).content.decode()
    assert "Detected: Shopify customers export (utf-8-sig, “,” between columns)." in page
    assert (
        "ann.lee@example.com" in page and "Start the import" in page
    )  # the first rows, before anything is written
    assert not Customer.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:imports_importjob_start", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected, job.rows_read, job.percent) == ("done", 3, 3, 6, 100)
    page = admin_client.get(reverse("admin:imports_importjob_change", args=[job.pk])).content.decode()
    assert "“not-an-email” is not an email address." in page and 'value="100"' in page
    csv_text = admin_client.get(reverse("admin:imports_importjob_rejected", args=[job.pk])).content.decode()
    assert csv_text.splitlines()[1].startswith(
        "5,7003,email: “not-an-email” is not an email address.,7003,Cara"
    )
    # A second start changes nothing: the job ran once.
    admin_client.post(reverse("admin:imports_importjob_start", args=[job.pk]))
    assert Customer.objects.count() == 3


def test_an_unreadable_upload_is_a_form_error(admin_client, org):
    response = upload(admin_client, org, "atelier_sales_missing_column.csv", kind="sales")
    assert response.status_code == 400
    assert "a required column is missing: amount" in response.content.decode()
    assert not ImportJob.objects.exists()
    wrong_store = upload(admin_client, org, store=org["store_b"].pk)
    assert "The store belongs to another legal entity." in wrong_store.content.decode()


def test_the_job_list(admin_client, org, django_assert_max_num_queries):
    for _n in range(3):
        upload(admin_client, org)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:imports_importjob_changelist"))
    assert response.status_code == 200 and response.content.decode().count("shopify_customers") >= 3
