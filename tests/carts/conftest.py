from dataclasses import dataclass
from decimal import Decimal

import pytest

from carts import services
from carts.models import DiscountLimit, PaymentProviderAccount, ShippingOption, StoreCartSettings
from catalog.models import ProductVariant, StockLevel, StockLocation
from clienteling import services as clienteling_services
from conversations import services as conversation_services
from tests.factories import ProductFactory, ProductPriceFactory, VariantFactory
from tests.fakes.adyen_fake import API_KEY, HMAC_KEY, MERCHANT, running_fake_adyen


@dataclass
class Shop:
    store: object
    warehouse: StockLocation
    coat: object
    coat_s: ProductVariant
    coat_m: ProductVariant
    scarf: object
    scarf_os: ProductVariant
    express: ShippingOption
    settings: StoreCartSettings


def stock(variant, location, on_hand, reserved=0):
    StockLevel.objects.update_or_create(variant=variant, location=location,
                                        defaults={"on_hand": on_hand, "reserved": reserved})


@pytest.fixture
def shop(org) -> Shop:
    """Store A (New York, tax 8.875 % added, mixed cart) with a coat in two sizes and a scarf."""
    store = org["store_a"]
    store_location = clienteling_services.store_ensure_stock_location(store=store)
    warehouse = StockLocation.objects.create(code="wh-us", name="US Warehouse",
                                             kind=StockLocation.Kind.WAREHOUSE, ships_to_customers=True)
    settings = StoreCartSettings.objects.create(store=store, tax_rate=Decimal("8.875"),
                                                prices_include_tax=False, mixed_cart_enabled=True,
                                                ship_from=warehouse)
    for role, limit in (("associate", "10"), ("store_manager", "25"), ("company_admin", "100")):
        DiscountLimit.objects.update_or_create(role=role, defaults={"max_percent": Decimal(limit)})
    express = ShippingOption.objects.create(name="Express", price=Decimal("35.00"), currency="USD",
                                            position=1)
    coat = ProductFactory(sku="COAT-1", title="Cashmere Coat in Camel", price=Decimal("1200.00"),
                          barcode="")
    coat_s = VariantFactory(product=coat, sku="COAT-1-S", size="S", colour="Camel",
                            barcode="2000000000015")
    coat_m = VariantFactory(product=coat, sku="COAT-1-M", size="M", colour="Camel",
                            barcode="2000000000022")
    scarf = ProductFactory(sku="SCARF-9", title="Silk Scarf", price=Decimal("350.00"),
                           barcode="0123456789012")
    scarf_os = VariantFactory(product=scarf, sku="SCARF-9-OS", barcode="")
    stock(coat_s, store_location, 2)
    stock(coat_m, store_location, 0)
    stock(coat_s, warehouse, 5)
    stock(coat_m, warehouse, 5)
    stock(scarf_os, store_location, 3, reserved=1)
    store.refresh_from_db()
    return Shop(store=store, warehouse=warehouse, coat=coat, coat_s=coat_s, coat_m=coat_m,
                scarf=scarf, scarf_os=scarf_os, express=express, settings=settings)


@pytest.fixture
def conversation(shop, customer_a, associate_a):
    """The thread with a client who opted in to texts."""
    clienteling_services.customer_consent_set(customer=customer_a, channel="sms", state="opted_in",
                                              source="keyword")
    return conversation_services.conversation_get_or_create(customer=customer_a, store=shop.store,
                                                            channel="sms", user=associate_a)


@pytest.fixture
def adyen(settings, db):
    """Payment links through the real Adyen SDK to the loopback fake (its client gives up after 1 s)."""
    settings.CARTS_PAYMENT_PROVIDER = "adyen"
    settings.CARTS_PROVIDER_TIMEOUT = 1
    with running_fake_adyen() as fake:
        PaymentProviderAccount.objects.create(
            provider="adyen", merchant_account=MERCHANT, api_key=API_KEY, hmac_key=HMAC_KEY,
            environment="test", api_base_url=fake.url)
        yield fake


@pytest.fixture
def demo_account(db):
    return PaymentProviderAccount.objects.create(provider="demo", environment="test",
                                                 hmac_key="demo-test-key")


@dataclass
class Paris:
    store: object
    coursier: ShippingOption
    settings: StoreCartSettings


@pytest.fixture
def paris(shop, org) -> Paris:
    """Store B (Paris, EUR, 20 % tax included): the coat is €1,150 there, the scarf has no EUR price."""
    store = org["store_b"]
    location = clienteling_services.store_ensure_stock_location(store=store)
    settings = StoreCartSettings.objects.create(store=store, tax_rate=Decimal("20"),
                                                prices_include_tax=True)
    ProductPriceFactory(product=shop.coat, currency="EUR", amount=Decimal("1150.00"))
    coursier = ShippingOption.objects.create(name="Coursier", price=Decimal("25.00"), currency="EUR",
                                             position=2)
    stock(shop.coat_s, location, 3)
    stock(shop.scarf_os, location, 3)
    store.refresh_from_db()
    return Paris(store=store, coursier=coursier, settings=settings)


@pytest.fixture
def two_coats_cart(shop, customer_a, associate_a, conversation):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.coat_m, user=associate_a, fulfilment="ship")
    services.cart_delivery_set(cart=cart, user=associate_a, address={
        "name": "Claire Dupont", "line1": "1 Park Ave", "city": "New York", "zip": "10016",
        "country": "US"})
    services.cart_shipping_set(cart=cart, user=associate_a, shipping_option_id=shop.express.pk)
    cart.refresh_from_db()
    return cart


@pytest.fixture
def shared(two_coats_cart, associate_a, demo_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=two_coats_cart, user=associate_a)
    two_coats_cart.refresh_from_db()
    return two_coats_cart
