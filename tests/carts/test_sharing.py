"""Sharing from the conversation: each share uses its own clienteling event's template and a public link."""

import re
from urllib.parse import urlparse

import pytest
from django.urls import resolve, reverse

from catalog.models import Collection, CollectionItem, ProductShare
from conversations.models import Message, MessageTemplate, TemplateVariable

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")

# kind posted -> (clienteling event, the template's data source for the link, share kind)
KINDS = {
    "product": ("product_sharing", "product_link", "product"),
    "collection": ("collection_sharing", "collection_link", "collection"),
    "list": ("product_list_sharing", "product_list_link", "product_list"),
}


@pytest.fixture
def collection(shop):
    collection = Collection.objects.create(name="Resort Edit", slug="resort-edit")
    CollectionItem.objects.create(collection=collection, product=shop.scarf)
    return collection


@pytest.fixture
def templates(db):
    """One mapped SMS template per sharing event, each saying which event it is."""
    made = {}
    for kind, (event, source, _share_kind) in KINDS.items():
        template = MessageTemplate.objects.create(
            channel="sms", name=f"Share {kind}", event=event, status="approved",
            body=f"[{event}] Hi {{{{1}}}}, chosen for you: {{{{2}}}}")
        TemplateVariable.objects.create(template=template, position=1, source="customer_first_name")
        TemplateVariable.objects.create(template=template, position=2, source=source)
        made[kind] = template
    return made


def share(client, conversation, kind, shop, collection):
    data = {"kind": kind}
    if kind == "product":
        data["product"] = shop.coat.pk
    elif kind == "collection":
        data["collection"] = collection.pk
    else:
        data["products"] = [shop.coat.pk, shop.scarf.pk]
    response = client.post(reverse("carts:share_send", args=[conversation.pk]), data)
    assert response.status_code == 302
    return Message.objects.filter(conversation=conversation, kind=Message.Kind.PRODUCT).latest("pk")


def public_link(body: str) -> str:
    links = LINK.findall(body)
    assert len(links) == 1, body
    return links[0]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_share_uses_the_mapped_template_of_its_own_event(client, associate_a, conversation, shop,
                                                             collection, templates, kind):
    client.force_login(associate_a)

    message = share(client, conversation, kind, shop, collection)

    event = KINDS[kind][0]
    assert message.template_id == templates[kind].pk
    assert message.body.startswith(f"[{event}] Hi Claire, chosen for you: ")


@pytest.mark.parametrize("kind", list(KINDS))
def test_without_a_template_the_share_is_a_short_text_with_the_link(client, associate_a, conversation,
                                                                   shop, collection, kind):
    client.force_login(associate_a)

    message = share(client, conversation, kind, shop, collection)

    assert message.template_id is None
    expected = {"product": "Cashmere Coat in Camel: ", "collection": "Resort Edit: ",
                "list": "A selection for you: "}[kind]
    assert message.body.startswith(expected)


@pytest.mark.parametrize("with_template", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_link_is_a_public_share_token_anyone_can_open(client, associate_a, conversation, shop,
                                                         collection, templates, kind, with_template):
    if not with_template:
        MessageTemplate.objects.all().delete()
    client.force_login(associate_a)
    message = share(client, conversation, kind, shop, collection)
    client.logout()

    path = urlparse(public_link(message.body)).path
    match = resolve(path)
    shared = ProductShare.objects.get(token=match.kwargs["token"])
    page = client.get(path)

    assert match.view_name == "catalog:shared"
    assert shared.kind == KINDS[kind][2] and len(shared.token) >= 43
    assert page.status_code == 200 and "Claire" not in page.content.decode()
    assert ProductShare.objects.count() == 1  # one link per share, even through a template
