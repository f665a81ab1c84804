"""A store's logo and colours on its customer-facing pages: validated in the admin, published as a
stylesheet (no inline style under the CSP), shown by includes/store_brand_header.html."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from clienteling import services
from clienteling.branding import contrast_ratio, shade, stylesheet_name, stylesheet_text
from clienteling.models import Store
from clienteling.services.self_service import self_service_link_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def png(colour=(255, 255, 255, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (96, 32), colour).save(out, "PNG")
    return out.getvalue()


def test_contrast_follows_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48  # the classic just-too-light grey
    assert contrast_ratio("#1f4c80", "#ffffff") > 4.5
    assert shade("#ffffff", .25) == "#bfbfbf"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("brand_primary", "#ffcc00", "contrast of 1.51:1"),
    ("brand_accent", "#777777", "contrast of 4.48"),
    ("brand_primary", "1f4c80", "six hexadecimal digits"),
    ("brand_accent", "#12345z", "six hexadecimal digits"),
])
def test_colours_are_hex_and_read_with_white_text(org, field, value, message):
    store = org["store_a"]
    setattr(store, field, value)
    with pytest.raises(ValidationError) as error:
        store.full_clean()
    assert field in error.value.message_dict and message in " ".join(error.value.message_dict[field])


def test_a_dark_colour_passes(org):
    store = org["store_a"]
    store.brand_primary, store.brand_accent = "#1f4c80", "#8a4b08"
    store.full_clean()


def test_the_admin_saves_logo_and_colours_and_publishes_the_stylesheet(client, org, media):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    store = org["store_a"]
    url = reverse("admin:clienteling_store_change", args=[store.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'name="brand_primary"' in form.content.decode()
    data = {"legal_entity": store.legal_entity_id, "group": store.group_id or "", "code": store.code,
            "name": store.name, "active": "on", "timezone": store.timezone, "currency": store.currency,
            "country": store.country, "clienteling_phone": str(store.clienteling_phone or ""),
            "brand_primary": "#ffcc00", "brand_accent": ""}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "it needs at least 4.5:1" in refused.content.decode()
    assert Store.objects.get(pk=store.pk).brand_primary == ""

    data.update(brand_primary="#1F4C80", brand_accent="#8a4b08",
                logo=SimpleUploadedFile("logo.png", png(), content_type="image/png"))
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    store.refresh_from_db()
    assert store.logo.name.startswith("stores/logos/") and store.brand_primary == "#1F4C80"
    sheet = media / "stores/brand/1f4c80-8a4b08.css"
    assert "--brand-primary: #1f4c80;" in sheet.read_text()
    assert "--brand-accent: #8a4b08;" in sheet.read_text()


def test_not_an_image_is_refused_as_logo(client, org):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    store = org["store_a"]
    url = reverse("admin:clienteling_store_change", args=[store.pk])
    response = client.post(url, {
        "legal_entity": store.legal_entity_id, "code": store.code, "name": store.name,
        "timezone": store.timezone, "currency": store.currency, "country": store.country,
        "logo": SimpleUploadedFile("logo.png", b"not a png", content_type="image/png")})
    assert response.status_code == 200 and "Upload a valid image" in response.content.decode()


def test_publishing_twice_writes_one_file_and_default_colours_none(org, media):
    store = org["store_a"]
    assert services.store_branding_publish(store=store) == "" and not (media / "stores").exists()
    store.brand_primary = "#2b4a3f"
    assert services.store_branding_publish(store=store) == "stores/brand/2b4a3f--.css"
    assert services.store_branding_publish(store=store) == "stores/brand/2b4a3f--.css"
    assert [path.name for path in (media / "stores/brand").iterdir()] == ["2b4a3f--.css"]
    assert "--brand-accent: #2b4a3f;" in stylesheet_text("#2b4a3f", "")  # the accent follows the primary
    assert stylesheet_name("", "") == ""


def test_the_header_include_shows_logo_or_name_and_links_the_colours(org, media):
    store = org["store_a"]
    plain = render_to_string("includes/store_brand_header.html", {"store": store})
    assert '<span class="public-brand">New York</span>' in plain and "data-brand-css" not in plain
    unbranded = render_to_string("includes/store_brand_header.html", {})
    assert '<span class="public-brand">Atelier</span>' in unbranded

    store.brand_primary = "#5a2d82"
    store.logo.save("logo.png", SimpleUploadedFile("logo.png", png()), save=True)
    branded = render_to_string("includes/store_brand_header.html", {"store": store})
    assert 'href="/media/stores/brand/5a2d82--.css"' in branded  # written on first need
    assert (media / "stores/brand/5a2d82--.css").exists()
    assert f'src="{store.logo.url}" alt="New York"' in branded
    assert "style=" not in branded  # the CSP allows no inline style


def test_my_details_page_wears_the_store_brand(client, org, customer_a, associate_a, media):
    store = org["store_a"]
    Store.objects.filter(pk=store.pk).update(brand_primary="#1f4c80", brand_accent="#8a4b08")
    token = self_service_link_issue(customer=customer_a, user=associate_a).token
    body = client.get(reverse("clienteling_public:my_details", args=[token])).content.decode()
    assert 'href="/media/stores/brand/1f4c80-8a4b08.css" data-brand-css' in body
    assert '<span class="public-brand">New York</span>' in body


def test_a_shared_product_page_wears_the_brand_of_the_sharers_store(client, org, associate_a, media):
    from catalog import services as catalog_services
    from tests.factories import ProductFactory

    Store.objects.filter(pk=org["store_a"].pk).update(brand_primary="#2b4a3f")
    share = catalog_services.product_share_create(product=ProductFactory(title="Silk Scarf"),
                                                  created_by=associate_a)
    body = client.get(reverse("catalog:shared", args=[share.token])).content.decode()
    assert '<span class="public-brand">New York</span>' in body
    assert 'href="/media/stores/brand/2b4a3f--.css" data-brand-css' in body
    assert associate_a.get_full_name() not in body  # the store, never the associate
    anonymous = catalog_services.product_share_create(product=ProductFactory(), created_by=None)
    assert '<span class="public-brand">Atelier</span>' in client.get(
        reverse("catalog:shared", args=[anonymous.token])).content.decode()
