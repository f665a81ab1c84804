"""customers_upsert: validation as the console does it, idempotence, all-or-nothing, set-based writes."""

import pytest

from catalog.ingest_result import MAX_BATCH, BatchTooLarge
from clienteling.models import (
    AttributeOption,
    ConsentChange,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerConsent,
    CustomerContactHistory,
    MailingList,
)
from clienteling.services.ingest import customers_upsert
from tests.factories import AttributeFactory


def upsert(org, records, **kwargs):
    return customers_upsert(legal_entity=org["entity"], records=records, source="test batch", **kwargs)


def test_creates_then_repeating_the_batch_changes_nothing(org, django_assert_max_num_queries):
    records = [
        {
            "external_id": f"C{n}",
            "first_name": "Ann",
            "last_name": f"Lee {n}",
            "email": f"Ann{n}@Example.com",
            "phone": f"(212) 555-01{n:02d}",
            "home_store": "nyc",
            "tags": ["VIP", "Spring 2026"],
            "consent": {"email": "yes", "sms": "opted_in"},
        }
        for n in range(20)
    ]
    result = upsert(org, records)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (20, 0, 0, [])
    customer = Customer.objects.get(external_id="C3")
    assert customer.email == "ann3@example.com"
    assert str(customer.phone) == "+12125550103"  # a US store: the number without +1 is read as American
    assert customer.home_store == org["store_a"]
    assert customer.currency == "USD"
    assert sorted(customer.tags.values_list("slug", flat=True)) == ["spring-2026", "vip"]
    assert CustomerConsent.objects.get(customer=customer, channel="email").state == "opted_in"
    change = ConsentChange.objects.get(customer=customer, channel="sms")
    assert (change.source, change.detail) == ("import", "test batch")
    assert CustomerContactHistory.objects.get(customer=customer).email_consent == "opted_in"
    # A second run reads and compares: a fixed handful of queries, whatever the batch size.
    with django_assert_max_num_queries(10):
        again = upsert(org, records)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert ConsentChange.objects.count() == 40


def test_an_update_sets_only_the_fields_given(org, customer_a):
    customer_a.external_id = "POS-1"
    customer_a.save()
    result = upsert(org, [{"external_id": "POS-1", "city": "Brooklyn", "birth_date": "1990-02-03"}])
    assert (result.created, result.updated) == (0, 1)
    customer_a.refresh_from_db()
    assert (customer_a.city, customer_a.first_name, customer_a.email) == (
        "Brooklyn",
        "Claire",
        "claire@example.com",
    )
    assert customer_a.birthday_key == 203


def test_rejections_say_which_record_and_why(org):
    result = upsert(
        org,
        [
            {"external_id": "A", "email": "not-an-email"},
            {"external_id": "B", "phone": "12"},
            {"external_id": "", "first_name": "Nobody"},
            {"external_id": "C", "home_store": "par"},  # another legal entity's store
            {"external_id": "D", "consent": {"email": "maybe"}, "country": "USA"},
            {"external_id": "E", "first_name": "Fine"},
            {"external_id": "E", "first_name": "Twice"},
            "not an object",
        ],
    )
    assert result.created == 1
    errors = {(r.index, r.external_id): r.errors for r in result.rejected}
    assert list(errors[(0, "A")]) == ["email"]
    assert list(errors[(1, "B")]) == ["phone"]
    assert list(errors[(2, "")]) == ["external_id"]
    assert "No store with the code “par”." in errors[(3, "C")]["home_store"]
    assert set(errors[(4, "D")]) == {"consent.email", "country"}
    assert "appears twice" in errors[(6, "E")]["external_id"][0]
    assert list(errors[(7, "")]) == ["__all__"]
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["E"]


def test_all_or_nothing_writes_nothing_when_one_is_refused(org):
    result = upsert(org, [{"external_id": "A"}, {"external_id": "B", "email": "bad"}], all_or_nothing=True)
    assert result.rolled_back and [r.index for r in result.rejected] == [1]
    assert (result.created, result.updated) == (0, 0)
    assert not Customer.objects.exists()


def test_dry_run_counts_and_writes_nothing(org):
    result = upsert(
        org, [{"external_id": "A", "tags": ["x"]}, {"external_id": "B", "email": "bad"}], dry_run=True
    )
    assert (result.created, len(result.rejected), result.dry_run) == (1, 1, True)
    assert not Customer.objects.exists()


