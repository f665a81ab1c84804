import pytest

from clienteling.models import AttributeOption, CustomerAttribute, ProfileSectionAttribute
from tests.clienteling.profile_helpers import section
from tests.factories import AttributeFactory, CustomerFactory

DataType = CustomerAttribute.DataType


@pytest.fixture
def attributes_section():
    """The "Preferences" section showing one attribute of every type."""
    preferences = section("attributes")
    made = {}
    for position, (key, data_type, extra) in enumerate([
        ("text", DataType.TEXT, {}),
        ("number", DataType.NUMBER, {}),
        ("decimal", DataType.DECIMAL, {}),
        ("boolean", DataType.BOOLEAN, {"customer_editable": True}),
        ("date", DataType.DATE, {}),
        ("single", DataType.SINGLE_CHOICE, {}),
        ("multiple", DataType.MULTIPLE_CHOICE, {}),
    ]):
        attribute = AttributeFactory(name=f"Pref {key}", data_type=data_type, **extra)
        ProfileSectionAttribute.objects.create(section=preferences, attribute=attribute,
                                               position=position)
        made[key] = attribute
    for attribute, options in ((made["single"], ["silk", "wool"]),
                               (made["multiple"], ["red", "blue", "green"])):
        for position, value in enumerate(options):
            AttributeOption.objects.create(attribute=attribute, value=value, label=value.title(),
                                           position=position)
    return {"section": preferences, **made}


@pytest.fixture
def people(org):
    """A handful of customers of store A's legal entity, by first name."""
    entity = org["entity"]
    return {name: CustomerFactory(legal_entity=entity, first_name=name, last_name="Test",
                                  birth_date=None, email=f"{name.lower()}@example.com")
            for name in ("Ann", "Ben", "Cai", "Dee")}


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client
