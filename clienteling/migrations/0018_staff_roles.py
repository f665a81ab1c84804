import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("clienteling", "0017_customer_self_service"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffRole",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=150, unique=True, verbose_name="name")),
                ("level", models.CharField(
                    choices=[("company_admin", "Company Admin"), ("store_manager", "Store Manager"),
                             ("associate", "Associate")],
                    default="associate",
                    help_text="Which stores its members work in and whether they manage them.",
                    max_length=20, verbose_name="level")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("built_in", models.BooleanField(default=False, editable=False, verbose_name="built in")),
                ("code_defaults", models.JSONField(default=list, editable=False)),
                ("group", models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT,
                                               related_name="staff_role", to="auth.group")),
            ],
            options={
                "verbose_name": "role",
                "verbose_name_plural": "roles",
                "ordering": ["-built_in", "level", "name"],
                "constraints": [models.UniqueConstraint(
                    condition=models.Q(("built_in", True)), fields=("level",),
                    name="staff_role_one_built_in_per_level")],
            },
        ),
        migrations.AddField(
            model_name="staffprofile",
            name="staff_role",
            field=models.ForeignKey(
                blank=True, help_text="Empty: the built-in role's permissions. A role sets the level too.",
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="members",
                to="clienteling.staffrole", verbose_name="permissions role"),
        ),
    ]
