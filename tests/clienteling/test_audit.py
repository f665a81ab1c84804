"""The audit trail: who saw or changed what, kept for a while, never in the way of the action."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import AuditAction, AuditEvent, ClientBookEntry
from clienteling.tasks import audit_events_prune
from conversations.models import TwilioAccount

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"


def actions(**filters) -> list[str]:
    """What was recorded, leaving out the sign-ins the tests' own force_login make."""
    events = AuditEvent.objects.filter(**filters)
    if "action" not in filters:
        events = events.exclude(action=AuditAction.SIGN_IN)
    return list(events.order_by("at", "id").values_list("action", flat=True))


def test_sign_ins_failures_and_lockouts_are_recorded(client, associate_a):
    client.post("/login/", {"username": associate_a.username, "password": PASSWORD})
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "ghost", "password": "guess"})

    assert actions(actor=associate_a, action=AuditAction.SIGN_IN) == [AuditAction.SIGN_IN]
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert set(failed.values_list("actor_name", flat=True)) == {"ghost"}
    locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.actor_name == "ghost" and locked.ip_address == "127.0.0.1"


def test_viewing_unmasked_details_is_recorded_and_masked_views_are_not(client, manager, associate_a,
                                                                       customer_a):
    url = reverse("clienteling:customer_detail", args=[customer_a.pk])
    client.force_login(associate_a)
    client.get(url)
    client.force_login(manager)
    client.get(url)

    (event,) = AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE)
    assert (event.actor, event.customer) == (manager, customer_a)


def test_exports_bulk_actions_and_reassignments_are_recorded(client, org, manager, associate_a, customer_a,
                                                             django_capture_on_commit_callbacks):
    client.force_login(manager)
    b"".join(client.get(reverse("clienteling:customer_export"), {"q": "Claire"}).streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clienteling:bulk_action_start", args=["add_to_my_book"]),
                    {"ids": [customer_a.pk]}, HTTP_HX_REQUEST="true")
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    client.post(reverse("clienteling:client_book_reassign"),
                {"ids": [customer_a.pk], "from_owner": associate_a.pk, "to_owner": manager.pk})

    assert ClientBookEntry.objects.filter(book__owner=manager, customer=customer_a).exists()
    assert actions(actor=manager) == [AuditAction.EXPORT, AuditAction.BULK_ACTION, AuditAction.REASSIGN]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.detail["unmasked"] is True and "q" in export.detail["filters"]
    assert "Claire" not in str(export.detail)  # no personal data in the trail


def test_consent_changes_are_recorded_with_who(associate_a, customer_a):
    services.customer_consent_set(customer=customer_a, channel="sms", state="opted_out", source="associate",
                                  changed_by=associate_a)

    event = AuditEvent.objects.get(action=AuditAction.CONSENT_CHANGE)
    assert (event.actor, event.customer, event.detail["state"]) == (associate_a, customer_a, "opted_out")


def test_a_role_change_in_the_admin_is_recorded_with_its_groups(client, company_admin, associate_a):
    company_admin.is_superuser = True  # may grant a permission by hand
    company_admin.save()
    client.force_login(company_admin)
    profile = associate_a.staff_profile
    response = client.post(reverse("admin:clienteling_staffprofile_change", args=[profile.pk]), {
        "user": associate_a.pk, "legal_entity": profile.legal_entity_id, "role": "store_manager",
        "home_store": profile.home_store_id, "stores": [store.pk for store in profile.stores.all()],
        "active": "on", "employee_code": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors

    role = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    assert role.detail["role"] == {"before": "associate", "after": "store_manager"}
    assert role.actor == company_admin and role.detail["groups"]["after"] == ["Store Manager"]


def test_credential_changes_are_recorded_without_the_secret(client, company_admin):
    client.force_login(company_admin)
    client.post(reverse("admin:conversations_twilioaccount_add"), {
        "name": "Main", "account_sid": "AC" + "1" * 32, "auth_token": "very-secret-token-9", "active": "on"})

    assert TwilioAccount.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.CREDENTIALS_CHANGE)
    assert "auth_token" in event.detail["fields"] and "very-secret-token-9" not in str(event.detail)


def test_a_failing_audit_write_never_breaks_the_action(client, manager, customer_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit table gone")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    client.force_login(manager)

    assert client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).status_code == 200
    consent = services.customer_consent_set(customer=customer_a, channel="sms", state="opted_in",
                                            source="associate", changed_by=manager)
    assert consent.state == "opted_in"


def test_the_trail_is_append_only(client, company_admin, associate_a):
    event = services.audit_record(action=AuditAction.SIGN_IN, actor=associate_a)
    event.target = "edited"
    with pytest.raises(ValueError):
        event.save()
    client.force_login(company_admin)
    assert client.post(reverse("admin:clienteling_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_filters_by_actor_customer_action_and_date(client, company_admin, manager, associate_a,
                                                              customer_a, customer_b):
    services.audit_record(action=AuditAction.VIEW_SENSITIVE, actor=manager, customer=customer_a)
    services.audit_record(action=AuditAction.EXPORT, actor=associate_a)
    client.force_login(company_admin)
    url = reverse("admin:clienteling_auditevent_changelist")

    def shown(**params):
        page = client.get(url, params).content.decode()
        return {event.pk for event in AuditEvent.objects.all()
                if reverse("admin:clienteling_auditevent_change", args=[event.pk]) in page}

    AuditEvent.objects.filter(action=AuditAction.SIGN_IN).delete()
    first, second = AuditEvent.objects.order_by("pk")
    today = timezone.localdate()
    assert shown(action=AuditAction.EXPORT) == {second.pk}
    assert shown(actor__id__exact=manager.pk) == {first.pk}
    assert shown(q=str(customer_a.pk)) == {first.pk}
    assert shown(at__year=today.year, at__month=today.month, at__day=today.day) == {first.pk, second.pk}


def test_events_older_than_the_retention_are_pruned(associate_a, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = services.audit_record(action=AuditAction.SIGN_IN, actor=associate_a)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    recent = services.audit_record(action=AuditAction.SIGN_IN, actor=associate_a)

    assert audit_events_prune.delay().get() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
