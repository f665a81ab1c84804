"""Sensible defaults so a new company starts with a usable profile and types."""

from django.db import migrations

SECTIONS = [
    ("contact", "Contact details"),
    ("attributes", "Preferences"),
    ("tasks", "Follow-ups"),
    ("notes", "Notes"),
    ("activities", "Activities"),
    ("purchase_history", "Purchase History"),
    ("wishlist", "Wishlist"),
]

ACTIVITY_TYPES = [
    ("store-visit", "Store visit", "shop"),
    ("phone-call", "Phone call", "telephone"),
    ("email", "Email", "envelope"),
    ("appointment", "Appointment", "calendar-check"),
    ("private-viewing", "Private viewing", "star"),
    ("gift-sent", "Gift sent", "gift"),
]


def create_defaults(apps, schema_editor):
    ModuleSettings = apps.get_model("clienteling", "ModuleSettings")
    ProfileSection = apps.get_model("clienteling", "ProfileSection")
    ActivityType = apps.get_model("clienteling", "ActivityType")
    ModuleSettings.objects.get_or_create(pk=1)
    if not ProfileSection.objects.exists():
        for position, (kind, title) in enumerate(SECTIONS):
            ProfileSection.objects.create(kind=kind, title=title, position=position)
    for position, (slug, name, icon) in enumerate(ACTIVITY_TYPES):
        ActivityType.objects.get_or_create(
            slug=slug, defaults={"name": name, "icon": icon, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0002_postgres_search")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
