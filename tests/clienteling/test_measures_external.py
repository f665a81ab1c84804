"""Measures imported from another analytics product: matching, rejections, the self-switching-off settings."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clienteling.models import ExternalMeasure, ExternalMeasuresSettings, ProfileSection
from clienteling.services.external_measures import external_measures_import
from tests.clienteling.profile_helpers import profile_url
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_us(org):
    return ExternalMeasuresSettings.objects.create(legal_entity=org["entity"], source_name="Insights",
                                                  match_field="external_id")


@pytest.fixture
def customers(org):
    return [CustomerFactory(legal_entity=org["entity"], external_id=f"X{i}", email=f"c{i}@Example.com",
                            phone=f"+1212555010{i}") for i in range(3)]


def test_import_matches_by_external_id_and_rejects_with_reasons(org, settings_us, customers):
    # The other legal entity's customer with the same external id is not matched.
    CustomerFactory(legal_entity=org["other_entity"], external_id="X9")
    result = external_measures_import(legal_entity=org["entity"], source="Insights", records=[
        {"customer": "X0", "measure": "CLV", "value": "1200"},
        {"customer": "X1", "measure": "CLV", "value": "800"},
        {"customer": "X9", "measure": "CLV", "value": "1"},
        {"customer": "X2", "measure": "", "value": "3"},
        {"customer": "X0", "measure": "CLV", "value": "1300"},  # a later row wins
    ])
    assert result.imported == 2 and not result.switched_off
    assert result.rejected == [(3, "No customer matches X9."),
                               (4, "Each row needs a customer, a measure and a value.")]
    assert ExternalMeasure.objects.get(customer=customers[0]).value == "1300"
    # Importing again replaces, never duplicates.
    external_measures_import(legal_entity=org["entity"], source="insights", records=[
        {"customer": "X0", "measure": "CLV", "value": "1400"}])
    assert ExternalMeasure.objects.filter(customer=customers[0]).get().value == "1400"


@pytest.mark.parametrize(("match", "key", "index"), [("email", "C1@example.COM", 1),
                                                     ("phone", "(212) 555-0102", 2)])
def test_import_matches_by_email_or_phone(org, settings_us, customers, match, key, index):
    settings_us.match_field = match
    settings_us.save()
    result = external_measures_import(legal_entity=org["entity"], source="Insights",
                                      records=[{"customer": key, "measure": "Propensity", "value": "0.4"}])
    assert result.imported == 1
    assert ExternalMeasure.objects.get().customer == customers[index]


def test_an_import_that_matches_nothing_switches_the_settings_off(org, settings_us, customers):
    result = external_measures_import(legal_entity=org["entity"], source="Insights", records=[
        {"customer": "nobody", "measure": "CLV", "value": "1"}])
    settings_us.refresh_from_db()
    assert result.imported == 0 and result.switched_off
    assert not settings_us.enabled and "matched no customer" in settings_us.disabled_reason
    # Off: nothing is written until an admin switches it back on, and the rows say why.
    later = external_measures_import(legal_entity=org["entity"], source="Insights", records=[
        {"customer": "X0", "measure": "CLV", "value": "1"}])
    assert later.imported == 0 and "switched off" in later.rejected[0][1]
    assert not ExternalMeasure.objects.exists()


def test_another_source_is_refused(org, settings_us, customers):
    result = external_measures_import(legal_entity=org["entity"], source="Other",
                                      records=[{"customer": "X0", "measure": "CLV", "value": "1"}])
    assert result.imported == 0 and "not Other" in result.rejected[0][1]
    assert ExternalMeasuresSettings.objects.get().enabled


def test_the_command_imports_a_csv_file(org, settings_us, customers, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text("customer,measure,value\nX0,CLV,1200\nX1,Churn propensity,0.3\nX7,CLV,5\n")
    out = StringIO()
    call_command("import_external_measures", str(path), legal_entity="us", stdout=out)
    assert "Imported 2 measures, rejected 1 rows." in out.getvalue()
    assert "Row 4 rejected: No customer matches X7." in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,score\n1,2\n")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_external_measures", str(bad), legal_entity="us", stdout=StringIO())
    with pytest.raises(CommandError, match="No legal entity"):
        call_command("import_external_measures", str(path), legal_entity="zz", stdout=StringIO())


def test_the_profile_shows_imported_measures_with_their_source(client, manager, org, settings_us, customers):
    ProfileSection.objects.create(kind="measures", position=50)  # the admin adds the Measures section
    external_measures_import(legal_entity=org["entity"], source="Insights",
                             records=[{"customer": "X0", "measure": "Lifetime value", "value": "4200"}])
    client.force_login(manager)
    body = client.get(profile_url(customers[0])).content.decode()
    assert "From Insights" in body and "Lifetime value" in body and "4200" in body


def test_switching_back_on_in_the_admin_clears_the_reason(client, company_admin, settings_us):
    ExternalMeasuresSettings.objects.filter(pk=settings_us.pk).update(enabled=False, disabled_reason="broken")
    client.force_login(company_admin)
    url = reverse("admin:clienteling_externalmeasuressettings_change", args=[settings_us.pk])
    response = client.post(url, {"legal_entity": settings_us.legal_entity_id, "source_name": "Insights",
                                 "match_field": "email", "enabled": "on"})
    assert response.status_code == 302
    settings_us.refresh_from_db()
    assert settings_us.enabled and settings_us.disabled_reason == "" and settings_us.match_field == "email"
