import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clienteling", "0020_customer_id_names_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PushSubscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("endpoint", models.URLField(max_length=1000, unique=True, verbose_name="endpoint")),
                ("p256dh", models.CharField(max_length=200, verbose_name="public key")),
                ("auth", models.CharField(max_length=100, verbose_name="authentication secret")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="browser")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("last_sent_at", models.DateTimeField(blank=True, null=True, verbose_name="last notified")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="push_subscriptions", to=settings.AUTH_USER_MODEL,
                                           verbose_name="user")),
            ],
            options={"verbose_name": "push subscription", "verbose_name_plural": "push subscriptions"},
        ),
    ]
