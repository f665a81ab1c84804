"""Put the conversations section on the customer profile, right after the contact details."""

from django.db import migrations
from django.db.models import F


def add_section(apps, schema_editor):
    ProfileSection = apps.get_model("clienteling", "ProfileSection")
    if ProfileSection.objects.filter(kind="conversations").exists():
        return
    contact = ProfileSection.objects.filter(kind="contact").order_by("position").first()
    position = contact.position + 1 if contact else 0
    ProfileSection.objects.filter(position__gte=position).update(position=F("position") + 1)
    ProfileSection.objects.create(kind="conversations", title="Conversations", position=position)


def remove_section(apps, schema_editor):
    apps.get_model("clienteling", "ProfileSection").objects.filter(kind="conversations").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_field_names_read_state_seen_cancelled"),
        ("clienteling", "0003_default_configuration"),
    ]

    operations = [migrations.RunPython(add_section, remove_section)]
