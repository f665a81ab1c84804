"""Contact facts: the last message (either way, any channel), the last activity of a type that
counts as contact, and the later of the two, which "communication within" and the Last Contact
column read.

Filled here from what is known: the contact history's texts and marketing on any channel (one-to-one
emails were never recorded there) and the activities, per customer, in chunks so a large table never
sits in memory. The data comes after the schema changes: nothing alters the table once rows are written.
"""

from django.db import migrations, models
from django.db.models import DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

CHUNK = 2000


def later(a, b):
    # Greatest is NULL on SQLite when either side is: each side falls back on the other.
    return Greatest(Coalesce(a, b), Coalesce(b, a), output_field=DateTimeField())


def fill_contact_facts(apps, schema_editor):
    History = apps.get_model("clienteling", "CustomerContactHistory")
    Activity = apps.get_model("clienteling", "Activity")
    History.objects.update(last_message_at=later("last_text_at", "last_marketing_at"))
    counted = (Activity.objects.filter(activity_type__counts_as_contact=True)
               .values("customer_id").order_by("customer_id"))
    last_id = 0
    while True:
        ids = list(counted.filter(customer_id__gt=last_id).distinct()
                   .values_list("customer_id", flat=True)[:CHUNK])
        if not ids:
            break
        History.objects.bulk_create([History(customer_id=pk) for pk in ids], ignore_conflicts=True)
        latest = (Activity.objects.filter(customer_id=OuterRef("customer_id"),
                                          activity_type__counts_as_contact=True)
                  .values("customer_id").annotate(at=Max("occurred_at")).values("at"))
        History.objects.filter(customer_id__in=ids).update(last_activity_contact_at=Subquery(latest))
        last_id = ids[-1]
    History.objects.update(last_contact_at=later("last_message_at", "last_activity_contact_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0012_module_switches'),
    ]

    operations = [
        migrations.AddField(
            model_name='customercontacthistory',
            name='last_activity_contact_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customercontacthistory',
            name='last_contact_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customercontacthistory',
            name='last_message_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='customercontacthistory',
            index=models.Index(fields=['last_contact_at', 'customer'], name='contact_last_contact'),
        ),
        migrations.RunPython(fill_contact_facts, migrations.RunPython.noop),
    ]
