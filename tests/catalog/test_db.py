"""catalog.db's set-based writes, on both backends."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.db import update_rows
from conversations.models import Conversation
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_update_rows_sets_each_rows_own_values_and_adds_where_asked(org):
    threads = [Conversation.objects.create(customer=CustomerFactory(legal_entity=org["entity"]),
                                           store=org["store_a"], channel="sms", unread_count=n)
               for n in range(3)]
    untouched = Conversation.objects.create(customer=CustomerFactory(legal_entity=org["entity"]),
                                            store=org["store_a"], channel="sms", unread_count=7,
                                            last_message_preview="keep")
    now = timezone.now()
    rows = {thread.pk: {"last_message_preview": f"It's {n}'s \"turn\"", "unread_count": 10,
                        "last_message_at": now + timedelta(minutes=n) if n else None}
            for n, thread in enumerate(threads)}

    with CaptureQueriesContext(connection) as queries:
        assert update_rows(Conversation, rows, add=("unread_count",)) == 3

    assert len(queries) == 1
    for n, thread in enumerate(threads):
        thread.refresh_from_db()
        assert thread.last_message_preview == f"It's {n}'s \"turn\""
        assert thread.unread_count == n + 10
        assert thread.last_message_at == (now + timedelta(minutes=n) if n else None)
    untouched.refresh_from_db()
    assert (untouched.unread_count, untouched.last_message_preview) == (7, "keep")
    assert update_rows(Conversation, {}) == 0
