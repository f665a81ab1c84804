from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clienteling import services
from clienteling.models import AttributeOption, CustomerAttribute, CustomerAttributeValue
from tests.factories import AttributeFactory, CustomerFactory

DataType = CustomerAttribute.DataType
pytestmark = pytest.mark.django_db


def test_slug_is_generated_from_the_name():
    attribute = AttributeFactory(name="Last Visit", data_type=DataType.DATE)
    assert attribute.slug == "last-visit"


def test_slug_is_unique_when_names_collide():
    AttributeFactory(name="Shoe Size")
    second = AttributeFactory(name="Shoe size")
    assert second.slug == "shoe-size-2"


def test_slug_never_changes_once_saved():
    attribute = AttributeFactory(name="Last Visit", data_type=DataType.DATE)
    attribute.name = "Most Recent Visit"
    attribute.slug = "most-recent-visit"
    attribute.save()
    attribute.refresh_from_db()
    assert attribute.slug == "last-visit"
    assert attribute.name == "Most Recent Visit"


def test_type_cannot_change_once_customers_have_values():
    attribute = AttributeFactory(name="Loyalty points", data_type=DataType.NUMBER)
    services.attribute_values_set(customer=CustomerFactory(), attribute=attribute, raw_values="3")
    attribute.data_type = DataType.TEXT
    with pytest.raises(ValidationError, match="type cannot change"):
        attribute.full_clean()


@pytest.mark.parametrize(
    ("data_type", "raw", "column", "expected"),
    [
        (DataType.TEXT, " Likes silk ", "value_text", "Likes silk"),
        (DataType.NUMBER, "42", "value_int", 42),
        (DataType.DECIMAL, "38.5", "value_decimal", Decimal("38.5")),
        (DataType.BOOLEAN, "yes", "value_bool", True),
        (DataType.BOOLEAN, "False", "value_bool", False),
        (DataType.DATE, "2026-02-28", "value_date", date(2026, 2, 28)),
    ],
)
def test_valid_values_are_stored_in_their_typed_column(data_type, raw, column, expected):
    attribute = AttributeFactory(data_type=data_type)
    customer = CustomerFactory()
    services.attribute_values_set(customer=customer, attribute=attribute, raw_values=raw)
    stored = CustomerAttributeValue.objects.get(customer=customer, attribute=attribute)
    assert getattr(stored, column) == expected


@pytest.mark.parametrize(
    ("data_type", "raw", "message"),
    [
        (DataType.NUMBER, "4.5", "is not a whole number"),
        (DataType.NUMBER, "ten", "is not a whole number"),
        (DataType.DECIMAL, "abc", "is not a number"),
        (DataType.DECIMAL, "NaN", "out of range"),
        (DataType.BOOLEAN, "maybe", "answer yes or no"),
        (DataType.DATE, "2026-02-30", "is not a date"),
        (DataType.DATE, "yesterday", "is not a date"),
        (DataType.SINGLE_CHOICE, "purple", "is not one of the options"),
        (DataType.TEXT, "x" * 501, "at most 500 characters"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(data_type, raw, message):
    attribute = AttributeFactory(name="Probe", data_type=data_type)
    customer = CustomerFactory()
    with pytest.raises(ValidationError, match=message):
        services.attribute_values_set(customer=customer, attribute=attribute, raw_values=raw)
    assert not CustomerAttributeValue.objects.filter(customer=customer).exists()


def test_single_valued_attribute_refuses_several_values():
    attribute = AttributeFactory(name="Shoe size", data_type=DataType.DECIMAL)
    with pytest.raises(ValidationError, match="accepts a single value"):
        services.attribute_values_set(
            customer=CustomerFactory(), attribute=attribute, raw_values=["38", "39"]
        )


def test_rejected_write_keeps_the_previous_values():
    attribute = AttributeFactory(name="Colours", data_type=DataType.MULTIPLE_CHOICE)
    AttributeOption.objects.create(attribute=attribute, value="red", label="Red")
    customer = CustomerFactory()
    services.attribute_values_set(customer=customer, attribute=attribute, raw_values=["red"])
    with pytest.raises(ValidationError):
        services.attribute_values_set(
            customer=customer, attribute=attribute, raw_values=["red", "teal"]
        )
    assert CustomerAttributeValue.objects.filter(customer=customer).count() == 1


def test_multiple_choice_stores_one_row_per_option():
    attribute = AttributeFactory(name="Colours", data_type=DataType.MULTIPLE_CHOICE)
    for value in ("red", "navy"):
        AttributeOption.objects.create(attribute=attribute, value=value, label=value.title())
    customer = CustomerFactory()
    services.attribute_values_set(
        customer=customer, attribute=attribute, raw_values=["red", "navy", "red"]
    )
    stored = CustomerAttributeValue.objects.filter(customer=customer).select_related("option")
    assert sorted(v.option.value for v in stored) == ["navy", "red"]


def test_a_boolean_attribute_cannot_accept_multiple_values():
    attribute = CustomerAttribute(name="VIP", data_type=DataType.BOOLEAN, allows_multiple=True)
    with pytest.raises(ValidationError, match="single value"):
        attribute.full_clean()
