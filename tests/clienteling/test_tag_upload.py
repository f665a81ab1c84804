"""Tags put on customers from an uploaded CSV: matching, scope, counts, validation, background runs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling.models import AuditAction, AuditEvent, CustomerTag, Tag, TagUpload
from clienteling.services import tag_import
from tests.factories import CustomerFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tag():
    return TagFactory(name="VIP dinner")


@pytest.fixture
def people(org):
    entity = org["entity"]
    return [
        CustomerFactory(legal_entity=entity, email=f"p{n}@example.com", phone=f"+1212555020{n}")
        for n in range(4)
    ]


def upload(client, text: str | bytes, *, name="list.csv", capture=None, **data):
    content = text.encode() if isinstance(text, str) else text
    payload = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **data}
    if capture is not None:
        with capture(execute=True):
            return client.post(reverse("clienteling:tag_upload"), payload)
    return client.post(reverse("clienteling:tag_upload"), payload)


def tagged_ids(tag):
    return set(CustomerTag.objects.filter(tag=tag).values_list("customer_id", flat=True))


def test_emails_with_a_header_tag_the_customers_and_count_each_outcome(
    client, manager, people, customer_b, tag
):
    CustomerTag.objects.create(customer=people[1], tag=tag)
    client.force_login(manager)
    text = (
        "Name,Email\n"
        f"A,{people[0].email.upper()}\n"  # case does not matter
        f"B,{people[1].email}\n"  # already tagged
        "C,nobody@example.com\n"  # not found
        f"D,{customer_b.email}\n"  # another legal entity: out of scope
        "E,not-an-email\n"
        "F,\n"
    )
    response = upload(client, text, tag=tag.pk)
    assert response.status_code == 302
    result = TagUpload.objects.get()
    assert tagged_ids(tag) == {people[0].pk, people[1].pk}
    assert (result.kind, result.tagged, result.already, result.not_found, result.invalid_count) == (
        "email",
        1,
        1,
        2,
        2,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Line 6" in page and "Line 7" in page
    assert AuditEvent.objects.filter(action=AuditAction.BULK_ACTION, actor=manager).exists()
    unmatched = client.get(reverse("clienteling:tag_upload_unmatched", args=[result.pk])).content.decode(
        "utf-8-sig"
    )
    lines = unmatched.strip().splitlines()
    assert lines[0] == "line,value,reason"
    assert [line.split(",")[0] for line in lines[1:]] == ["4", "5", "6", "7"]
    assert "nobody@example.com" in unmatched and customer_b.email in unmatched


def test_local_phones_are_read_in_the_stores_country(client, manager, people, tag):
    client.force_login(manager)
    text = "mobile\n(212) 555-0200\n212.555.0201\n+1 212 555 0202\n12\n"
    upload(client, text, tag=tag.pk)
    result = TagUpload.objects.get()
    assert result.kind == "phone" and result.invalid_count == 1
    assert tagged_ids(tag) == {people[0].pk, people[1].pk, people[2].pk}


def test_customer_numbers_without_a_header_are_found(client, associate_a, people, tag):
    client.force_login(associate_a)
    upload(client, f"{people[0].pk}\n{people[2].pk}\n999999\n", tag=tag.pk)
    result = TagUpload.objects.get()
    assert result.kind == "id" and result.not_found == 1
    assert tagged_ids(tag) == {people[0].pk, people[2].pk}


def test_the_user_chooses_the_column_and_what_it_holds(client, manager, people, tag):
    client.force_login(manager)
    people[3].external_id = "POS-77"
    people[3].save()
    text = "ref;note\nPOS-77;first\nPOS-404;second\n"
    upload(client, text, tag=tag.pk, column="ref", kind="external_id")
    result = TagUpload.objects.get()
    assert (result.kind, result.tagged, result.not_found) == ("external_id", 1, 1)
    assert tagged_ids(tag) == {people[3].pk}


def test_an_associate_without_sensitive_data_cannot_match_on_emails(client, associate_a, people, tag):
    client.force_login(associate_a)
    response = upload(client, f"email\n{people[0].email}\n", tag=tag.pk)
    assert response.status_code == 400
    assert "customer numbers" in response.content.decode()
    assert not TagUpload.objects.exists() and not tagged_ids(tag)


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "list.csv", "The submitted file is empty."),
        (b"id\n1\n", "list.xlsx", "Upload a .csv file"),
        ("email\n".encode("utf-16"), "list.csv", "Save it as"),
        (b"\n\n", "list.csv", "The file has no rows."),
        (b"name\nAlice\nBob\n", "list.csv", "No column of customer numbers"),
        (b"email\n", "list.csv", "a header but no rows"),
    ],
)
def test_unusable_files_are_clear_errors(client, manager, tag, content, name, message):
    client.force_login(manager)
    response = upload(client, content, name=name, tag=tag.pk)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TagUpload.objects.exists()


def test_a_file_too_large_is_refused(client, manager, tag, monkeypatch):
    monkeypatch.setattr(tag_import, "MAX_UPLOAD_BYTES", 10)
    client.force_login(manager)
    response = upload(client, "id\n1\n2\n3\n4\n5\n", tag=tag.pk)
    assert response.status_code == 400 and "larger than" in response.content.decode()


def test_cp1252_files_are_read(client, manager, people, tag):
    client.force_login(manager)
    upload(client, f"Prénom;email\nJosé;{people[0].email}\n".encode("cp1252"), tag=tag.pk)
    assert tagged_ids(tag) == {people[0].pk}


def test_a_tag_the_user_may_not_use_is_refused(client, associate_a, org, people):
    other = TagFactory(store=org["store_b"])
    client.force_login(associate_a)
    response = upload(client, f"{people[0].pk}\n", tag=other.pk)
    assert response.status_code == 400 and not tagged_ids(other)


def test_a_company_admin_makes_a_new_tag(client, company_admin, org, people):
    client.force_login(company_admin)
    upload(client, f"{people[0].pk}\n", new_tag="Spring preview", new_tag_store=org["store_a"].pk)
    tag = Tag.objects.get(name="Spring preview")
    assert tag.store == org["store_a"] and tagged_ids(tag) == {people[0].pk}


def test_associates_are_not_offered_a_new_tag(client, associate_a, org, people):
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:tag_upload")).content.decode()
    assert 'name="new_tag"' not in page
    response = upload(client, f"{people[0].pk}\n", new_tag="Mine", new_tag_store=org["store_a"].pk)
    assert response.status_code == 400 and not Tag.objects.filter(name="Mine").exists()


def test_a_large_file_runs_in_the_background_with_progress(
    client, manager, org, tag, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tag_import, "INLINE_ROWS", 5)
    monkeypatch.setattr(tag_import, "CHUNK_SIZE", 4)
    many = CustomerFactory.create_batch(9, legal_entity=org["entity"])
    client.force_login(manager)
    text = "id\n" + "\n".join(str(c.pk) for c in many) + "\n0\n"
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, text, tag=tag.pk)
    queued = TagUpload.objects.get()
    assert queued.status == "queued" and not tagged_ids(tag)
    assert 'hx-trigger="every 1s"' in client.get(response["Location"]).content.decode()
    for callback in callbacks:
        callback()  # the task (eager in tests)
    done = TagUpload.objects.get()
    assert (done.status, done.processed, done.total, done.tagged, done.invalid_count) == ("done", 9, 9, 9, 1)
    assert done.rows == []  # the file's rows go once the upload is done
    assert tagged_ids(tag) == {c.pk for c in many}
    # A second run of the task changes nothing.
    assert tag_import.tag_upload_run(upload_id=done.pk).tagged == 9


def test_the_status_page_is_the_owners_only(client, manager, associate_a, people, tag):
    client.force_login(manager)
    upload(client, f"{people[0].pk}\n", tag=tag.pk)
    result = TagUpload.objects.get()
    client.force_login(associate_a)
    assert client.get(reverse("clienteling:tag_upload_status", args=[result.pk])).status_code == 404
    assert client.get(reverse("clienteling:tag_upload_unmatched", args=[result.pk])).status_code == 404


@pytest.mark.parametrize("rows", [1, 40])
def test_the_status_page_reads_a_constant_number_of_queries(
    client, manager, org, tag, rows, django_assert_num_queries
):
    many = CustomerFactory.create_batch(rows, legal_entity=org["entity"])
    client.force_login(manager)
    upload(client, "id\n" + "\n".join(f"{c.pk}x" for c in many) + "\n", tag=tag.pk)  # every row invalid
    result = TagUpload.objects.get()
    # session, user, the user's and their groups' permissions, the upload with its tag (its rows
    # left out), the staff profile (the menu); module settings are cached
    with django_assert_num_queries(6):
        response = client.get(reverse("clienteling:tag_upload_status", args=[result.pk]))
    assert response.status_code == 200


def test_formulas_in_the_unmatched_rows_are_kept_as_text(client, manager, tag):
    client.force_login(manager)
    upload(client, "id\n=HYPERLINK(1)\n", tag=tag.pk, kind="external_id")
    result = TagUpload.objects.get()
    body = client.get(reverse("clienteling:tag_upload_unmatched", args=[result.pk])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK(1)" in body
