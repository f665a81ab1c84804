"""Errors a person sees look like the product: the console's layout, a way back."""

import pytest
from django.urls import include, path, reverse

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("a bug")


def database_gone_view(request):
    from django.db import OperationalError

    raise OperationalError("terminating connection due to administrator command")


urlpatterns = [path("broken/", broken_view), path("database-gone/", database_gone_view),
               path("", include("config.urls"))]


def test_a_missing_page_is_404_in_the_console_layout(client, associate_a):
    client.force_login(associate_a)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "This page is not here" in page and 'id="main"' in page
    assert reverse("clienteling:today") in page and "Sign out" in page  # the console's navigation


def test_an_action_the_role_lacks_is_403_in_the_console_layout(client, associate_a):
    client.force_login(associate_a)

    response = client.get(reverse("clienteling:customer_export"))

    assert response.status_code == 403
    assert "You do not have access to this" in response.content.decode()
    assert "Sign out" in response.content.decode()


def test_a_bad_host_is_a_styled_400(client):
    response = client.get("/login/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "This request could not be understood" in response.content.decode()


def test_a_server_error_is_a_styled_500_that_offers_a_way_back(client, associate_a, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(associate_a)

    response = client.get("/broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "a bug" not in page
    assert 'href="/login/"' in page or reverse("clienteling:today") in page


def test_a_lost_database_connection_is_a_503_that_says_to_try_again(client, associate_a, settings):
    settings.ROOT_URLCONF = __name__
    client.force_login(associate_a)

    response = client.get("/database-gone/")

    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Atelier is briefly unavailable" in page and "Nothing from this request was saved" in page
    assert "terminating" not in page
