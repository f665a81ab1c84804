from django.db import migrations, models


class Migration(migrations.Migration):
    """The staff language's choices gain regional variants (settings.LANGUAGES): no schema change."""

    dependencies = [("clienteling", "0021_push_subscriptions")]

    operations = [
        migrations.AlterField(
            model_name="staffprofile",
            name="language",
            field=models.CharField(
                blank=True, help_text="Empty: the language the browser asks for.", max_length=10,
                verbose_name="language",
                choices=[("en", "English"), ("en-gb", "British English"), ("ca", "Catalan"),
                         ("zh-hans", "Simplified Chinese"), ("zh-hant", "Traditional Chinese"),
                         ("cs", "Czech"), ("da", "Danish"), ("nl", "Dutch"), ("fr", "French"),
                         ("fr-ca", "Canadian French"), ("de", "German"), ("it", "Italian"),
                         ("ja", "Japanese"), ("ko", "Korean"), ("pl", "Polish"), ("es", "Spanish"),
                         ("es-mx", "Mexican Spanish"), ("sv", "Swedish")]),
        ),
    ]
