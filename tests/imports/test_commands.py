"""The import commands (progress, report, exit codes); export_customers (filters, masking per permission)."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from clienteling.models import Customer
from tests.factories import CustomerFactory, TagFactory
from tests.imports.conftest import SAMPLES


def command(name, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_customers_reports_rejected_lines_and_a_progress_bar(org, tmp_path):
    out, err = command(
        "import_customers",
        str(SAMPLES / "shopify_customers.csv"),
        "--legal-entity",
        "us",
        "--store",
        "nyc",
        "--rejected",
        str(tmp_path / "rejected.csv"),
    )
    assert "line 5 (7003): email: “not-an-email” is not an email address." in out
    assert "line 7 (7001): 7001 appears again: first at line 2." in out
    assert (
        "Shopify customers export: 6 rows, 6 records; 3 were created, 0 updated, 0 unchanged, 3 rejected."
        in out
    )
    assert "100%" in err and "6 rows" in err
    rows = list(csv.reader((tmp_path / "rejected.csv").open(encoding="utf-8")))
    assert rows[0][:4] == ["line", "key", "reasons", "Customer ID"]
    assert [row[0] for row in rows[1:]] == ["5", "6", "7"]
    assert rows[1][6] == "not-an-email"
    out, _err = command(
        "import_customers",
        str(SAMPLES / "shopify_customers.csv"),
        "--legal-entity",
        "us",
        "--store",
        "nyc",
        "--no-progress",
    )
    assert "0 were created, 0 updated, 3 unchanged" in out


def test_dry_run_and_errors(org):
    out, _err = command(
        "import_customers", str(SAMPLES / "square_customers.csv"), "--legal-entity", "us", "--dry-run"
    )
    assert "2 would be created" in out and not Customer.objects.exists()
    with pytest.raises(CommandError, match="a required column is missing: amount"):
        command("import_sales", str(SAMPLES / "atelier_sales_missing_column.csv"), "--legal-entity", "us")
    with pytest.raises(CommandError, match="Cannot read"):
        command("import_products", "/nonexistent.csv", "--legal-entity", "us")
    with pytest.raises(CommandError, match="--legal-entity"):
        command("import_products", str(SAMPLES / "atelier_products.csv"))
    with pytest.raises(CommandError, match="No store"):
        command(
            "import_customers",
            str(SAMPLES / "square_customers.csv"),
            "--legal-entity",
            "us",
            "--store",
            "par",
        )


def test_all_or_nothing_command(org):
    out, _err = command(
        "import_customers",
        str(SAMPLES / "shopify_customers.csv"),
        "--legal-entity",
        "us",
        "--all-or-nothing",
        "--no-progress",
    )
    assert "Nothing was kept" in out and not Customer.objects.exists()


@pytest.fixture
def listed(org, manager):
    vip = TagFactory(name="VIP", slug="vip")
    kept = CustomerFactory(
        legal_entity=org["entity"],
        home_store=org["store_a"],
        first_name="Vera",
        last_name="Vip",
        email="vera@example.com",
        phone="+12125550177",
    )
    kept.tags.add(vip)
    CustomerFactory(
        legal_entity=org["entity"], home_store=org["store_a"], first_name="Otto", last_name="Other"
    )
    CustomerFactory(legal_entity=org["other_entity"], first_name="Far", last_name="Away")  # out of scope
    return kept


def export(*args):
    out, _err = command("export_customers", *args)
    return list(csv.DictReader(io.StringIO(out)))


def test_export_filters_and_masks(listed, manager):
    rows = export("--user", "manager", "--filter", "tags=VIP", "--columns", "customer,email,phone")
    assert [(row["Customer"], row["Email"], row["Phone"]) for row in rows] == [
        ("Vera Vip", "v•••@e•••", "•••• 77")
    ]
    everyone = export("--user", "manager", "--columns", "customer")
    assert sorted(row["Customer"] for row in everyone) == ["Otto Other", "Vera Vip"]


def test_unmasked_needs_the_sensitive_data_permission(listed, manager, associate_a):
    # The store manager holds it; an associate allowed to export but not to see contact details is refused.
    rows = export(
        "--user", "manager", "--filter", "tags=vip", "--columns", "customer,email,phone", "--unmasked"
    )
    # As the console's export writes it: national format, a leading quote so no spreadsheet reads a formula.
    assert (rows[0]["Email"], rows[0]["Phone"]) == ("vera@example.com", "'+1 212-555-0177")
    associate_a.user_permissions.add(Permission.objects.get(codename="export_customers"))
    with pytest.raises(CommandError, match="may not see sensitive"):
        command("export_customers", "--user", "associate.a", "--unmasked")
    rows = export("--user", "associate.a", "--columns", "customer,email")
    assert rows and all("•••" in row["Email"] for row in rows)


def test_export_refusals(listed, tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        command("export_customers", "--user", "ghost")
    with pytest.raises(CommandError, match="No tag"):
        command("export_customers", "--user", "manager", "--filter", "tags=nope")
    out, err = command("export_customers", "--user", "manager", "--output", str(tmp_path / "out.csv"))
    assert "Wrote 2 customers" in err
