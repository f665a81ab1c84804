from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0010_message_bulk_job_index")]

    operations = [
        migrations.AddField(
            model_name="quickreply",
            name="language",
            field=models.CharField(
                default="en", max_length=10, verbose_name="language",
                help_text="The language of the text (en, fr, fr-ca, ja …). Give each language's version "
                          "the same title."),
        ),
    ]
