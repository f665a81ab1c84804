from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Category, Designer, ItemType, Product, ProductPrice, ProductVariant
from clienteling import services
from clienteling.models import (
    Activity,
    ActivityType,
    Customer,
    CustomerAttribute,
    LegalEntity,
    Note,
    StaffProfile,
    Store,
    StoreGroup,
    Tag,
    Task,
)


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Maison {n}")
    code = factory.Sequence(lambda n: f"maison-{n}")
    country = "US"
    default_currency = "USD"


class StoreGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreGroup

    legal_entity = factory.SubFactory(LegalEntityFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    legal_entity = factory.SubFactory(LegalEntityFactory)
    code = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    timezone = "America/New_York"
    currency = "USD"
    country = "US"
    clienteling_phone = "+12125551234"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff(role: str, *stores: Store, username: str | None = None, **user_fields):
    """A user with a staff profile, groups and store permissions applied."""
    user = UserFactory(**({"username": username} if username else {}), **user_fields)
    profile = StaffProfile.objects.create(
        user=user, legal_entity=stores[0].legal_entity, role=role, home_store=stores[0]
    )
    profile.stores.set(stores)
    services.staff_sync_access(profile=profile)
    # Drop cached permissions so has_perm sees the new groups.
    return get_user_model().objects.get(pk=user.pk)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    legal_entity = factory.SubFactory(LegalEntityFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1212555{1000 + n % 9000:04d}")
    birth_date = date(1985, 6, 15)
    currency = "USD"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAttribute

    name = factory.Sequence(lambda n: f"Attribute {n}")
    data_type = CustomerAttribute.DataType.TEXT


class DesignerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Designer

    name = factory.Sequence(lambda n: f"Designer {n}")
    slug = factory.Sequence(lambda n: f"designer-{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ItemTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemType

    name = factory.Sequence(lambda n: f"Item type {n}")
    slug = factory.Sequence(lambda n: f"item-type-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Silk scarf {n}")
    designer = factory.SubFactory(DesignerFactory)
    category = factory.SubFactory(CategoryFactory)
    item_type = factory.SubFactory(ItemTypeFactory)
    price = Decimal("250.00")
    currency = "USD"


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"VAR-{n:05d}")


class ProductPriceFactory(factory.django.DjangoModelFactory):
    """A product's price in another currency (pass variant= for one size's own price)."""

    class Meta:
        model = ProductPrice

    product = factory.SubFactory(ProductFactory)
    variant = None
    currency = "EUR"
    amount = Decimal("230.00")


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    body = "Prefers silk, dislikes wool."


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = "Call about the new collection"
    due_on = factory.LazyFunction(timezone.localdate)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    activity_type = factory.LazyFunction(lambda: ActivityType.objects.first())
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "Visited the store"
