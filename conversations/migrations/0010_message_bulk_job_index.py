from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0009_meta_whatsapp")]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(condition=models.Q(("bulk_job_id__isnull", False)), fields=["bulk_job_id"],
                               name="message_bulk_job"),
        ),
    ]
