"""Client book identifiers from a number sequence the admin shapes: no gaps, shown, searchable."""

import threading

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from clienteling import services
from clienteling.models import ClientBook, NumberSequence, StaffProfile
from tests.factories import CustomerFactory, make_staff

pytestmark = pytest.mark.django_db

CLIENT_BOOK = NumberSequence.Scope.CLIENT_BOOK


def sequence() -> NumberSequence:
    return NumberSequence.objects.get(scope=CLIENT_BOOK)


def shape(prefix="CB-", padding=6, next_number=1):
    NumberSequence.objects.update_or_create(
        scope=CLIENT_BOOK, defaults={"prefix": prefix, "padding": padding, "next_number": next_number})


def book(user, org):
    return services.client_book_get_or_create(owner=user, legal_entity=org["entity"])


def test_new_books_take_the_next_identifiers_in_the_admins_shape(org, manager, associate_a):
    shape(prefix="NY-", padding=4, next_number=41)
    assert book(manager, org).number == "NY-0041"
    assert book(associate_a, org).number == "NY-0042"
    assert book(manager, org).number == "NY-0041"  # an existing book keeps its identifier
    assert sequence().next_number == 43


def test_a_creation_that_rolls_back_gives_its_number_back(org, manager):
    shape(next_number=7)
    with pytest.raises(RuntimeError), transaction.atomic():
        book(manager, org)
        raise RuntimeError("the request failed after making the book")
    assert book(manager, org).number == "CB-000007"


def test_a_book_made_meanwhile_by_another_request_costs_no_number(org, manager, monkeypatch):
    # Given another request made the manager's book between our look and our insert
    shape(next_number=3)
    other = book(manager, org)
    real_filter = ClientBook.objects.filter
    calls = []

    def first_look_misses(*args, **kwargs):
        calls.append(1)
        found = real_filter(*args, **kwargs)
        return found.none() if len(calls) == 1 else found

    monkeypatch.setattr(ClientBook.objects, "filter", first_look_misses)
    # Then ours fails on the unique owner, answers theirs, and the number is not spent
    assert book(manager, org) == other
    assert sequence().next_number == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_creations_get_consecutive_identifiers(org):
    # Given twelve associates whose first client books are made at the same moment, two
    # requests each (a double tap)
    shape(next_number=100)
    people = [make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username=f"rush.{n}")
              for n in range(12)]
    start, errors = threading.Barrier(24), []

    def create(user):
        try:
            start.wait()
            book(user, org)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(user,)) for user in people * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one book each, numbered 100 to 111 without a gap or a repeat
    assert not errors
    numbers = sorted(ClientBook.objects.values_list("number", flat=True))
    assert numbers == [f"CB-{n:06d}" for n in range(100, 112)]
    assert sequence().next_number == 112


def test_the_admin_shapes_the_sequence_and_cannot_set_it_back(client, company_admin, org, manager):
    shape(next_number=5)
    book(manager, org)
    client.force_login(company_admin)
    change = reverse("admin:clienteling_numbersequence_change", args=[sequence().pk])
    assert "CB-000006" in client.get(change).content.decode()

    going_back = client.post(change, {"prefix": "CB-", "padding": 6, "next_number": 2})
    assert going_back.status_code == 200 and "cannot go back" in going_back.content.decode()
    new_series = client.post(change, {"prefix": "BOS-", "padding": 3, "next_number": 1})
    assert new_series.status_code == 302
    assert services.client_book_get_or_create(owner=company_admin, legal_entity=org["entity"]
                                              ).number == "BOS-001"


def test_a_book_added_in_the_admin_takes_its_identifier(client, company_admin, org, associate_a):
    shape(next_number=9)
    client.force_login(company_admin)
    response = client.post(reverse("admin:clienteling_clientbook_add"),
                           {"owner": associate_a.pk, "legal_entity": org["entity"].pk})
    assert response.status_code == 302
    assert ClientBook.objects.get(owner=associate_a).number == "CB-000009"
    found = client.get(reverse("admin:clienteling_clientbook_changelist"), {"q": "cb-000009"})
    assert list(found.context["cl"].result_list) == [ClientBook.objects.get(owner=associate_a)]


def test_the_book_shows_its_identifier_and_is_found_by_it(client, org, manager, associate_a):
    shape(next_number=20)
    # Names of their own: random ones could share a last name and blur the search below.
    mine = CustomerFactory(legal_entity=org["entity"], first_name="Mina", last_name="Okonkwo")
    theirs = CustomerFactory(legal_entity=org["entity"], first_name="Theo", last_name="Lindqvist")
    services.client_book_add(book=book(manager, org), customer=mine, added_by=manager)
    services.client_book_add(book=book(associate_a, org), customer=theirs, added_by=associate_a)
    client.force_login(manager)

    own = client.get(reverse("clienteling:my_client_book")).content.decode()
    assert "CB-000020" in own

    store_book = reverse("clienteling:store_client_book")
    response = client.get(store_book, {"q": " cb-000021 "})
    assert [card["customer"] for card in response.context["cards"]] == [theirs]
    body = " ".join(response.content.decode().split())
    assert "CB-000021" in body and "Alex Associate · CB-000021" in body
    # Anything else is still a customer search
    assert [c["customer"] for c in client.get(store_book, {"q": mine.last_name}).context["cards"]] == [mine]


BEFORE_NUMBERS = ("clienteling", "0013_contact_facts")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_books_are_numbered_by_the_migration_in_the_order_they_were_made(org, manager,
                                                                                   associate_a):
    # Given the database as it was before books had identifiers, with two books in it
    executor = MigrationExecutor(connection)
    # Every app's latest: going back to 0013 also unapplies the apps that build on clienteling.
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_NUMBERS])
    OldBook = executor.loader.project_state([BEFORE_NUMBERS]).apps.get_model("clienteling", "ClientBook")
    first = OldBook.objects.create(owner_id=associate_a.pk, legal_entity_id=org["entity"].pk)
    second = OldBook.objects.create(owner_id=manager.pk, legal_entity_id=org["entity"].pk)

    # When the migrations run
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    # Then they are numbered in the order they were made, and the sequence continues after them
    numbers = dict(ClientBook.objects.values_list("pk", "number"))
    assert (numbers[first.pk], numbers[second.pk]) == ("CB-000001", "CB-000002")
    newcomer = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="new.one")
    assert book(newcomer, org).number == "CB-000003"
