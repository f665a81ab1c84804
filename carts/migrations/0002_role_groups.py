"""Create the role groups with exactly their permissions.

It lives in carts, the top of the dependency stack, because the Company Admin
group holds the permissions of every app and they must all exist first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from clienteling.roles import sync_role_groups


def create_role_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("carts", "0001_initial"),
        ("clienteling", "0003_default_configuration"),
        ("conversations", "0001_initial"),
        ("catalog", "0002_postgres_search"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