def test_phone_quirks_and_region_of_the_store(org):
    result = upsert(
        org,
        [
            {"external_id": "GB", "phone": "'+44 7911 123456"},
            {"external_id": "US", "phone": "212 555 0199", "home_store": "bos"},
            {"external_id": "INTL", "phone": "0033 6 12 34 56 78"},
        ],
    )
    assert result.created == 3, result.rejected
    phones = dict(Customer.objects.values_list("external_id", "phone"))
    assert {k: str(v) for k, v in phones.items()} == {
        "GB": "+447911123456",
        "US": "+12125550199",
        "INTL": "+33612345678",
    }


def test_attributes_are_checked_against_their_definitions_and_channels(org):
    AttributeFactory(name="Shoe size", slug="shoe_size", data_type=CustomerAttribute.DataType.NUMBER)
    style = AttributeFactory(name="Style", slug="style", data_type=CustomerAttribute.DataType.MULTIPLE_CHOICE)
    AttributeOption.objects.create(attribute=style, value="classic", label="Classic")
    AttributeOption.objects.create(attribute=style, value="bold", label="Bold")
    AttributeFactory(name="Web only", slug="web_only", channel_store=False, channel_web=True)
    result = upsert(
        org,
        [
            {"external_id": "A", "attributes": {"shoe_size": "41", "style": ["classic", "bold"]}},
            {"external_id": "B", "attributes": {"shoe_size": "forty"}},
            {"external_id": "C", "attributes": {"style": ["punk"]}},
            {"external_id": "D", "attributes": {"web_only": "x"}},
            {"external_id": "E", "attributes": {"nope": "x"}},
        ],
    )
    assert result.created == 1
    assert {r.external_id: list(r.errors) for r in result.rejected} == {
        "B": ["attributes.shoe_size"],
        "C": ["attributes.style"],
        "D": ["attributes.web_only"],
        "E": ["attributes.nope"],
    }
    assert CustomerAttributeValue.objects.filter(customer__external_id="A").count() == 3
    assert (
        upsert(
            org, [{"external_id": "A", "attributes": {"shoe_size": 41, "style": ["bold", "classic"]}}]
        ).unchanged
        == 1
    )
    assert upsert(org, [{"external_id": "A", "attributes": {"style": "bold"}}]).updated == 1
    assert set(
        CustomerAttributeValue.objects.filter(customer__external_id="A").values_list(
            "value_int", "option__value"
        )
    ) == {(None, "bold"), (41, None)}
    # The web channel may write the web-only attribute.
    web = upsert(org, [{"external_id": "A", "attributes": {"web_only": "x"}}], channel="web")
    assert web.updated == 1, web.rejected


def test_mailing_lists_must_exist(org):
    MailingList.objects.create(name="News", slug="news")
    result = upsert(
        org,
        [{"external_id": "A", "mailing_lists": ["news"]}, {"external_id": "B", "mailing_lists": ["gone"]}],
    )
    assert result.created == 1 and result.rejected[0].errors == {"mailing_lists": ["No mailing list “gone”."]}
    assert upsert(org, [{"external_id": "A", "mailing_lists": ["news"]}]).unchanged == 1


def test_external_ids_are_per_legal_entity(org):
    upsert(org, [{"external_id": "SAME", "first_name": "Us"}])
    other = customers_upsert(
        legal_entity=org["other_entity"], records=[{"external_id": "SAME", "first_name": "Fr"}], source="t"
    )
    assert other.created == 1
    assert Customer.objects.filter(external_id="SAME").count() == 2


def test_a_batch_is_at_most_a_thousand(org):
    with pytest.raises(BatchTooLarge):
        upsert(org, [{"external_id": str(n)} for n in range(MAX_BATCH + 1)])


def test_a_concurrent_create_of_the_same_external_id_is_retried_as_an_update(org, monkeypatch):
    from clienteling.services import ingest

    original = ingest._CustomerBatch.__init__
    raced = []

    def racing(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not raced:  # another batch creates the customer between our read and our write
            raced.append(
                Customer.objects.create(legal_entity=org["entity"], external_id="RACE", first_name="Other")
            )

    monkeypatch.setattr(ingest._CustomerBatch, "__init__", racing)
    result = upsert(org, (record for record in [{"external_id": "RACE", "first_name": "Mine"}]))
    assert (result.created, result.updated) == (0, 1)
    assert Customer.objects.get(external_id="RACE").first_name == "Mine"
