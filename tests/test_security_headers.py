"""Every page carries a Content-Security-Policy without inline script, and the other policies."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/no-such-page/"])
def test_every_page_carries_the_policies(client, path):
    response = client.get(path)

    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_console_pages_carry_no_inline_script_or_style(client, associate_a, customer_a):
    client.force_login(associate_a)
    for url in (reverse("clienteling:today"), reverse("clienteling:customer_list"),
                reverse("clienteling:customer_detail", args=[customer_a.pk])):
        page = client.get(url).content.decode()
        assert "<script>" not in page and " style=" not in page and "onclick=" not in page, url
